"""Heavy ball with the quadratic-optimal tuning cycles on the LRP function."""

from __future__ import annotations

import numpy as np
import sympy as sp

from optheory.analysis.lrp import heavy_ball_cycle, lrp_objective


def test_lrp_function_is_1_strongly_convex_25_smooth() -> None:
    x = sp.Symbol("x", real=True)
    f = lrp_objective()
    second = [sp.diff(expr, x, 2) for expr, _ in f.args]
    assert sorted(second) == [1, 25, 25]
    # continuous value and slope at the knots 1 and 2
    pieces = [expr for expr, _ in f.args]
    for knot, (left, right) in ((1, pieces[:2]), (2, pieces[1:])):
        assert left.subs(x, knot) == right.subs(x, knot)
        assert sp.diff(left, x).subs(x, knot) == sp.diff(right, x).subs(x, knot)


def test_heavy_ball_three_cycle_derived_exactly() -> None:
    cycle = heavy_ball_cycle()
    assert cycle is not None
    # oracle (Polyak's quadratic tuning on [1, 25]): eta = 4/(1+5)^2, beta = ((5-1)/(5+1))^2
    assert cycle.eta == sp.Rational(1, 9) and cycle.beta == sp.Rational(4, 9)
    assert cycle.period == 3
    assert cycle.exact_matches_numeric
    assert cycle.cycling_starts > 0 and cycle.converging_starts > 0
    # the exact points really are a cycle of the heavy-ball map (exact arithmetic)
    x = sp.Symbol("x", real=True)
    grad = sp.diff(lrp_objective(), x)
    pts = cycle.exact_points
    for i in range(3):
        nxt = pts[i] - cycle.eta * grad.subs(x, pts[i]) + cycle.beta * (pts[i] - pts[i - 1])
        assert sp.simplify(nxt - pts[(i + 1) % 3]) == 0
    # and the numeric orbit matches them to 1e-8 (cycle detection tolerance 1e-9 plus rounding)
    np.testing.assert_allclose(
        sorted(float(p) for p in pts), sorted(cycle.numeric_points), atol=1e-8
    )
