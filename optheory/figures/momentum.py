"""Figures for gradient descent and heavy-ball momentum on one eigen-direction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from optheory.figures._data import as_array, as_vector, check_curves, check_nonempty_mapping
from optheory.figures._style import new_figure, styled

__all__ = ["rate_curves", "stability_plane"]

_LINESTYLES = ("-", "--", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 1)))
# Colours that stand out on both the blue and the red half of the colour map.
_BOUNDARY_COLOURS = ("#000000", "#E69F00", "#009E73", "#CC79A7", "#F0E442", "#7F3C8D")


def stability_plane(
    eta_lam: Any,
    beta: Any,
    rho: Any,
    boundaries: Mapping[str, tuple[Any, Any]],
    *,
    title: str | None = None,
) -> Figure:
    r"""Colour the :math:`(\eta\lambda, \beta)` plane by spectral radius.

    Heavy ball on one eigenvalue :math:`\lambda` is the linear iteration
    :math:`s_{t+1} = R(\eta\lambda, \beta)\, s_t`; it converges iff
    :math:`\rho(R) < 1`. The measured :math:`\rho` is drawn as a colour map
    (blue below 1, red above, white at 1, with a dotted contour at
    :math:`\rho = 1`) and the derived curves are overlaid, so agreement of the
    derived stability boundary with the colour change is visible at a glance.

    Parameters
    ----------
    eta_lam
        Grid of :math:`\eta\lambda`, shape ``(n,)``.
    beta
        Grid of :math:`\beta`, shape ``(m,)``.
    rho
        Spectral radius on the grid, shape ``(m, n)`` (row ``i`` is ``beta[i]``),
        finite and >= 0.
    boundaries
        Curve name -> ``(x, y)`` arrays of equal length: the derived stability
        boundary and the regime curves (e.g. critical damping).
    title
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes (the plane and its colour bar); one line per boundary.

    Raises
    ------
    ValueError
        If shapes disagree or ``rho`` has negative or non-finite values.
    """
    x = as_vector("eta_lam", eta_lam)
    y = as_vector("beta", beta)
    r = as_array("rho", rho, 2)
    if r.shape != (y.shape[0], x.shape[0]):
        raise ValueError(
            f"rho must have shape (len(beta), len(eta_lam)) = {(y.shape[0], x.shape[0])}, "
            f"got {r.shape}"
        )
    if not np.all(np.isfinite(r)) or np.any(r < 0):
        raise ValueError("rho must be finite and >= 0 everywhere")
    curves = _check_xy_curves("boundaries", boundaries)
    # Radii that are exactly a colour step (sqrt(beta) = 0.5, ...) but computed a last bit
    # above or below it would change colour with the CPU: round them first.
    r = np.round(r, 12)
    with styled():
        fig = new_figure(6.4, 4.8)
        ax = fig.add_subplot()
        # Fixed colour scale: the meaning of a colour is the same in every figure.
        norm = TwoSlopeNorm(vmin=0.0, vcenter=1.0, vmax=2.0)
        mesh = ax.pcolormesh(
            x, y, r, shading="nearest", cmap="RdBu_r", norm=norm, rasterized=True
        )
        cbar = fig.colorbar(mesh, ax=ax, extend="max")
        cbar.set_label(r"spectral radius $\rho$")
        if r.min() < 1.0 < r.max():
            ax.contour(x, y, r, levels=[1.0], colors="k", linewidths=0.8, linestyles=":")
        for i, (label, (cx, cy)) in enumerate(curves.items()):
            ax.plot(
                cx, cy, color=_BOUNDARY_COLOURS[i % len(_BOUNDARY_COLOURS)],
                linestyle=_LINESTYLES[i % len(_LINESTYLES)], linewidth=2.0, label=label,
            )
        ax.set_xlim(float(x.min()), float(x.max()))
        ax.set_ylim(float(y.min()), float(y.max()))
        ax.set_xlabel(r"$\eta\lambda$")
        ax.set_ylabel(r"$\beta$")
        ax.grid(False)
        if title:
            ax.set_title(title)
        ax.legend(loc="upper left", frameon=True, framealpha=0.85)
    return fig


def rate_curves(
    eta_lam: Any,
    curves: Mapping[str, Any],
    *,
    reference: float | None = None,
    ylabel: str = r"rate $\rho$",
    title: str | None = None,
) -> Figure:
    r"""Plot convergence rates against :math:`\eta\lambda`.

    Parameters
    ----------
    eta_lam
        Abscissa, shape ``(n,)``.
    curves
        Label -> rate values, each of shape ``(n,)`` (NaN leaves a gap).
    reference
        If given, a dotted horizontal line at this rate (e.g. 1, the edge of
        stability).
    ylabel, title
        Axis label and title.

    Returns
    -------
    matplotlib.figure.Figure
        One axes with one line per curve, plus the reference line if given.

    Raises
    ------
    ValueError
        If a curve's length differs from ``eta_lam``'s.
    """
    x = as_vector("eta_lam", eta_lam)
    ys = check_curves("curves", curves, x.shape[0])
    with styled():
        fig = new_figure()
        ax = fig.add_subplot()
        for label, yv in ys.items():
            ax.plot(x, yv, label=label)
        if reference is not None:
            ax.axhline(float(reference), color="k", linestyle=":", linewidth=1.0)
        ax.set_xlabel(r"$\eta\lambda$")
        ax.set_ylabel(ylabel)
        if title:
            ax.set_title(title)
        ax.legend()
    return fig


def _check_xy_curves(name: str, value: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Validate label -> (x, y) pairs of equal-length 1-D arrays."""
    mapping = check_nonempty_mapping(name, value)
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for label, pair in mapping.items():
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ValueError(f"{name}[{label!r}] must be an (x, y) pair of arrays")
        cx = as_vector(f"{name}[{label!r}] x", pair[0])
        cy = as_vector(f"{name}[{label!r}] y", pair[1], cx.shape[0])
        out[label] = (cx, cy)
    return out
