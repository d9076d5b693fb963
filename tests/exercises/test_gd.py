"""Answers of the section "Gradient Descent" (optheory/exercises/gd.py)."""

from __future__ import annotations

import math

import pytest
from scipy.optimize import brentq

from optheory.exercises.gd import bisection, golden_ratio_factor, golden_section
from tests.exercises._cache import solved


def test_gd1_rates_match_the_eigenvalue_formula() -> None:
    n = solved("gd", 1).numbers
    assert n["eta_best"] == "1/3" and n["rate_best"] == "1/3"  # oracle 2/(2+4), (4-2)/(4+2)
    for row in n["quadratic"]:
        eta = float(eval_fraction(row["eta"]))
        oracle = max(abs(1 - 2 * eta), abs(1 - 4 * eta))
        assert row["predicted_rate"] == pytest.approx(oracle, abs=1e-12)
        # a log-linear fit over steps 5..60 of a two-mode linear iteration; the slower
        # mode dominates by (fast/slow)^5 or more, so the fitted rate is within 1e-3
        assert row["measured_rate"] == pytest.approx(oracle, abs=1e-3)
    cosh = {r["eta"]: r for r in n["cosh"]}
    assert cosh["1/5"]["measured_rate"] == pytest.approx(0.8, abs=1e-3)  # 1 - eta cosh''(0)
    assert cosh["3/2"]["diverged"] and cosh["5/2"]["diverged"] and not cosh["1/2"]["diverged"]


def test_gd1_nonconvex_stops_at_stationary_points() -> None:
    c = 0.15 * math.pi

    def fprime(x: float) -> float:
        return math.cos(c * x) - c * x * math.sin(c * x)

    rows = solved("gd", 1).numbers["nonconvex"]
    # oracle: the local minima bracketing the two end points, found by brentq
    assert rows[0]["final_x"] == pytest.approx(brentq(fprime, 6.0, 8.0), abs=1e-8)
    # eta = 2 contracts only by |1 - 2 f''| ~ 0.96 per step: 300 steps leave ~1e-5
    assert rows[1]["final_x"] == pytest.approx(brentq(fprime, -3.0, -1.0), abs=1e-4)
    assert all(r["curvature"] > 0 for r in rows)


def eval_fraction(text: str | int) -> float:
    num, _, den = str(text).partition("/")
    return int(num) / (int(den) if den else 1)


def test_gd2_line_search() -> None:
    n = solved("gd", 2).numbers
    x_star = math.log(2) / 3 - 1  # oracle: e^{3x+3} = 2
    assert n["x_star_float"] == pytest.approx(x_star, abs=1e-15)
    assert abs(n["bisection_x"] - x_star) < 1e-10  # final bracket width 1e-10
    # golden section compares values of f, whose curvature at x* is ~0.67: differences
    # below ~1e-16 are lost, so it resolves x* only to about sqrt(1e-16) ~ 1e-8
    assert abs(n["golden_x"] - x_star) < 1e-7
    assert n["bisection_ratio"] == 0.5
    assert n["golden_factor"] == pytest.approx((math.sqrt(5) - 1) / 2, abs=1e-15)
    assert n["golden_ratio"] == pytest.approx((math.sqrt(5) - 1) / 2, abs=1e-8)
    assert n["counterexample_same_values"] is True
    assert n["counterexample_minimizers"] == ["2/5", "3/5"]
    # iteration counts: ceil(log2(10 / 1e-10)) = 37 halvings
    assert n["bisection_evaluations"] == math.ceil(math.log2(10 / 1e-10))


def test_line_search_helpers() -> None:
    assert float(golden_ratio_factor()) == pytest.approx(0.6180339887498949, abs=1e-15)
    hist = bisection(lambda x: 2 * (x - 0.3), 0.0, 1.0, 1e-12)
    assert abs(0.5 * sum(hist[-1]) - 0.3) < 1e-12
    hist2, evals = golden_section(lambda x: (x - 0.3) ** 2, 0.0, 1.0, 1e-6)
    assert abs(0.5 * sum(hist2[-1]) - 0.3) < 1e-6 and evals == len(hist2) + 1


def test_gd3_steps_follow_the_condition_number() -> None:
    n = solved("gd", 3).numbers
    assert n["rate_best"] == "999/1001" and n["condition_number"] == 1000
    for row in n["by_condition_number"]:
        # from (1, 1) at the best step both modes contract by exactly rho, so the count
        # is ceil(log(1e-6)/log(rho)); rounding may move it by one step
        assert abs(row["measured_steps"] - row["predicted_steps"]) <= 1
    steps = {r["condition_number"]: r["measured_steps"] for r in n["by_condition_number"]}
    # log(1/tol) / log((k+1)/(k-1)) ~ k log(1/tol) / 2: linear in kappa (10% slack)
    assert steps[1000] / steps[100] == pytest.approx(10, rel=0.1)


def test_gd4_preconditioning() -> None:
    n = solved("gd", 4).numbers
    assert n["one_step_distance"] < 1e-15  # Newton's step on a diagonal quadratic
    assert n["start_curvature"] < 0
    signed, absolute = n["signed"], n["absolute"]
    assert abs(signed["f_prime"]) < 1e-10 and signed["f_second"] < 0 and not signed["f_decreased"]
    assert abs(absolute["f_prime"]) < 1e-10 and absolute["f_second"] > 0
    assert absolute["f_decreased"]


def test_gd5_rotation_removes_the_advantage() -> None:
    runs = solved("gd", 5).numbers["runs"]
    quad, quad_rot, sep, sep_rot = runs[:4]
    assert quad["precond_steps"] == 1
    assert quad_rot["precond_steps"] > 100  # rate (kappa-1)/(kappa+1) = 99/101 again
    assert sep["precond_steps"] < 20
    assert sep["gd_steps"] is None or sep["gd_steps"] > 1000
    assert sep_rot["precond_steps"] > 10 * sep["precond_steps"]
