"""Figures for the continuous-time (ODE) view of optimizers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from optheory.figures._data import as_vector, check_curves
from optheory.figures._style import PALETTE, label_axes, new_figure, styled

__all__ = ["convergence_order", "ode_vs_discrete"]


def ode_vs_discrete(
    t: Any,
    discrete: Mapping[str, Any],
    continuous: Mapping[str, Any],
    *,
    t_continuous: Any = None,
    xlabel: str = r"time $t = k\eta$",
    ylabel: str = r"$x(t)$",
    title: str | None = None,
) -> Figure:
    r"""Overlay discrete iterates (markers) on ODE solutions (lines).

    Parameters
    ----------
    t
        Times of the iterates, shape ``(n,)`` (typically :math:`k\eta`).
    discrete
        Label -> iterates, shape ``(n,)``.
    continuous
        Label -> ODE solution, shape ``(n,)``, or of ``t_continuous``'s shape
        when that is given.
    t_continuous
        Optional finer time grid for the continuous curves.
    xlabel, ylabel, title
        Axis labels and title.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: one marker-only line per discrete series, then one line per
        continuous series (paired series share a colour when the dicts have the
        same length and order).

    Raises
    ------
    ValueError
        If a series length does not match its time grid.
    """
    x = as_vector("t", t)
    xc = x if t_continuous is None else as_vector("t_continuous", t_continuous)
    disc = check_curves("discrete", discrete, x.shape[0])
    cont = check_curves("continuous", continuous, xc.shape[0])
    with styled():
        fig = new_figure()
        ax = fig.add_subplot()
        for i, (label, yv) in enumerate(cont.items()):
            ax.plot(xc, yv, "-", color=PALETTE[i % len(PALETTE)], label=label)
        for i, (label, yv) in enumerate(disc.items()):
            ax.plot(
                x, yv, "o", color=PALETTE[i % len(PALETTE)], markersize=4,
                markerfacecolor="none", label=label,
            )
        label_axes(ax, xlabel, ylabel, title)
    return fig


def convergence_order(
    steps: Any,
    errors: Any,
    fitted_slope: float,
    *,
    label: str = "measured error",
    xlabel: str = r"step size $\eta$",
    ylabel: str = "error",
    title: str | None = None,
) -> Figure:
    r"""Log-log plot of error against step size with a fitted power law.

    An error :math:`e(\eta) \approx C \eta^p` is a line of slope :math:`p` in
    log-log axes. The line drawn has the given slope ``fitted_slope`` and the
    intercept :math:`\log C = \operatorname{mean}(\log e - p \log \eta)` that
    best fits the points for that slope.

    Parameters
    ----------
    steps
        Step sizes, shape ``(n,)``, all > 0.
    errors
        Errors, shape ``(n,)``, all > 0.
    fitted_slope
        The order :math:`p` (e.g. from a least-squares fit by the caller).
    label, xlabel, ylabel, title
        Legend label of the points, axis labels and title.

    Returns
    -------
    matplotlib.figure.Figure
        One log-log axes with two lines: the points and the fitted power law.

    Raises
    ------
    ValueError
        If a step or error is not finite and > 0, or lengths differ.
    """
    h = as_vector("steps", steps)
    e = as_vector("errors", errors, h.shape[0])
    if not (np.all(np.isfinite(h)) and np.all(h > 0)):
        raise ValueError("steps must be finite and > 0 for a log-log plot")
    if not (np.all(np.isfinite(e)) and np.all(e > 0)):
        raise ValueError("errors must be finite and > 0 for a log-log plot")
    try:
        p = float(fitted_slope)
    except (TypeError, ValueError):
        raise ValueError(f"fitted_slope must be a real number, got {fitted_slope!r}") from None
    if not np.isfinite(p):
        raise ValueError(f"fitted_slope must be finite, got {fitted_slope!r}")
    log_c = float(np.mean(np.log(e) - p * np.log(h)))
    grid = np.geomspace(float(h.min()), float(h.max()), 50)
    with styled():
        fig = new_figure()
        ax = fig.add_subplot()
        ax.loglog(h, e, "o", label=label)
        ax.loglog(grid, np.exp(log_c) * grid**p, "--", color="k", linewidth=1.0,
                  label=f"slope {p:.3g}")
        label_axes(ax, xlabel, ylabel, title)
    return fig
