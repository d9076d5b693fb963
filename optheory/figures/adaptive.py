"""Figures for adaptive methods (Adam and its relatives)."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from optheory.figures._data import as_vector
from optheory.figures._style import new_figure, styled

__all__ = ["reddi_counterexample"]


def reddi_counterexample(
    t: Any,
    adam_x: Any,
    amsgrad_x: Any,
    *,
    optimum: float = -1.0,
    title: str | None = None,
) -> Figure:
    r"""Iterates of Adam and AMSGrad on Reddi, Kale & Kumar's online problem.

    On :math:`[-1, 1]` with :math:`f_t(x) = Cx` every third step and
    :math:`-x` otherwise, the optimum is :math:`x = -1`; the figure shows
    Adam drifting away from it while AMSGrad approaches it.

    Parameters
    ----------
    t
        Steps, shape ``(n,)``.
    adam_x, amsgrad_x
        Iterates of the two methods, shape ``(n,)`` each.
    optimum
        Where to draw the dotted line of the optimum.
    title
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
        One axes with three lines: Adam, AMSGrad, optimum.

    Raises
    ------
    ValueError
        If the lengths differ.
    """
    x = as_vector("t", t)
    adam = as_vector("adam_x", adam_x, x.shape[0])
    ams = as_vector("amsgrad_x", amsgrad_x, x.shape[0])
    with styled():
        fig = new_figure()
        ax = fig.add_subplot()
        ax.plot(x, adam, label="Adam")
        ax.plot(x, ams, label="AMSGrad")
        ax.axhline(float(optimum), color="k", linestyle=":", linewidth=1.0, label="optimum")
        ax.set_xlabel(r"step $t$")
        ax.set_ylabel(r"$x_t$")
        if title:
            ax.set_title(title)
        ax.legend()
    return fig
