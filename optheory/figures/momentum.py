"""Figures for gradient descent and heavy-ball momentum on one eigen-direction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.colors import Normalize, TwoSlopeNorm
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
    boundaries: Mapping[str, tuple[Any, Any]] | None = None,
    *,
    title: str | None = None,
    xlabel: str = r"$\eta\lambda$",
    ylabel: str = r"$\beta$",
    colour_label: str = r"spectral radius $\rho$",
    ax: Any = None,
) -> Figure:
    r"""Colour a plane of two hyperparameters by spectral radius (or rate).

    Heavy ball on one eigenvalue :math:`\lambda` is the linear iteration
    :math:`s_{t+1} = R(\eta\lambda, \beta)\, s_t`; it converges iff
    :math:`\rho(R) < 1`. The values are drawn as a colour map whose scale is
    fitted to the data: when they straddle 1 a diverging map (blue below 1,
    red above, white at 1, with a dotted contour at :math:`\rho = 1`), else a
    sequential map from their smallest to their largest value (so a map with
    rates 0.82..1 is not flat). Derived curves are overlaid, so agreement of a
    derived stability boundary with the colour change is visible at a glance.

    Parameters
    ----------
    eta_lam
        Abscissa grid, shape ``(n,)`` (by default labelled :math:`\eta\lambda`).
    beta
        Ordinate grid, shape ``(m,)``.
    rho
        Values on the grid, shape ``(m, n)`` (row ``i`` is ``beta[i]``), >= 0;
        NaN cells (undefined, e.g. a diverged run) are left grey and ``inf``
        counts as above the scale.
    boundaries
        Optional curve name -> ``(x, y)`` arrays of equal length: derived
        stability boundaries, regime curves.
    title, xlabel, ylabel, colour_label
        Axes title and labels (name the axes after the grid's parameters).
    ax
        An existing matplotlib ``Axes`` to draw into (its figure is returned);
        by default a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        The plane and its colour bar; one line per boundary.

    Raises
    ------
    ValueError
        If shapes disagree, ``rho`` has negative values or no finite value.
    """
    x = as_vector("eta_lam", eta_lam)
    y = as_vector("beta", beta)
    r = as_array("rho", rho, 2)
    if r.shape != (y.shape[0], x.shape[0]):
        raise ValueError(
            f"rho must have shape (len(beta), len(eta_lam)) = {(y.shape[0], x.shape[0])}, "
            f"got {r.shape}"
        )
    # Radii that are exactly a colour step (sqrt(beta) = 0.5, ...) but computed a last bit
    # above or below it would change colour with the CPU: round them first.
    r = np.round(r, 12)
    finite = r[np.isfinite(r)]
    if finite.size == 0:
        raise ValueError("rho must have at least one finite value")
    if np.any(r[~np.isnan(r)] < 0):
        raise ValueError("rho must be >= 0 everywhere")
    curves = _check_xy_curves("boundaries", boundaries) if boundaries is not None else {}
    lo, hi = float(finite.min()), float(finite.max())
    with styled():
        if ax is None:
            fig = new_figure(6.4, 4.8)
            ax = fig.add_subplot()
        else:
            fig = ax.figure
        cmap, norm = _fitted_scale(lo, hi)
        cmap = cmap.with_extremes(bad="#bbbbbb", over=cmap(1.0))
        shown = np.ma.masked_invalid(np.where(np.isposinf(r), hi, r))
        mesh = ax.pcolormesh(x, y, shown, shading="nearest", cmap=cmap, norm=norm,
                             rasterized=True)
        cbar = fig.colorbar(mesh, ax=ax)
        cbar.set_label(colour_label)
        if lo < 1.0 < hi and min(x.size, y.size) > 1:
            ax.contour(x, y, np.where(np.isfinite(r), r, hi), levels=[1.0], colors="k",
                       linewidths=0.8, linestyles=":")
        for i, (label, (cx, cy)) in enumerate(curves.items()):
            ax.plot(
                cx, cy, color=_BOUNDARY_COLOURS[i % len(_BOUNDARY_COLOURS)],
                linestyle=_LINESTYLES[i % len(_LINESTYLES)], linewidth=2.0, label=label,
            )
        ax.set_xlim(float(x.min()), float(x.max()))
        ax.set_ylim(float(y.min()), float(y.max()))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(False)
        if title:
            ax.set_title(title)
        if curves:
            ax.legend(loc="upper left", frameon=True, framealpha=0.85)
    return fig


def _fitted_scale(lo: float, hi: float) -> tuple[Any, Any]:
    """Colour map and norm fitted to the data range [lo, hi]."""
    import matplotlib

    if lo < 1.0 < hi:
        return matplotlib.colormaps["RdBu_r"], TwoSlopeNorm(vmin=lo, vcenter=1.0, vmax=hi)
    if hi == lo:
        lo, hi = lo - 0.5 * max(abs(lo), 1e-12), hi + 0.5 * max(abs(hi), 1e-12)
    # all convergent: dark blue = fastest; all divergent: dark red = fastest growth
    name = "Blues_r" if hi <= 1.0 else "Reds"
    return matplotlib.colormaps[name], Normalize(vmin=lo, vmax=hi)


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
