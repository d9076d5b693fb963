"""compare_rates: guards, verdicts, and the side-by-side values."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from optheory.pep import compare
from optheory.pep.pepit_problem import PepValue


def _fake(value: float, solver: str = "CLARABEL", cls: str = "quadratic") -> PepValue:
    return PepValue(value=value, solver=solver, status="optimal", seconds=0.0,
                    function_class=cls, steps=20, scaled_mu=0.04, scaled_eta=1.0, beta=0.0,
                    tries=(f"{solver}: optimal",))


def test_guard_names_both_numbers() -> None:
    # issue 13: PEPit's quadratic class gave 5.3e-6 for heavy ball at N = 20 where the exact
    # value is 1.07e-4
    message = compare._check(_fake(5.3e-6, "SCS"), 1.07e-4)
    assert message is not None and "solver inaccurate" in message
    assert "5.3e-06" in message and "0.000107" in message
    assert compare._check(_fake(1.07e-4 + 1e-9), 1.07e-4) is None
    below = compare._check(_fake(0.5, cls="smooth_strongly_convex"), 0.6)
    assert below is not None and "below the exact quadratic" in below
    assert compare._check(_fake(0.7, cls="smooth_strongly_convex"), 0.6) is None


def test_inaccurate_values_are_never_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """A solver that returns half the exact value on every class: both values are refused,
    SCS is retried, and the verdict says so (no solver runs here)."""
    calls: list[tuple[str, str | None]] = []

    def wrong(method: str, mu: Any, L: Any, steps: int, params: Any, *, function_class: str,
              solver: str | None = None) -> PepValue:
        calls.append((function_class, solver))
        exact = compare.quadratic_worst_case(method, mu, L, steps, params).value
        return dataclasses.replace(_fake(exact / 2, solver or "CLARABEL", function_class),
                                   steps=steps)

    monkeypatch.setattr(compare, "pepit_worst_case", wrong)
    result = compare.compare_rates("gd", 1, 25, (3, 6), {"eta": 0.05})
    for h in result.horizons:
        assert h.worst_case is None and h.quadratic_class is None
        assert h.status.startswith("solver inaccurate")
        assert len(h.problems) == 2 and all("SCS" in p for p in h.problems)
    assert ("quadratic", "SCS") in calls and ("smooth_strongly_convex", "SCS") in calls
    assert result.verdict.startswith("no verdict")


@pytest.mark.pep
def test_heavy_ball_side_by_side() -> None:
    result = compare.compare_rates("momentum", 1, 25, (5, 10))
    assert result.params == pytest.approx({"eta": 1 / 9, "beta": 4 / 9})  # Polyak's tuning
    assert result.rate_quadratic == pytest.approx(2 / 3)
    h5, h10 = result.horizons
    for h in result.horizons:
        assert h.problems == ()
        assert h.quadratic_class == pytest.approx(h.quadratic, rel=5e-5)
        assert h.worst_case is not None and h.worst_case > 5 * h.quadratic
    assert h5.worst_case is not None and h10.worst_case is not None
    q = (h10.worst_case / h5.worst_case) ** (1 / 10)
    assert q > 1  # the worst case grows while the quadratic one contracts
    assert f"grows by a factor {q:.3g} per step" in result.verdict
    data = result.to_json()
    assert set(data) == {"method", "mu", "L", "params", "rate_quadratic", "certificate",
                         "horizons", "verdict"}
    assert data["certificate"] is None  # LRP: no IQC certificate at the quadratic-optimal tuning
    assert result.verdict.endswith("no IQC certificate of a rate below 1 on F(1, 25)")
    assert set(data["horizons"][0]) >= {"N", "quadratic", "worst_case", "quadratic_class",
                                        "solver", "status", "seconds"}


@pytest.mark.pep
def test_gd_matches_quadratic_worst_case() -> None:
    result = compare.compare_rates("gd", 1, 10, (2, 4))
    assert "equals the quadratic one" in result.verdict
    for h in result.horizons:
        # GD's worst case over F(mu, L) is attained on a quadratic: max(|1 - eta mu|,
        # |1 - eta L|)^(2N) with eta = 2 / 11
        assert h.worst_case == pytest.approx((9 / 11) ** (2 * h.N), rel=1e-6)


def test_accuracy_text_keeps_only_stable_digits() -> None:
    # heavy ball on F(1, 100), N 5 -> 10: CLARABEL gives a factor 1.354998, SCS 1.355001;
    # at the solvers' accuracy the third digit is not determined, so two are printed
    assert compare.accuracy_text(1.354998, 1e-5) == "1.4"
    assert compare.accuracy_text(1.355001, 1e-5) == "1.4"
    assert compare.accuracy_text(1.354998, 1e-7) == "1.35"
    assert compare.accuracy_text(2185.24, 5e-5) == "2.19e+03"
    assert compare.accuracy_text(0.923077, 1e-12) == "0.923"


def test_verdict_equal_only_within_the_solvers_accuracy() -> None:
    # small worst cases (rate^(2N)): 4e-5 against an exact 1e-6 is 40 times larger, far
    # outside CLARABEL's accuracy (1e-6 absolute after ||x_0 - x*|| <= 1); 1e-6 + 1e-9 is inside
    def horizon(n: int, quadratic: float, worst: float) -> compare.Horizon:
        return compare.Horizon(n, quadratic, worst, quadratic, "CLARABEL", "optimal", 0.0)

    differ = compare.verdict("gd", 1, 10, 0.5, [horizon(5, 1e-6, 4e-5), horizon(10, 1e-9, 4e-8)])
    assert "equals the quadratic one" not in differ
    equal = compare.verdict("gd", 1, 10, 0.5,
                            [horizon(5, 1e-6, 1e-6 + 1e-9), horizon(10, 1e-9, 1e-9)])
    assert "equals the quadratic one" in equal


def test_single_horizon_verdict_prints_only_digits_the_solver_fixes() -> None:
    # SCS: 5e-5 absolute, so 0.12321 +- 5e-5 prints as 0.123 and 0.123456 +- 5e-5 (its third
    # digit undetermined) as 0.12
    h = compare.Horizon(5, 0.1, 0.12321, 0.1, "SCS", "optimal", 0.0)
    loose = compare.Horizon(5, 0.1, 0.123456, 0.1, "SCS", "optimal", 0.0)
    assert "worst case after 5 steps is 0.12 on" in compare.verdict("gd", 1, 10, 0.5, [loose])
    assert "worst case after 5 steps is 0.123 on F(1, 10)" in compare.verdict("gd", 1, 10, 0.5, [h])
    big = compare.Horizon(5, 0.1, 1.23456, 0.1, "SCS", "optimal", 0.0)
    assert "is 1.23 (>= 1)" in compare.verdict("gd", 1, 10, 0.5, [big])
