"""Answers of the section "RMSProp" (optheory/exercises/rmsprop.py)."""

from __future__ import annotations

import pytest
import sympy as sp

from optheory.exercises.rmsprop import G, S, gd_step_limit, textbook_update
from tests.exercises._cache import solved


def test_textbook_update_and_gd_limit() -> None:
    s_next, step = textbook_update()
    gamma, eta, eps = sp.symbols("gamma eta epsilon", positive=True)
    # oracle: the textbook's RMSProp (section "RMSProp")
    assert sp.simplify(s_next - (gamma * S + (1 - gamma) * G**2)) == 0
    assert sp.simplify(step - eta * G / sp.sqrt(s_next + eps)) == 0
    # oracle: gradient descent is stable iff eta < 2 / lambda
    assert gd_step_limit(4.0) == sp.Rational(1, 2)
    assert gd_step_limit(0.2) == 10 and gd_step_limit(sp.Rational(2, 3)) == 3


def test_r1_gamma_one_is_gradient_descent() -> None:
    n = solved("rmsprop", 1).numbers
    assert n["effective_rate"] == pytest.approx(400)  # eta / sqrt(eps) = 0.4 / 1e-3
    assert n["gd_step_limit"] == "1/2"  # oracle: GD is stable iff eta < 2 / lambda_max = 2/4
    assert n["tiny_eta_rate"] == "1/10"  # 1e-4 / sqrt(1e-6)
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
    # the text's account of the long-memory runs comes from the runs themselves
    assert n["cycle_distance"] == pytest.approx(short[0]["after_5000"], rel=0.01)
    phases = n["long_memory"]
    assert set(phases) == {"0.99", "0.999"}
    assert phases["0.99"]["on_cycle"] and 500 < phases["0.99"]["settled_step"] <= 5000
    assert long[0.999]["after_5000"] == 0.0 and phases["0.999"]["zero_step"] is not None
    text = solved("rmsprop", 4).answer
    assert f"settled on it by step {phases['0.99']['settled_step']}" in text
    assert f"floating-point zero at step {phases['0.999']['zero_step']}" in text
