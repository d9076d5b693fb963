r"""PEPit the way a PEPit user runs a map: one fresh problem per cell, built from the state space.

This is the baseline that :mod:`optheory.pep.gram` is checked against (tests)
and timed against (``scripts/bench_pep.py``): a new ``PEP()`` per cell, the
method's iterates written on PEPit points from the derived state space
:func:`optheory.pep.state_space.numeric_state_space`, the class
:math:`F(\mu, L)` rescaled to :math:`F(\mu/L, 1)` (step :math:`\eta L`), and
PEPit's cvxpy wrapper compiling and solving it.  The measure is
:math:`\|x_N - x_*\|^2 / \|x_0 - x_*\|^2` with the method started at rest at
:math:`x_0`.  PEPit keeps class-level global state: call it from one thread
per process.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from typing import Any

from optheory._extras import require

__all__ = ["pepit_from_state_space"]


def pepit_from_state_space(
    method: str, mu: float, L: float, steps: int, eta: float, beta: float,
    solver: str = "CLARABEL",
) -> float | None:
    """PEPit's worst case of ``steps`` steps of ``method`` at ``(eta, beta)`` over F(mu, L).

    Parameters
    ----------
    method : str
        A linear method of :mod:`optheory.pep.state_space`.
    mu, L : float
        The class, ``0 < mu < L`` (not checked here: a baseline, not an entry point).
    steps : int
        Horizon N.
    eta, beta : float
        Unscaled parameters; the problem is solved at L = 1 with step ``eta * L``.
    solver : str
        cvxpy's name of the solver PEPit calls (``"CLARABEL"`` or ``"SCS"``).

    Returns
    -------
    float or None
        The worst case, or None where the solver gave no value (cvxpy's
        ``SolverError`` or no optimum); the caller decides whether to retry.
    """
    require("PEPit", "pep", purpose="the PEPit baseline")
    from PEPit import PEP
    from PEPit.functions import SmoothStronglyConvexFunction

    from optheory.pep.state_space import numeric_state_space, state_space

    A, B, C, start = numeric_state_space(method, eta * L, beta)
    problem = PEP()
    f = problem.declare_function(SmoothStronglyConvexFunction, mu=mu / L, L=1.0)
    xs = f.stationary_point()
    x0 = problem.set_initial_point()
    problem.set_initial_condition((x0 - xs) ** 2 <= 1)

    def combo(coeffs: Any, items: list[Any]) -> Any:
        total = None
        for c, item in zip(coeffs, items, strict=True):
            if c != 0:
                total = item * float(c) if total is None else total + item * float(c)
        return total if total is not None else xs * 0.0

    # the state is made of PEPit points; the start is at rest at x0
    xi = [x0 * float(start[i, 0]) for i in range(A.shape[0])]
    for _ in range(steps):
        g = f.gradient(combo(C[0], xi))
        xi = [combo([*A[i], B[i, 0]], [*xi, g]) for i in range(A.shape[0])]
    problem.set_performance_metric((xi[state_space(method).x_index] - xs) ** 2)
    cvxpy = require("cvxpy", "pep", purpose="the PEPit baseline")
    try:
        # PEPit prints its accuracy warnings on stdout (that would corrupt a --json answer),
        # cvxpy warns through the warnings module; a baseline reports its value only
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = problem.solve(verbose=0, wrapper="cvxpy", solver=solver)
    except cvxpy.error.SolverError:
        return None
    return None if value is None else float(value)
