r"""Figures of API results: ``Trajectory.plot``, ``SweepResult.plot`` and ``plot_region``.

Each function returns a :class:`matplotlib.figure.Figure` (never pyplot), draws
into an existing ``Axes`` when given one, and needs nothing beyond the data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from matplotlib.figure import Figure

from optheory._checks import check_choice
from optheory.figures._style import new_figure, styled
from optheory.figures.momentum import stability_plane

__all__ = ["plot_region", "sweep_plot", "trajectory_plot"]

_MARKERS_UP_TO = 60  # draw every iterate as a dot for short runs


def _axes(ax: Any, width: float = 6.4, height: float = 4.0) -> tuple[Figure, Any]:
    if ax is not None:
        return ax.figure, ax
    fig = new_figure(width, height)
    return fig, fig.add_subplot()


def _say(ax: Any, text: str) -> None:
    ax.text(0.98, 0.02, text, transform=ax.transAxes, ha="right", va="bottom", color="#B00020",
            fontsize=9, bbox={"facecolor": "white", "edgecolor": "#B00020", "alpha": 0.85})


def trajectory_plot(trajectory: Any, ax: Any = None, *, kind: str = "auto",
                    title: str | None = None) -> Figure:
    """Plot a :class:`~optheory.numeric.trajectory.Trajectory`.

    Parameters
    ----------
    trajectory : Trajectory
    ax : matplotlib Axes, optional
        Draw into it (its figure is returned); by default a new figure.
    kind : {"auto", "path", "loss"}
        ``"path"``: the iterates in the plane (2-D single runs); ``"loss"``: the
        objective over the steps (log scale when positive), one line per
        setting of a batch.  ``"auto"`` picks ``"path"`` when it applies.
    title : str, optional
        Default: method, convention and steps.

    Returns
    -------
    matplotlib.figure.Figure
        A run that diverged says so in the figure (and its line stops there).

    Raises
    ------
    ValueError
        Unknown ``kind``, or ``"path"`` for a batch or a run that is not 2-D.
    """
    check_choice("kind", kind, ("auto", "path", "loss"))
    x = np.asarray(trajectory.x)
    two_d = not trajectory.batched and x.shape[-1] == 2
    if kind == "auto":
        kind = "path" if two_d else "loss"
    if kind == "path" and not two_d:
        raise ValueError(
            f"kind='path' needs a single 2-D run; this trajectory has shape {x.shape}: "
            "use kind='loss'"
        )
    div = trajectory.diverged_at
    diverged = [d for d in (div if isinstance(div, tuple) else (div,)) if d is not None]
    with styled():
        fig, ax = _axes(ax)
        if kind == "path":
            ok = np.all(np.isfinite(x), axis=1) & np.all(np.abs(x) < 1e150, axis=1)
            pts = x[ok]
            marker = "o" if len(pts) <= _MARKERS_UP_TO else None
            ax.plot(pts[:, 0], pts[:, 1], marker=marker, label=trajectory.method)
            ax.plot(pts[:1, 0], pts[:1, 1], "k^", label="start")
            ax.set_xlabel("$x_1$")
            ax.set_ylabel("$x_2$")
            ax.legend()
        else:
            loss = np.asarray(trajectory.loss, dtype=float)
            loss = loss[:, None] if loss.ndim == 1 else loss
            steps = np.arange(loss.shape[0])
            finite = loss[np.isfinite(loss)]
            for k in range(loss.shape[1]):
                label = trajectory.method if loss.shape[1] == 1 else f"setting {k}"
                ax.plot(steps, loss[:, k], label=label if k < 10 else None)
            if finite.size and finite.min() > 0:
                ax.set_yscale("log")
            ax.set_xlabel("step")
            ax.set_ylabel("loss")
            if loss.shape[1] <= 10:
                ax.legend()
        ax.set_title(title or f"{trajectory.method} ({trajectory.convention}), "
                              f"{trajectory.steps} steps")
        if diverged:
            where = f"step {min(diverged)}"
            many = f" ({len(diverged)} of {trajectory.size} settings)" if trajectory.batched else ""
            _say(ax, f"diverged at {where}{many}")
    return fig


def sweep_plot(result: Any, ax: Any = None, *, value: str = "auto",
               title: str | None = None) -> Figure:
    r"""Plot a :class:`~optheory.analysis.sweep.SweepResult`: a rate map or rate curve.

    Parameters
    ----------
    result : SweepResult
    ax : matplotlib Axes, optional
        Draw into it; by default a new figure.
    value : {"auto", "rate", "closed_form_rate", "final_error"}
        What to colour: ``"auto"`` is the closed-form rate when the method is
        linear (it exists), else the measured rate.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        For a grid of two parameters a map with axes named after them (first
        parameter on the abscissa), the colour scale fitted to the data, and
        for linear methods the derived boundary :math:`\rho = 1` (solid, from
        the closed-form rate); for one parameter a curve (measured and closed
        form).

    Raises
    ------
    ValueError
        A grid of more than two parameters, a value the result does not hold,
        or nothing finite to draw (every setting diverged).
    """
    check_choice("value", value, ("auto", "rate", "closed_form_rate", "final_error"))
    if value == "auto":
        value = "closed_form_rate" if result.closed_form_rate is not None else "rate"
    data = getattr(result, value)
    if data is None:
        raise ValueError(
            f"this sweep has no {value} (closed_form_rate exists for linear methods only, "
            "rate and final_error only when simulated)"
        )
    data = np.asarray(data, dtype=float)
    if value == "final_error":
        with np.errstate(divide="ignore"):
            data = np.log10(data)
        label = "log10 final error"
    else:
        label = "closed-form rate" if value == "closed_form_rate" else "measured rate"
    if not np.isfinite(data).any():
        raise ValueError(f"nothing to plot: {value} is not finite anywhere (every setting diverged)")
    names = result.names
    if len(names) > 2:
        raise ValueError(
            f"plot needs a grid of 1 or 2 parameters; this one has {len(names)} "
            f"({', '.join(names)}): sweep fewer or slice the result's arrays"
        )
    heading = title or f"{result.method}: {label} after {result.steps} steps"
    if len(names) == 1:
        with styled():
            fig, ax = _axes(ax)
            x = result.axes[0]
            ax.plot(x, data, marker="o" if x.size <= 40 else None, label=label)
            if value != "closed_form_rate" and result.closed_form_rate is not None:
                ax.plot(x, result.closed_form_rate, "--", label="closed-form rate")
            if value != "final_error":
                ax.axhline(1.0, color="k", linestyle=":", linewidth=1.0)
            ax.set_xlabel(names[0])
            ax.set_ylabel(label)
            ax.set_title(heading)
            ax.legend()
        return fig
    x, y = result.axes
    fig = stability_plane(x, y, data.T, None, title=heading, xlabel=names[0], ylabel=names[1],
                          colour_label=label, ax=ax)
    closed = result.closed_form_rate
    if closed is not None and min(x.size, y.size) > 1:
        closed = np.asarray(closed, dtype=float).T
        if np.nanmin(closed) < 1.0 < np.nanmax(closed):
            with styled():
                axes = fig.axes[0] if ax is None else ax
                axes.contour(x, y, np.where(np.isfinite(closed), closed, 2.0), levels=[1.0],
                             colors="k", linewidths=1.6)
                axes.plot([], [], "k-", label=r"derived boundary $\rho = 1$")
                axes.legend(loc="upper left", frameon=True, framealpha=0.85)
    return fig


def _curve_points(curve: Any, u: np.ndarray, stable: Any, lo: float, hi: float) -> np.ndarray:
    from optheory.analysis.plane import U

    if curve.vertical:
        return np.array([])
    f = sp.lambdify(U, curve.expr, "numpy")
    with np.errstate(all="ignore"):
        b = np.broadcast_to(np.asarray(f(u), dtype=float), u.shape).copy()
        b[(b < lo) | (b > hi) | ~np.isfinite(b)] = np.nan
        if curve.kind == "stability":
            delta = 1e-6 * (hi - lo)
            edge = stable(u, 1.0, b + delta) != stable(u, 1.0, b - delta)
            b[~edge] = np.nan
    return b


def plot_region(method: str, ax: Any = None, *, eta_lam: tuple[float, float] = (0.0, 4.5),
                beta: tuple[float, float] = (-1.05, 1.05), title: str | None = None) -> Figure:
    r"""The stability region of a linear method in the :math:`(\eta\lambda, \beta)` plane.

    Parameters
    ----------
    method : {"gd", "momentum", "nesterov"}
    ax : matplotlib Axes, optional
    eta_lam, beta : (low, high)
        Ranges of the plane.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        The spectral radius (:func:`optheory.spectral_radius`) as colour with
        the derived curves of :func:`optheory.analysis.plane.plane_curves`
        (stability boundary drawn only where it separates stable from unstable
        points, double-root and zero-root curves); for ``"gd"``, which has no
        :math:`\beta`, the rate against :math:`\eta\lambda` with the derived
        boundary.

    Raises
    ------
    ValueError
        Unknown method or an empty range.
    """
    from optheory.analysis.plane import plane_curves
    from optheory.analysis.rates import RATE_METHODS, spectral_radius
    from optheory.symbolic.linear import BETA, ETA, LAM, iteration_matrix, method_update
    from optheory.symbolic.stability import stability_region

    check_choice("method", method, RATE_METHODS)
    for name, (lo, hi) in (("eta_lam", eta_lam), ("beta", beta)):
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValueError(f"{name} must be a range (low, high) with low < high, got {(lo, hi)}")
    u = np.linspace(max(eta_lam[0], 1e-9), eta_lam[1], 401)
    curves = plane_curves(method)
    heading = title or f"{method}: spectral radius and derived stability region"
    if method == "gd":
        with styled():
            fig, ax = _axes(ax)
            ax.plot(u, spectral_radius("gd", u, 1.0), label=r"$\rho$")
            ax.axhline(1.0, color="k", linestyle=":", linewidth=1.0)
            for c in curves:
                if c.vertical:
                    ax.axvline(float(c.expr), color="#D55E00", linewidth=2.0,
                               label=rf"derived boundary $\eta\lambda = {sp.latex(c.expr)}$")
            ax.set_xlabel(r"$\eta\lambda$")
            ax.set_ylabel(r"spectral radius $\rho$")
            ax.set_title(heading)
            ax.legend()
        return fig
    b = np.linspace(beta[0], beta[1], 321)
    rho = spectral_radius(method, u[None, :], 1.0, b[:, None])
    region = stability_region(iteration_matrix(*method_update(method)))
    stable = sp.lambdify((ETA, LAM, BETA), region, "numpy")
    names = {"stability": "stability boundary", "critical": "double root", "zero_root": "zero root"}
    pieces: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    gap = np.array([np.nan])
    for c in curves:
        pts = _curve_points(c, u, stable, beta[0], beta[1])
        if pts.size and np.isfinite(pts).any():
            pieces.setdefault(names.get(c.kind, c.kind), []).append((u, pts))
    # branches of one kind become one legend entry, separated by NaN gaps
    boundaries = {
        key: (np.concatenate([p for xy in parts for p in (xy[0], gap)]),
              np.concatenate([p for xy in parts for p in (xy[1], gap)]))
        for key, parts in pieces.items()
    }
    return stability_plane(u, b, rho, boundaries or None, title=heading, ax=ax)
