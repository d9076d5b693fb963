"""optheory: derive and check the convergence theory of gradient optimizers.

Symbolic results come from sympy (:mod:`optheory.symbolic`), numeric witnesses
from real optimizers on eigen-decomposed quadratics (:mod:`optheory.numeric`).
Public names are loaded lazily so that ``import optheory`` stays light and
never imports torch or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "quadratic_minimizer": "optheory.symbolic.quadratic",
    "completed_square": "optheory.symbolic.quadratic",
    "eigen_form": "optheory.symbolic.quadratic",
    "general_minimizer_identity": "optheory.symbolic.quadratic",
    "Objective": "optheory.symbolic.objective",
    "EigenQuadratic": "optheory.numeric.problems",
    "textbook_2d": "optheory.numeric.problems",
    "textbook_2d_rotated": "optheory.numeric.problems",
    "ExpressionProblem": "optheory.analysis.objective_problem",
    "run": "optheory.numeric.run",
    "train_2d": "optheory.numeric.run",
    "Trajectory": "optheory.numeric.run",
    "empirical_rate": "optheory.numeric.rates",
    "get_method": "optheory.numeric.optimizers",
    "METHODS": "optheory.numeric.optimizers",
    "CONVENTIONS": "optheory.numeric.optimizers",
    "run_reddi": "optheory.numeric.reddi",
    "find_cycle": "optheory.numeric.cycles",
    "effective_weight": "optheory.symbolic.leaky",
    "half_life": "optheory.symbolic.leaky",
    "bias_correction": "optheory.symbolic.leaky",
    "ema_weight_sum": "optheory.symbolic.leaky",
    "effective_sample_size": "optheory.symbolic.leaky",
    "euler_local_error": "optheory.symbolic.ode",
    "heavy_ball_momentum_map": "optheory.symbolic.ode",
    "rmsprop_two_cycle": "optheory.symbolic.adaptive",
    "convergence_order": "optheory.numeric.ode",
    "iteration_matrix": "optheory.symbolic.linear",
    "method_update": "optheory.symbolic.linear",
    "characteristic_polynomial": "optheory.symbolic.linear",
    "momentum_matrix": "optheory.symbolic.linear",
    "stability_region": "optheory.symbolic.stability",
    "jury_conditions": "optheory.symbolic.stability",
    "regime": "optheory.symbolic.heavy_ball",
    "regime_boundaries": "optheory.symbolic.heavy_ball",
    "optimal_parameters": "optheory.symbolic.tuning",
    "eigen_decoupling": "optheory.symbolic.decoupling",
    "spectral_radius": "optheory.analysis.rates",
    "sweep": "optheory.analysis.sweep",
    "SweepResult": "optheory.analysis.sweep",
    "spectral_radius_map": "optheory.analysis.sweep_maps",
    "closed_form_rate": "optheory.analysis.sweep_maps",
    "verify": "optheory.verification",
    "ClaimResult": "optheory.verification",
    "ExerciseAnswer": "optheory.exercises",
    "answer_exercise": "optheory.exercises",
    "available_exercises": "optheory.exercises",
    "parse_expression": "optheory.symbolic.parse",
    "load_airfoil": "optheory.data",
    "least_squares_quadratic": "optheory.data",
    "NoisyQuadratic": "optheory.numeric.noisy",
    "lyapunov_run": "optheory.numeric.lyapunov",
    "rounding_horizon": "optheory.numeric.lyapunov",
    "gap_text": "optheory.reproducible",
    "robust_value": "optheory.reproducible",
    "plot_region": "optheory.figures.results",
    "explore": "optheory.report.explore",
    "compare_rates": "optheory.pep.compare",
    "iqc_rate": "optheory.pep.iqc",
    "worst_case_map": "optheory.pep.maps",
}

__all__ = sorted([*_EXPORTS, "__version__"])

if TYPE_CHECKING:  # pragma: no cover
    from optheory.analysis.objective_problem import ExpressionProblem
    from optheory.analysis.rates import spectral_radius
    from optheory.analysis.sweep import SweepResult, sweep
    from optheory.analysis.sweep_maps import closed_form_rate, spectral_radius_map
    from optheory.data import least_squares_quadratic, load_airfoil
    from optheory.exercises import ExerciseAnswer, answer_exercise, available_exercises
    from optheory.figures.results import plot_region
    from optheory.numeric.cycles import find_cycle
    from optheory.numeric.lyapunov import lyapunov_run, rounding_horizon
    from optheory.numeric.noisy import NoisyQuadratic
    from optheory.numeric.ode import convergence_order
    from optheory.numeric.optimizers import CONVENTIONS, METHODS, get_method
    from optheory.numeric.problems import EigenQuadratic, textbook_2d, textbook_2d_rotated
    from optheory.numeric.rates import empirical_rate
    from optheory.numeric.reddi import run_reddi
    from optheory.numeric.run import Trajectory, run, train_2d
    from optheory.pep.compare import compare_rates
    from optheory.pep.iqc import iqc_rate
    from optheory.pep.maps import worst_case_map
    from optheory.report.explore import explore
    from optheory.reproducible import gap_text, robust_value
    from optheory.symbolic.adaptive import rmsprop_two_cycle
    from optheory.symbolic.decoupling import eigen_decoupling
    from optheory.symbolic.heavy_ball import regime, regime_boundaries
    from optheory.symbolic.leaky import (
        bias_correction,
        effective_sample_size,
        effective_weight,
        ema_weight_sum,
        half_life,
    )
    from optheory.symbolic.linear import (
        characteristic_polynomial,
        iteration_matrix,
        method_update,
        momentum_matrix,
    )
    from optheory.symbolic.objective import Objective
    from optheory.symbolic.ode import euler_local_error, heavy_ball_momentum_map
    from optheory.symbolic.parse import parse_expression
    from optheory.symbolic.quadratic import (
        completed_square,
        eigen_form,
        general_minimizer_identity,
        quadratic_minimizer,
    )
    from optheory.symbolic.stability import jury_conditions, stability_region
    from optheory.symbolic.tuning import optimal_parameters
    from optheory.verification import ClaimResult, verify


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'optheory' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
