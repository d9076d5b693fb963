"""PEPit the way a PEPit user runs it: one problem per cell, built from the derived state space."""

from __future__ import annotations

from typing import Any


def pepit_value(method: str, mu: float, L: float, steps: int, eta: float, beta: float) -> float:
    """``max ||x_N - x*||^2 / ||x_0 - x*||^2`` over F(mu, L), PEPit with CLARABEL, scaled to L = 1."""
    from PEPit import PEP
    from PEPit.functions import SmoothStronglyConvexFunction

    from optheory.pep.state_space import numeric_state_space, state_space

    A, B, C, start = numeric_state_space(method, eta * L, beta)
    problem = PEP()
    f = problem.declare_function(SmoothStronglyConvexFunction, mu=mu / L, L=1.0)
    xs = f.stationary_point()
    x0 = problem.set_initial_point()
    problem.set_initial_condition((x0 - xs) ** 2 <= 1)
    n = A.shape[0]

    def combo(coeffs: Any, items: list[Any]) -> Any:
        total = None
        for c, item in zip(coeffs, items, strict=True):
            if c != 0:
                total = item * float(c) if total is None else total + item * float(c)
        return total if total is not None else xs * 0.0

    # state relative to nothing: PEPit points themselves (the start is at rest at x0)
    xi = [x0 * float(start[i, 0]) for i in range(n)]
    for _ in range(steps):
        g = f.gradient(combo(C[0], xi))
        xi = [combo([*A[i], B[i, 0]], [*xi, g]) for i in range(n)]
    x_n = xi[state_space(method).x_index]
    problem.set_performance_metric((x_n - xs) ** 2)
    return float(problem.solve(verbose=0, wrapper="cvxpy", solver="CLARABEL"))
