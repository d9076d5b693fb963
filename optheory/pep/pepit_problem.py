r"""Worst case of a linear method over a function class, as a PEPit problem.

The performance measure is the distance ratio after ``N`` steps,

.. math::  \max_{f \in \mathcal{F}} \frac{\|x_N - x_\star\|^2}{\|x_0 - x_\star\|^2},

over :math:`\mathcal{F}` = the L-smooth, mu-strongly convex functions
:math:`F(\mu, L)` (``"smooth_strongly_convex"``) or PEPit's class of such
*quadratic* functions (``"quadratic"``), for the method started from the state
:func:`optheory.symbolic.linear.initial_state` (buffers zero, Polyak's
``x_prev = x_0``).

The algorithm is not retyped: the iterates are produced by the same step rule
that :mod:`optheory.symbolic.linear` differentiates
(:func:`~optheory.symbolic.linear.method_rule`), called with numbers for
``eta`` and ``beta`` on PEPit points.

Scaling
-------
The problem is always solved at ``L = 1``: :math:`f \mapsto f / L` maps
:math:`F(\mu, L)` onto :math:`F(\mu/L, 1)` and leaves the iterates of step
:math:`\eta L` unchanged, so the ratio is the same.  Unscaled problems give
wrong values with PEPit's default solver (issue 13: heavy ball, mu 1, L 100,
N 10: 766 unscaled with SCS, 2185 scaled).

Solvers
-------
CLARABEL first (about 1e-9 relative accuracy), SCS (about 1e-5) when CLARABEL
stops with an error or a status other than optimal / optimal_inaccurate.
Checking the value (against the exact quadratic worst case) is the job of
:mod:`optheory.pep.compare`.

PEPit keeps class-level global state: solve in one thread per process
(separate *processes* are fine).
"""

from __future__ import annotations

import contextlib
import io
import math
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from optheory._extras import require
from optheory.pep.params import MAX_STEPS, PEPIT_METHODS, check_problem
from optheory.symbolic.linear import initial_state, method_rule

__all__ = [
    "FUNCTION_CLASSES",
    "MAX_STEPS",
    "PEP_METHODS",
    "SOLVERS",
    "PepValue",
    "check_problem",
    "pepit_worst_case",
]

#: the function classes: PEPit's smooth strongly convex functions and its quadratic subclass
FUNCTION_CLASSES: tuple[str, ...] = ("smooth_strongly_convex", "quadratic")
#: solvers tried in this order when none is named
SOLVERS: tuple[str, ...] = ("CLARABEL", "SCS")
#: methods with a PEP here (linear methods whose rule only scales, adds and takes gradients)
PEP_METHODS: tuple[str, ...] = PEPIT_METHODS
# MAX_STEPS (optheory.pep.params, shared with the maps): the SDP has a Gram matrix of size
# N + 2 and O(N^2) interpolation constraints; at N = 20 one CLARABEL solve takes seconds,
# SCS minutes, and past 30 the solvers lose the accuracy the guards need

_ACCEPTED = ("optimal", "optimal_inaccurate")


@dataclass(frozen=True)
class PepValue:
    """One PEPit worst case.

    Attributes
    ----------
    value : float
        Worst case of ``||x_N - x*||^2 / ||x_0 - x*||^2`` (PEPit's dual value).
    solver : str
        The solver whose value this is (``"CLARABEL"`` or ``"SCS"``).
    status : str
        cvxpy's status for that solve (``"optimal"`` or ``"optimal_inaccurate"``).
    seconds : float
        Wall time of the solves (all tries, compilation included).
    function_class : str
        One of :data:`FUNCTION_CLASSES`.
    steps : int
        The horizon N.
    scaled_mu, scaled_eta, beta : float
        What was solved: ``mu / L``, ``eta * L`` and ``beta`` on ``F(mu / L, 1)``.
    tries : tuple of str
        Each solver tried and its outcome, e.g. ``("CLARABEL: SolverError", "SCS: optimal")``.
    """

    value: float
    solver: str
    status: str
    seconds: float
    function_class: str
    steps: int
    scaled_mu: float
    scaled_eta: float
    beta: float
    tries: tuple[str, ...]


