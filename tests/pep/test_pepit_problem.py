"""PEPit worst cases built from the project's step rules (solver tests, marked pep)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from optheory.pep.pepit_problem import MAX_STEPS, pepit_worst_case
from optheory.symbolic.linear import initial_state, method_rule, method_step
from optheory.symbolic.tuning import optimal_parameters

pytestmark = pytest.mark.pep


@pytest.mark.parametrize(("eta", "steps"), [(2 / 26, 4), (0.05, 3)])
def test_gd_tight_rate_on_smooth_strongly_convex(eta: float, steps: int) -> None:
    # known tight worst case of gradient descent on F(mu, L) for eta <= 2 / (mu + L):
    # max(|1 - eta mu|, |1 - eta L|)^(2N)
    oracle = max(abs(1 - eta), abs(1 - 25 * eta)) ** (2 * steps)
    got = pepit_worst_case("gd", 1, 25, steps, {"eta": eta})
    assert got.solver == "CLARABEL"
    assert got.value == pytest.approx(oracle, rel=1e-6)  # CLARABEL at status optimal: ~1e-9


def test_scaling_to_L_one() -> None:
    # F(10, 250) with step eta is F(1/25, 1) with step 250 eta: same ratio, same solved problem
    got = pepit_worst_case("gd", 10, 250, 3, {"eta": 0.05 / 10})
    assert (got.scaled_mu, got.scaled_eta) == pytest.approx((1 / 25, 1.25))
    assert got.value == pytest.approx(max(0.95, 0.25) ** 6, rel=1e-6)


def test_heavy_ball_issue_value() -> None:
    # issue 13: heavy ball, mu 1, L 100, N 10: about 2185 once scaled to L = 1 (both solvers agree)
    t = optimal_parameters("momentum", 1, 100)
    got = pepit_worst_case("momentum", 1, 100, 10, {"eta": float(t["eta"]), "beta": float(t["beta"])})
    assert 2184.5 < got.value < 2186


def test_solver_choice_and_status() -> None:
    got = pepit_worst_case("gd", 1, 25, 2, {"eta": 0.05}, function_class="quadratic", solver="scs")
    assert got.solver == "SCS" and got.status in ("optimal", "optimal_inaccurate")
    assert got.tries[-1].startswith("SCS")
    assert got.value == pytest.approx(0.95**4, rel=5e-5)  # SCS accuracy, about 1e-5


def test_steps_limit() -> None:
    with pytest.raises(ValueError, match=f"steps.*{MAX_STEPS}"):
        pepit_worst_case("gd", 1, 25, MAX_STEPS + 1, {"eta": 0.05})


def test_rules_shared_with_symbolic() -> None:
    # method_step is method_rule with the symbols bound: one function, two uses
    import sympy as sp

    from optheory.symbolic.linear import BETA, ETA

    for name in ("gd", "momentum", "polyak", "nesterov", "ema"):
        step, names = method_step(name)
        rule, names2 = method_rule(name)
        x = sp.Symbol("x0")
        s0 = initial_state(name, x)
        grad = lambda z: 3 * z  # noqa: E731
        assert names == names2
        assert step(s0, grad) == rule(s0, grad, ETA, BETA)
    assert initial_state("polyak", 2.0) == (2.0, 2.0)
    assert initial_state("momentum", 2.0) == (0.0, 2.0)


def test_import_stays_light() -> None:
    code = (
        "import sys, optheory, optheory.pep, optheory.pep.compare, optheory.cli.compare;"
        "bad = [m for m in ('PEPit', 'cvxpy', 'dask', 'torch', 'matplotlib') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
