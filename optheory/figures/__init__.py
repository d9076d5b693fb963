"""Figure functions: data (numpy arrays) in, :class:`matplotlib.figure.Figure` out.

Every function builds its figure with ``matplotlib.figure.Figure`` directly (never
pyplot, so no global state) in one shared style, and computes nothing about the
optimizers itself: the numbers come from the symbolic and numeric layers.
This package imports matplotlib; ``import optheory`` does not import it.
"""

from __future__ import annotations

from optheory.figures._export import figure_to_svg, inline_svg
from optheory.figures.adaptive import reddi_counterexample
from optheory.figures.averages import bias_correction_curves, weight_curves
from optheory.figures.momentum import rate_curves, stability_plane
from optheory.figures.ode import convergence_order, ode_vs_discrete
from optheory.figures.results import plot_region, sweep_plot, trajectory_plot
from optheory.figures.training import loss_curves
from optheory.figures.trajectories import contour_trajectories, textbook_contour_grid
from optheory.figures.worst_case import worst_case_map_plot

__all__ = [
    "bias_correction_curves",
    "contour_trajectories",
    "convergence_order",
    "figure_to_svg",
    "inline_svg",
    "loss_curves",
    "ode_vs_discrete",
    "plot_region",
    "rate_curves",
    "reddi_counterexample",
    "stability_plane",
    "sweep_plot",
    "textbook_contour_grid",
    "trajectory_plot",
    "weight_curves",
    "worst_case_map_plot",
]