def _build(
    pep: Any, method: str, function_class: str, mu: float, eta: float, beta: float, steps: int
) -> None:
    functions = require("PEPit.functions", "pep", purpose="the PEPit worst case")
    cls = (
        functions.SmoothStronglyConvexFunction
        if function_class == "smooth_strongly_convex"
        else functions.SmoothStronglyConvexQuadraticFunction
    )
    f = pep.declare_function(cls, mu=mu, L=1.0)
    x_star = f.stationary_point()
    x0 = pep.set_initial_point()
    pep.set_initial_condition((x0 - x_star) ** 2 <= 1)
    rule, names = method_rule(method)
    state = initial_state(method, x0)
    for _ in range(steps):
        state = rule(state, f.gradient, eta, beta)
    x_n = state[names.index("x")]
    pep.set_performance_metric((x_n - x_star) ** 2)


def _solve_once(
    method: str, function_class: str, mu: float, eta: float, beta: float, steps: int, solver: str
) -> tuple[float | None, str]:
    pepit = require("PEPit", "pep", purpose="the PEPit worst case")
    cvxpy = require("cvxpy", "pep", purpose="the PEPit worst case")
    pep = pepit.PEP()
    _build(pep, method, function_class, mu, eta, beta, steps)
    # PEPit prints solver warnings even at verbose=0, and cvxpy warns on inaccurate
    # solutions: both are reported through the status instead
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = pep.solve(wrapper="cvxpy", verbose=0, solver=solver)
        except cvxpy.error.SolverError:
            return None, "SolverError"
    status = str(pep.wrapper.prob.status)
    if value is None or not math.isfinite(float(value)):
        return None, status
    return float(value), status


def pepit_worst_case(
    method: str,
    mu: Any,
    L: Any,
    steps: Any,
    params: Mapping[str, Any],
    *,
    function_class: str = "smooth_strongly_convex",
    solver: str | None = None,
) -> PepValue:
    r"""PEPit's worst case of :math:`\|x_N - x_\star\|^2 / \|x_0 - x_\star\|^2` over a class.

    Parameters
    ----------
    method : str
        ``"gd"``, ``"momentum"`` (textbook heavy ball), ``"polyak"`` or ``"nesterov"``
        (rules in :mod:`optheory.symbolic.linear`).
    mu, L : float
        The class :math:`F(\mu, L)`, ``0 < mu < L``.
    steps : int
        The horizon N, ``1 <= N <=`` :data:`MAX_STEPS`.
    params : mapping
        ``{"eta": ..., "beta": ...}`` (``beta`` omitted or 0 for gd).
    function_class : str
        ``"smooth_strongly_convex"`` (default) or ``"quadratic"``.
    solver : str, optional
        ``"CLARABEL"`` or ``"SCS"``; default: CLARABEL, then SCS if CLARABEL fails.

    Returns
    -------
    PepValue

    Raises
    ------
    ValueError
        Bad input (one line naming the parameter), or no solver gave a value.
    optheory._extras.MissingExtraError
        PEPit or cvxpy not installed (``pip install 'optheory[pep]'``).
    """
    m, big, n, eta, beta = check_problem(method, mu, L, steps, params)
    if function_class not in FUNCTION_CLASSES:
        raise ValueError(
            f"function_class must be one of {', '.join(FUNCTION_CLASSES)}, got {function_class!r}"
        )
    if solver is not None and (not isinstance(solver, str) or solver.upper() not in SOLVERS):
        raise ValueError(f"solver must be one of {', '.join(SOLVERS)}, got {solver!r}")
    order = SOLVERS if solver is None else (solver.upper(),)
    mu_s, eta_s = m / big, eta * big
    tries: list[str] = []
    start = time.perf_counter()
    for name in order:
        value, status = _solve_once(method, function_class, mu_s, eta_s, beta, n, name)
        tries.append(f"{name}: {status}")
        if value is not None and status in _ACCEPTED:
            return PepValue(
                value=value,
                solver=name,
                status=status,
                seconds=time.perf_counter() - start,
                function_class=function_class,
                steps=n,
                scaled_mu=mu_s,
                scaled_eta=eta_s,
                beta=beta,
                tries=tuple(tries),
            )
    raise ValueError(
        f"no solver found the worst case of {method} on {function_class} (N={n}): "
        + "; ".join(tries)
    )
