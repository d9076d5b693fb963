"""The exact quadratic worst case: oracles and a numeric witness (no SDP)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from optheory.numeric.problems import EigenQuadratic
from optheory.numeric.run import run
from optheory.pep.quadratic import asymptotic_rate, quadratic_polynomial, quadratic_worst_case
from optheory.symbolic.linear import LAM, initial_state, method_rule
from optheory.symbolic.tuning import optimal_parameters


@pytest.mark.parametrize(("eta", "steps"), [(sp.Rational(2, 26), 5), (sp.Rational(1, 20), 7), (sp.Rational(1, 13), 1)])
def test_gd_oracle(eta: sp.Rational, steps: int) -> None:
    # known: the worst curvature of (1 - eta lam)^(2N) on [1, 25] is an end of the interval
    oracle = max(abs(1 - eta), abs(1 - 25 * eta)) ** (2 * steps)
    got = quadratic_worst_case("gd", 1, 25, steps, {"eta": eta})
    assert got.value == pytest.approx(float(oracle), rel=1e-14)  # 60-digit arithmetic, one rounding


def test_polynomial_is_the_method_run_exactly() -> None:
    # p_N(lam) equals the x-iterate of the step rule itself on f = lam x^2 / 2 from x0 = 1
    t = optimal_parameters("nesterov", 1, 25)
    p = quadratic_polynomial("nesterov", 4, t["eta"], t["beta"])
    rule, names = method_rule("nesterov")
    state = initial_state("nesterov", sp.Integer(1))
    for _ in range(4):
        state = rule(state, lambda x: LAM * x, t["eta"], t["beta"])
    assert sp.expand(p.as_expr() - state[names.index("x")]) == 0


@pytest.mark.parametrize("method", ["momentum", "nesterov", "polyak"])
def test_numeric_witness_dense_spectrum(method: str) -> None:
    """Run the method in floats on a diagonal quadratic with 4001 curvatures in [1, 25]:
    no start does better than the derived maximum, and the start on the maximising
    curvature reaches it.  Heavy ball and Nesterov run as the project's optimizers
    (``run``); Polyak's two-point form has no optimizer of its own, so its step rule runs."""
    t = optimal_parameters(method, 1, 25)
    params = {"eta": float(t["eta"]), "beta": float(t["beta"])}
    steps = 8
    worst = quadratic_worst_case(method, 1, 25, steps, t)
    lam = np.concatenate([np.linspace(1.0, 25.0, 4001), [worst.lam]])
    if method == "polyak":
        rule, names = method_rule(method)
        state = initial_state(method, np.ones_like(lam))
        for _ in range(steps):
            state = rule(state, lambda x: lam * x, params["eta"], params["beta"])
        x_n = state[names.index("x")]
    else:
        x_n = np.asarray(run(method, EigenQuadratic(lam), np.ones_like(lam), steps, **params).x[-1])
    ratio = x_n**2  # per eigen-direction, x0 = 1
    # float64 recursion of 8 steps with |entries| < 30: relative error below 1e-12
    assert ratio.max() <= worst.value * (1 + 1e-12)
    assert ratio[-1] == pytest.approx(worst.value, rel=1e-12)


def test_heavy_ball_issue_value() -> None:
    # issue 13: the exact quadratic worst case of heavy ball at N = 20 on F(1, 25) is 1.07e-4
    t = optimal_parameters("momentum", 1, 25)
    assert quadratic_worst_case("momentum", 1, 25, 20, t).value == pytest.approx(1.07e-4, rel=5e-3)


def test_asymptotic_rate_matches_derived_tuning() -> None:
    for method in ("gd", "momentum", "nesterov"):
        t = optimal_parameters(method, 1, 25)
        # sampled spectral radius vs the derived minimax rate: the closed-form roots lose
        # about sqrt(eps) ~ 1e-8 at the double root of the tuned point
        assert asymptotic_rate(method, 1, 25, t) == pytest.approx(float(t["rate"]), abs=1e-7)
