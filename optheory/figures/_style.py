"""The shared look of every optheory figure.

All figures are created inside :func:`styled` so that fonts, colours and grid
are the same everywhere, and with :class:`matplotlib.figure.Figure` directly
(never pyplot), so nothing is registered in pyplot's global figure list.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import matplotlib
from cycler import cycler
from matplotlib.figure import Figure

__all__ = ["PALETTE", "DisplayFigure", "label_axes", "new_figure", "styled"]

# Okabe & Ito's colour-blind-safe palette (black moved last: it is kept for
# reference lines).
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

_RC: dict[str, Any] = {
    "axes.prop_cycle": cycler(color=list(PALETTE)),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "lines.markersize": 4,
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "figure.dpi": 100,
    "image.cmap": "viridis",
}


@contextlib.contextmanager
def styled() -> Iterator[None]:
    """Apply the optheory style for the artists created inside the block."""
    with matplotlib.rc_context(_RC):
        yield


def label_axes(ax: Any, xlabel: str, ylabel: str, title: str | None, *, legend: bool = True) -> None:
    """Set axis labels, an optional title and (by default) the legend."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if legend:
        ax.legend()


class DisplayFigure(Figure):  # type: ignore[misc]
    """A :class:`~matplotlib.figure.Figure` that shows itself inline in Jupyter.

    Figures made without pyplot have no inline display unless a matplotlib
    magic ran; this one offers PNG (``_repr_png_``) itself, so a figure
    returned by the API appears in a notebook without any magic command.
    """

    def _repr_png_(self) -> bytes:
        from optheory._display import figure_png

        return figure_png(self, dpi=100)


def new_figure(width: float = 6.4, height: float = 4.0, **kwargs: Any) -> Figure:
    """Return an empty :class:`DisplayFigure` with constrained layout.

    Call inside :func:`styled`.
    """
    return DisplayFigure(figsize=(width, height), layout="constrained", **kwargs)
