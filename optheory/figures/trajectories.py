"""Optimizer paths on the contour lines of a 2-D objective (the textbook's demo plot)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from optheory.figures._data import FloatArray, as_array, check_nonempty_mapping
from optheory.figures._style import new_figure, styled

__all__ = ["contour_trajectories", "textbook_contour_grid"]


def textbook_contour_grid(
    f: Callable[[FloatArray, FloatArray], Any],
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""Evaluate ``f`` on the grid of the textbook's 2-D contour plots.

    The grid is :math:`x_1 \in \{-5.5, -5.4, \dots, 0.9\}`,
    :math:`x_2 \in \{-3.0, -2.9, \dots, 0.9\}` (``numpy.arange`` with step 0.1),
    as in the textbook's ``show_trace_2d`` (section on gradient descent).

    Parameters
    ----------
    f
        Vectorised objective ``f(X1, X2) -> F`` on equal-shaped arrays.

    Returns
    -------
    (X1, X2, F)
        ``numpy.meshgrid`` arrays of shape ``(40, 65)`` and the values of ``f``.

    Raises
    ------
    ValueError
        If ``f`` does not return an array of the grid's shape.
    """
    x1, x2 = np.meshgrid(np.arange(-5.5, 1.0, 0.1), np.arange(-3.0, 1.0, 0.1))
    values = np.asarray(f(x1, x2), dtype=np.float64)
    if values.shape != x1.shape:
        raise ValueError(f"f must return an array of shape {x1.shape}, got {values.shape}")
    return x1, x2, values


def contour_trajectories(
    f_grid: tuple[Any, Any, Any],
    trajectories: Mapping[str, Any],
    title: str | None = None,
    *,
    levels: int = 12,
) -> Figure:
    r"""Draw iterates :math:`x_0, x_1, \dots` over the contour lines of :math:`f`.

    Parameters
    ----------
    f_grid
        ``(X1, X2, F)``: 2-D arrays of one shape, e.g. from
        :func:`textbook_contour_grid`.
    trajectories
        Label -> iterates of shape ``(T, 2)`` (columns :math:`x_1, x_2`).
    title
        Axes title.
    levels
        Number of contour levels (>= 1).

    Returns
    -------
    matplotlib.figure.Figure
        One axes with the contour set and one marked line per trajectory.

    Raises
    ------
    ValueError
        If the grid arrays differ in shape or a trajectory is not ``(T, 2)``.
    """
    if not isinstance(f_grid, tuple | list) or len(f_grid) != 3:
        raise ValueError("f_grid must be a tuple (X1, X2, F) of 2-D arrays")
    gx = as_array("f_grid X1", f_grid[0], 2)
    gy = as_array("f_grid X2", f_grid[1], 2)
    gf = as_array("f_grid F", f_grid[2], 2)
    if not gx.shape == gy.shape == gf.shape:
        raise ValueError(
            f"f_grid arrays must share one shape, got {gx.shape}, {gy.shape}, {gf.shape}"
        )
    if not np.all(np.isfinite(gf)):
        raise ValueError("f_grid F must be finite on the whole grid")
    if gf.min() == gf.max():
        raise ValueError("f_grid F must not be constant (there would be no contour lines)")
    if isinstance(levels, bool) or not isinstance(levels, int) or levels < 1:
        raise ValueError(f"levels must be a positive integer, got {levels!r}")
    paths = {}
    for label, traj in check_nonempty_mapping("trajectories", trajectories).items():
        arr = as_array(f"trajectories[{label!r}]", traj, 2)
        if arr.shape[1] != 2:
            raise ValueError(f"trajectories[{label!r}] must have shape (T, 2), got {arr.shape}")
        paths[label] = arr
    with styled():
        fig = new_figure(6.4, 4.4)
        ax = fig.add_subplot()
        ax.contour(gx, gy, gf, levels=levels, colors="#56B4E9", linewidths=0.8)
        for label, arr in paths.items():
            ax.plot(arr[:, 0], arr[:, 1], "-o", label=label)
        ax.set_xlim(float(gx.min()), float(gx.max()))
        ax.set_ylim(float(gy.min()), float(gy.max()))
        ax.set_xlabel(r"$x_1$")
        ax.set_ylabel(r"$x_2$")
        ax.grid(False)
        if title:
            ax.set_title(title)
        ax.legend(loc="lower right")
    return fig
