"""Answers of the section "RMSProp" (optheory/exercises/rmsprop.py)."""

from __future__ import annotations

import pytest

from tests.exercises._cache import solved


def test_r1_gamma_one_is_gradient_descent() -> None:
    n = solved("rmsprop", 1).numbers
    assert n["effective_rate"] == pytest.approx(400)  # eta / sqrt(eps) = 0.4 / 1e-3
    assert n["equals_gd"] is True
    assert n["final_norm_textbook"] > 1e10 and n["final_norm_torch"] > 1e10
    # eta = 1e-4 is gradient descent at rate 0.1: x1 shrinks by 0.98 per step, x2 by 0.6
    assert n["final_norm_tiny_eta"] == pytest.approx(5 * 0.98**200, rel=1e-9)


def test_r2_rotation() -> None:
    runs = solved("rmsprop", 2).numbers["runs"]
    late = [r["late_max_distance"] for r in runs]
    # all three end on the same cycle (its size is set by eta, not by the rotation)
    assert max(late) / min(late) < 1.01
    assert runs[1]["after_20"] > 10 * runs[0]["after_20"]


def test_r3_schedules_help() -> None:
    n = solved("rmsprop", 3).numbers
    const = min(r["excess_loss"] for r in n["results"] if r["schedule"] == "constant")
    assert n["best"]["schedule"] != "constant" and n["best"]["excess_loss"] < const
    assert all(r["excess_loss"] > -1e-12 for r in n["results"])


def test_r4_gamma() -> None:
    n = solved("rmsprop", 4).numbers
    assert n["gamma_t_running_mean"] is True
    short = [r for r in n["quadratic"] if 0 < r["gamma"] <= 0.9]
    # gamma in (0, 0.9]: the same 2-cycle at the end (0.035 with eta = 0.05), to 1%
    assert all(r["after_5000"] == pytest.approx(short[0]["after_5000"], rel=0.01)
               for r in short)
    long = {r["gamma"]: r for r in n["quadratic"]}
    assert long[0.99]["after_500"] < 1e-20 < long[0.99]["after_5000"]
