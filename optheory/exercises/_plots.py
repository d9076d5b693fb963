"""Generic plots for the exercise answers (matplotlib ``Figure`` objects, no pyplot).

Only called from the figure builders of the answers, so matplotlib is
imported lazily.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["heatmap", "lines", "panels"]


def _positive_only(y: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(y) & (y > 0), y, np.nan)


def lines(
    x: Any,
    curves: Mapping[str, Any],
    *,
    xlabel: str,
    ylabel: str,
    title: str | None = None,
    logy: bool = False,
    logx: bool = False,
    hline: float | None = None,
) -> Any:
    """One axes with one line per curve (x shared, or per-curve ``(x, y)`` pairs)."""
    from optheory.figures._style import new_figure, styled

    with styled():
        fig = new_figure()
        ax = fig.add_subplot()
        _draw(ax, x, curves, logy)
        if logy:
            ax.set_yscale("log")
        if logx:
            ax.set_xscale("log")
        if hline is not None:
            ax.axhline(hline, color="k", linestyle=":", linewidth=1.0)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if title:
            ax.set_title(title)
        ax.legend()
    return fig


def _draw(ax: Any, x: Any, curves: Mapping[str, Any], logy: bool) -> None:
    for label, data in curves.items():
        if isinstance(data, tuple):
            xs, ys = np.asarray(data[0], float), np.asarray(data[1], float)
        else:
            xs, ys = np.asarray(x, float), np.asarray(data, float)
        style = "--" if label.endswith("(predicted)") else "-"
        ax.plot(xs, _positive_only(ys) if logy else ys, style, label=label)


def panels(
    x: Any,
    groups: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    xlabel: str,
    ylabel: str,
    logy: bool = False,
) -> Any:
    """Side-by-side axes, one per ``(title, curves)`` group, sharing the y axis."""
    from optheory.figures._style import new_figure, styled

    with styled():
        fig = new_figure(4.0 * len(groups), 4.0)
        axes = fig.subplots(1, len(groups), sharey=True, squeeze=False)[0]
        for ax, (title, curves) in zip(axes, groups, strict=True):
            _draw(ax, x, curves, logy)
            if logy:
                ax.set_yscale("log")
            ax.set_title(title)
            ax.set_xlabel(xlabel)
            ax.legend()
        axes[0].set_ylabel(ylabel)
    return fig


def heatmap(
    x: Any,
    y: Any,
    z: Any,
    *,
    xlabel: str,
    ylabel: str,
    zlabel: str,
    title: str | None = None,
    marks: Mapping[str, tuple[float, float]] | None = None,
) -> Any:
    """A colour map of ``z[i, j]`` at ``(x[j], y[i])`` with optional labelled points."""
    from optheory.figures._style import new_figure, styled

    with styled():
        fig = new_figure(6.4, 4.4)
        ax = fig.add_subplot()
        mesh = ax.pcolormesh(np.asarray(x), np.asarray(y), np.asarray(z), shading="nearest",
                             rasterized=True)
        fig.colorbar(mesh, ax=ax, label=zlabel)
        for label, (px, py) in (marks or {}).items():
            ax.plot([px], [py], "o", color="#D55E00")
            ax.annotate(label, (px, py), textcoords="offset points", xytext=(4, 4), fontsize=8)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(False)
        if title:
            ax.set_title(title)
    return fig
