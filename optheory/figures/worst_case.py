r"""The worst-case map: the quadratic region against the region certified over :math:`F(\mu, L)`.

Draws a :class:`~optheory.pep.maps.WorstCaseMap` (computed elsewhere; nothing
is solved here): the colour is the IQC-certified rate over
:math:`F(\mu, L)` (grey where there is no certificate), the solid line the
derived quadratic boundary (worst spectral radius over :math:`[\mu, L]`
equal to 1), the dashed line where the worst case over :math:`F(\mu, L)`
after N steps equals the start distance (per-step factor 1).  For gd (no
momentum axis) the three are curves over the step size.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from optheory.figures._style import new_figure, styled

__all__ = ["worst_case_map_plot"]

_NO_CERTIFICATE = "#d9d9d9"


def _contour(ax: Any, x: np.ndarray, y: np.ndarray, values: np.ndarray, style: str,
             label: str) -> None:
    finite = np.where(np.isfinite(values), values, 2.0)
    if min(x.size, y.size) > 1 and finite.min() < 1.0 < finite.max():
        ax.contour(x, y, finite, levels=[1.0], colors="k", linestyles=style, linewidths=1.6)
        ax.plot([], [], color="k", linestyle=style, label=label)


def worst_case_map_plot(result: Any, ax: Any = None, *, title: str | None = None) -> Figure:
    r"""Plot a worst-case map (:func:`optheory.worst_case_map`).

    Parameters
    ----------
    result : WorstCaseMap
    ax : matplotlib Axes, optional
        Draw into it (its figure is returned); by default a new figure.
    title : str, optional
        Default: method, class and horizon.

    Returns
    -------
    matplotlib.figure.Figure
        Two parameters: step size on the abscissa, momentum on the ordinate,
        colour = certified rate on :math:`F(\mu, L)` (grey: none), solid line =
        quadratic boundary (rate 1 on every quadratic with curvatures in
        :math:`[\mu, L]`), dashed line = worst case after N steps equal to 1.
        gd: the quadratic rate, the certified rate and the per-step worst case
        :math:`(\text{worst case})^{1/(2N)}` against the step size.
    """
    heading = title or (f"{result.method} on F({result.mu:g}, {result.L:g}): "
                        f"certified rate and worst case after {result.steps} steps")
    eta, beta = np.asarray(result.eta), np.asarray(result.beta)
    quad = np.asarray(result.quadratic_rate, dtype=float)
    cert = np.asarray(result.certificate, dtype=float)
    per_step = np.asarray(result.per_step_worst_case, dtype=float)
    with styled():
        if ax is None:
            fig = new_figure(6.4, 4.4)
            ax = fig.add_subplot()
        else:
            fig = ax.figure
        if beta.size == 1:
            ax.plot(eta, quad[:, 0], label="quadratic rate (worst over [mu, L])")
            ax.plot(eta, cert[:, 0], "o-", label="IQC-certified rate on F(mu, L)")
            ax.plot(eta, per_step[:, 0], "--", label=f"worst case^(1/{2 * result.steps})")
            ax.axhline(1.0, color="gray", linestyle=":", linewidth=1.0)
            ax.set_xlabel(r"step size $\eta$")
            ax.set_ylabel("per-step factor")
        else:
            shown = np.ma.masked_invalid(cert.T)
            cmap = colormaps["viridis"].with_extremes(bad=_NO_CERTIFICATE)
            finite = cert[np.isfinite(cert)]
            low = float(finite.min()) if finite.size else 0.0
            image = ax.pcolormesh(eta, beta, shown, shading="nearest", cmap=cmap,
                                  vmin=min(low, 0.999), vmax=1.0)
            fig.colorbar(image, ax=ax, label="certified rate on F(mu, L) (grey: none)")
            _contour(ax, eta, beta, quad.T, "solid", "quadratic rate = 1")
            _contour(ax, eta, beta, per_step.T, "dashed",
                     f"worst case after {result.steps} steps = 1")
            ax.set_xlabel(r"step size $\eta$")
            ax.set_ylabel(r"momentum $\beta$")
        ax.set_title(heading, fontsize=10)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper right", fontsize=8, framealpha=0.85)
    return fig
