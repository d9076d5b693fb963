"""Seed 004's ODE view of RMSprop: computed verdicts and their numbers."""

from __future__ import annotations

import json
import math

import pytest

from optheory.verification import verify

IDS = ["ode.euler", "ode.error-control", "ode.rmsprop", "ode.scalar-vs-vector"]


@pytest.fixture(scope="module")
def results() -> dict:
    out = {r.id: r for r in verify(IDS)}
    for r in out.values():
        assert r.error is None, f"{r.id}: {r.error}"
    return out


def test_all_hold_with_strict_json(results: dict) -> None:
    for r in results.values():
        assert r.verdict == "holds", r.summary
        json.dumps(r.as_dict(), allow_nan=False)


def test_euler_orders(results: dict) -> None:
    ev = results["ode.euler"].evidence
    assert ev["local_order"] == 2
    # oracle: gamma^2/2 L'(1) L''(1) with L = theta^4/4 + theta^2/2: L'(1) = 2, L''(1) = 4
    assert ev["derived_coefficient_of_gamma^2"] == 4
    # h from 0.04 to 0.005: the O(h^3) term moves the fitted local order by a few percent
    assert ev["fitted_local_order"] == pytest.approx(2, abs=0.1)
    assert ev["error_over_gamma^2"][-1] == pytest.approx(4, rel=0.05)
    assert ev["fitted_global_order"] == pytest.approx(1, abs=0.1)


def test_error_control_moves_fixed_length(results: dict) -> None:
    ev = results["ode.error-control"].evidence
    assert ev["derived_update"] == "-gamma_tilde*sign(g) + theta"
    # subtraction of 0.1 from numbers below 5: exact to an ulp of 5
    assert ev["quartic_moves"] == pytest.approx([0.1] * 10, abs=1e-14)
    # flow time of the first step: gamma~/|L'(2)| = 0.1/10
    assert ev["quartic_flow_time_advances"][0] == pytest.approx(0.01, rel=1e-15)


def test_rmsprop_is_the_smoothed_scheme(results: dict) -> None:
    ev = results["ode.rmsprop"].evidence
    assert ev["difference_seed_minus_textbook"] == ["0", "0"]
    assert ev["max_gap_seed_eq15_vs_rmsprop"] < 1e-14


def test_scalar_vs_vector(results: dict) -> None:
    ev = results["ode.scalar-vs-vector"].evidence
    assert ev["scalar_minors"] == ["0"]
    # oracle: lambda = 1/2, G = 0: step_i = -g_i / sqrt(g_i^2 / 2) = -sqrt(2) sign(g_i)
    assert ev["counterexample_gradient"] == [1, 2]
    assert ev["counterexample_step"] == ["-sqrt(2)", "-sqrt(2)"]
    # first RMSProp step from (-5, -2): direction (1, 1) against -g = (1, 8):
    # atan(8) - 45 degrees, up to the eps = 1e-6 inside the root
    assert ev["first_angle_deg_eq15_rmsprop"] == pytest.approx(math.degrees(math.atan(8)) - 45, abs=1e-3)
    assert ev["max_angle_deg_eq14"] < 1e-10
