"""Training-loss figures (the chapter's airfoil regression and similar)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from optheory.figures._data import as_vector, check_curves
from optheory.figures._style import label_axes, new_figure, styled

__all__ = ["loss_curves"]


def loss_curves(
    steps: Any,
    losses: Mapping[str, Any],
    *,
    xlabel: str = "examples seen",
    ylabel: str = "loss",
    title: str | None = None,
) -> Figure:
    """Plot loss against progress on a logarithmic loss axis.

    Parameters
    ----------
    steps
        Progress values (steps, epochs, examples), shape ``(n,)``.
    losses
        Label -> losses, shape ``(n,)``. Every curve needs at least one finite
        value > 0; other values (0, inf, NaN, e.g. after divergence) are left
        out of the line.
    xlabel, ylabel, title
        Axis labels and title.

    Returns
    -------
    matplotlib.figure.Figure
        One axes (log y) with one line per curve.

    Raises
    ------
    ValueError
        If lengths differ or a curve has no finite positive value.
    """
    x = as_vector("steps", steps)
    ys = check_curves("losses", losses, x.shape[0])
    shown = {}
    for label, yv in ys.items():
        ok = np.isfinite(yv) & (yv > 0)
        if not ok.any():
            raise ValueError(f"losses[{label!r}] needs at least one finite value > 0")
        shown[label] = np.where(ok, yv, np.nan)
    with styled():
        fig = new_figure()
        ax = fig.add_subplot()
        for label, yv in shown.items():
            ax.plot(x, yv, label=label)
        ax.set_yscale("log")
        label_axes(ax, xlabel, ylabel, title)
    return fig
