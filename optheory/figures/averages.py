"""Figures for leaky (exponential moving) averages and Adam's bias correction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matplotlib.figure import Figure

from optheory.figures._data import as_vector, check_curves
from optheory.figures._style import label_axes, new_figure, styled

__all__ = ["bias_correction_curves", "weight_curves"]


def weight_curves(
    t: Any,
    curves: Mapping[str, Any],
    *,
    xlabel: str = r"lag $\tau$",
    ylabel: str = r"weight of $g_{t-\tau}$",
    title: str | None = None,
) -> Figure:
    r"""Plot the weights a leaky average puts on past gradients.

    For :math:`v_t = \beta v_{t-1} + g_t` the weight of :math:`g_{t-\tau}` is
    a function of the lag :math:`\tau` and :math:`\beta`; the caller passes the
    weights it has computed (one curve per :math:`\beta`).

    Parameters
    ----------
    t
        Lags, shape ``(n,)``.
    curves
        Label (e.g. ``"beta = 0.9"``) -> weights, shape ``(n,)``.
    xlabel, ylabel, title
        Axis labels and title.

    Returns
    -------
    matplotlib.figure.Figure
        One axes with one marked line per curve.

    Raises
    ------
    ValueError
        If a curve's length differs from ``t``'s.
    """
    x = as_vector("t", t)
    ys = check_curves("curves", curves, x.shape[0])
    with styled():
        fig = new_figure()
        ax = fig.add_subplot()
        for label, yv in ys.items():
            ax.plot(x, yv, "-o", markersize=3, label=label)
        label_axes(ax, xlabel, ylabel, title)
    return fig


def bias_correction_curves(
    t: Any,
    curves: Mapping[str, Any],
    *,
    reference: float | None = None,
    xlabel: str = r"step $t$",
    ylabel: str = "estimate",
    title: str | None = None,
) -> Figure:
    r"""Plot moment estimates over steps, with and without bias correction.

    Adam's :math:`v_t` starts at 0 and so underestimates the moment early on;
    dividing by :math:`1 - \beta^t` removes that bias. The caller passes the
    estimates to compare (e.g. raw and corrected, for a few :math:`\beta`).

    Parameters
    ----------
    t
        Steps, shape ``(n,)``.
    curves
        Label -> estimate, shape ``(n,)``.
    reference
        If given, a dotted horizontal line at the true value.
    xlabel, ylabel, title
        Axis labels and title.

    Returns
    -------
    matplotlib.figure.Figure
        One axes with one line per curve, plus the reference line if given.

    Raises
    ------
    ValueError
        If a curve's length differs from ``t``'s.
    """
    x = as_vector("t", t)
    ys = check_curves("curves", curves, x.shape[0])
    with styled():
        fig = new_figure()
        ax = fig.add_subplot()
        for label, yv in ys.items():
            ax.plot(x, yv, label=label)
        if reference is not None:
            ax.axhline(float(reference), color="k", linestyle=":", linewidth=1.0, label="true value")
        label_axes(ax, xlabel, ylabel, title)
    return fig
