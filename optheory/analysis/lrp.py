r"""Heavy ball on the Lessard-Recht-Packard function (LRP 2016, section 4.6).

.. math:: f(x) = \begin{cases} 25x^2/2 & x < 1 \\ x^2/2 + 24x - 12 & 1 \le x < 2 \\
          25x^2/2 - 24x + 36 & x \ge 2 \end{cases}

is 1-strongly convex and 25-smooth with minimizer 0.  Heavy ball tuned
optimally for *quadratics* with eigenvalues in [1, 25] (the tuning comes from
:func:`optheory.symbolic.tuning.optimal_parameters`) converges from most starts
but falls into a limit cycle from others.  :func:`heavy_ball_cycle` finds the
cycle by simulation and then derives it exactly: on a cycle whose points stay
inside fixed pieces the heavy-ball recursion is linear, so sympy solves for
the cycle's points in closed form, and checks they lie in their pieces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from optheory.analysis.objective_problem import ExpressionProblem
from optheory.numeric.cycles import find_cycle
from optheory.numeric.run import run
from optheory.symbolic.objective import Objective
from optheory.symbolic.tuning import optimal_parameters

__all__ = ["LRP_L", "LRP_M", "LRPCycle", "heavy_ball_cycle", "lrp_objective"]

X = sp.Symbol("x", real=True)


#: the class F(LRP_M, LRP_L) of the LRP function (its curvatures are 1 and 25)
LRP_M, LRP_L = 1, 25


def lrp_objective() -> sp.Piecewise:
    """The piecewise quadratic of LRP section 4.6 (m = 1, L = 25)."""
    return sp.Piecewise(
        (sp.Rational(25, 2) * X**2, X < 1),
        (X**2 / 2 + 24 * X - 12, X < 2),
        (sp.Rational(25, 2) * X**2 - 24 * X + 36, True),
    )


@dataclass(frozen=True)
class LRPCycle:
    """A heavy-ball limit cycle on the LRP function."""

    eta: sp.Expr
    beta: sp.Expr
    start: float
    period: int
    numeric_points: np.ndarray
    exact_points: list[sp.Expr]
    pieces: list[int]
    exact_matches_numeric: bool
    converging_starts: int
    cycling_starts: int


def _piece_gradients() -> list[sp.Expr]:
    f = lrp_objective()
    return [sp.diff(expr, X) for expr, _cond in f.args]


def _piece_of(x: float) -> int:
    return 0 if x < 1 else (1 if x < 2 else 2)


def heavy_ball_cycle(starts: Any = None, steps: int = 3000) -> LRPCycle | None:
    """Scan starting points; return the first limit cycle found, derived exactly.

    Heavy ball runs with its quadratic-optimal tuning on [LRP_M, LRP_L] = [1, 25], the
    class the function of :func:`lrp_objective` belongs to.  Returns None when every
    start converges.
    """
    tuning = optimal_parameters("momentum", LRP_M, LRP_L)
    eta, beta = tuning["eta"], tuning["beta"]
    problem = ExpressionProblem(Objective(lrp_objective(), (X,)))
    grid = np.linspace(-5.0, 5.0, 41) if starts is None else np.asarray(starts, float)
    traj = run("momentum", problem, grid[:, None], steps, eta=float(eta), beta=float(beta))
    found = None
    converging = cycling = 0
    for k, start in enumerate(grid):
        cycle = find_cycle(traj.x[:, k, :], tol=1e-9)
        if cycle is None:
            continue
        if cycle.period == 1:
            converging += 1
        else:
            cycling += 1
            if found is None:
                found = (float(start), cycle)
    if found is None:
        return None
    start, cycle = found
    points = cycle.points.ravel()
    pieces = [_piece_of(float(v)) for v in points]
    grads = _piece_gradients()
    p = cycle.period
    xs = sp.symbols(f"c0:{p}", real=True)
    # Polyak form on a cycle: x_{i+1} = x_i - eta g(x_i) + beta (x_i - x_{i-1}), indices mod p.
    equations = [
        sp.Eq(xs[(i + 1) % p], xs[i] - eta * grads[pieces[i]].subs(X, xs[i]) + beta * (xs[i] - xs[i - 1]))
        for i in range(p)
    ]
    solution = sp.solve(equations, xs, dict=True)
    exact = [sp.nsimplify(solution[0][s]) for s in xs] if solution else []
    matches = bool(exact) and all(
        _piece_of(float(e)) == pc and abs(float(e) - float(v)) < 1e-8
        for e, pc, v in zip(exact, pieces, points, strict=True)
    )
    return LRPCycle(eta, beta, start, p, points, exact, pieces, matches, converging, cycling)
