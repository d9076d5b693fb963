"""Leaky-average claims (RMSProp, Adam, Adadelta): computed verdicts and their numbers."""

from __future__ import annotations

import json
import math

import pytest

from optheory.verification import verify
from tests.conftest import require_torch

IDS = [
    "rmsprop.expansion",
    "rmsprop.weights-sum",
    "rmsprop.half-life",
    "rmsprop.window",
    "adam.weights-sum",
    "adam.bias-correction",
    "adam.example",
    "adadelta.half-life",
]

#: oracle: the half-life of weights gamma^i for gamma = 0.9
HALF_LIFE_09 = math.log(2) / math.log(1 / 0.9)


@pytest.fixture(scope="module")
def results() -> dict:
    out = {r.id: r for r in verify(IDS)}
    for r in out.values():
        assert r.error is None, f"{r.id}: {r.error}"
    return out


def test_evidence_is_strict_json(results: dict) -> None:
    for r in results.values():
        json.dumps(r.as_dict(), allow_nan=False)


def test_expansion_typo_refuted(results: dict) -> None:
    r = results["rmsprop.expansion"]
    assert r.verdict == "refuted"
    # the corrected series is printed from the derived weights (1 - gamma) gamma^i
    assert r.corrected is not None and r"\gamma^{2} g_{t-2}^{2}" in r.corrected
    assert r.corrected.startswith(r"s_t = \left(1 - \gamma\right)")
    # oracle with gradients (2, 0, 0), gamma = 0.9: (1 - 0.9) 0.81 * 4 vs (1 - 0.9) 0.81 * 2
    assert r.evidence["derived_value"] == "81/250"
    assert r.evidence["stated_value"] == "81/500"
    # three multiply-adds in float64
    assert r.evidence["own_rmsprop_s_3"] == pytest.approx(0.324, abs=1e-15)


def test_expansion_torch_state(results: dict) -> None:
    require_torch()
    assert results["rmsprop.expansion"].evidence["torch_square_avg_3"] == pytest.approx(0.324, abs=1e-15)


def test_weights_sum_holds(results: dict) -> None:
    r = results["rmsprop.weights-sum"]
    assert r.verdict == "holds"
    assert r.evidence["weights_sum_all"] == 1
    # oracle: a unit squared gradient gives s_t = 1 - 0.9^t
    assert r.evidence["constant_unit_gradient_s_1_to_5"]["own"] == pytest.approx(
        [1 - 0.9**t for t in range(1, 6)], abs=1e-14)
    # the check compares the runs with the derived 1 - gamma^t itself (a few ulps)
    assert r.evidence["max_error"] < 1e-12


def test_half_life_refuted(results: dict) -> None:
    r = results["rmsprop.half-life"]
    assert r.verdict == "refuted" and r.corrected
    assert r.evidence["derived_value"] == pytest.approx(HALF_LIFE_09, rel=1e-14)
    assert r.evidence["stated_value"] == pytest.approx(1 / 0.9, rel=1e-15)
    # the impulse response of s: weight ratio 0.9^k, first at or below 1/2 at k = 7
    assert r.evidence["measured_first_lag_at_or_below_half"]["own"] == 7
    assert r.evidence["measured_half_life"]["own"] == pytest.approx(HALF_LIFE_09, rel=1e-12)
    assert r.evidence["weight_ratio_at_lag_2"] == pytest.approx(0.81, abs=1e-14)


def test_half_life_torch(results: dict) -> None:
    require_torch()
    r = results["rmsprop.half-life"]
    assert r.evidence["measured_first_lag_at_or_below_half"]["torch"] == 7
    assert r.evidence["measured_half_life"]["torch"] == pytest.approx(HALF_LIFE_09, rel=1e-12)


def test_window_is_total_weight(results: dict) -> None:
    r = results["rmsprop.window"]
    assert r.verdict == "conditional" and r.corrected
    assert r.evidence["total_weight_sum_gamma_i"] == 10
    # oracle: the last 10 weights sum to 1 - 0.9^10; mean lag gamma/(1-gamma) = 9
    assert float(eval_fraction(r.evidence["weight_share_of_last_10"])) == pytest.approx(1 - 0.9**10)
    assert r.evidence["mean_lag"] == 9
    assert r.evidence["uniform_window_with_same_mean_lag"] == 19
    assert r.evidence["s_after_10_unit_gradients"]["own"] == pytest.approx(1 - 0.9**10, abs=1e-14)
    assert r.evidence["s_10_steps_after_10_unit_gradients"]["own"] == pytest.approx(
        0.9**10 * (1 - 0.9**10), abs=1e-14)
    # oracle: lags 10..19 carry 0.9^10 (1 - 0.9^10) of the weight
    assert eval_fraction(r.evidence["weight_share_of_the_10_before"]) == pytest.approx(
        0.9**10 * (1 - 0.9**10), rel=1e-14)


def eval_fraction(text: str) -> float:
    p, q = text.split("/")
    return int(p) / int(q)


def test_adam_weights_and_example_hold(results: dict) -> None:
    r = results["adam.weights-sum"]
    assert r.verdict == "holds"
    assert r.evidence["derived_weight_sum"] == "1 - beta**t"
    assert r.evidence["coefficients_match_t_1_to_6"]
    ex = results["adam.example"]
    assert ex.verdict == "holds"
    assert ex.evidence["derived_coefficient"] == "1/10"
    assert ex.evidence["first_moment_after_step_1"]["own"] == pytest.approx(0.7, abs=1e-15)


def test_adam_torch_moments(results: dict) -> None:
    require_torch()
    m = results["adam.weights-sum"].evidence["unit_gradient_first_moment_1_to_8"]["torch"]
    assert m == pytest.approx([1 - 0.9**t for t in range(1, 9)], abs=1e-14)
    assert results["adam.example"].evidence["first_moment_after_step_1"]["torch"] == (
        pytest.approx(0.7, abs=1e-15))


def test_bias_correction_holds(results: dict) -> None:
    r = results["adam.bias-correction"]
    assert r.verdict == "holds"
    assert r.evidence["correction_times_weight_sum"] == "1"
    # oracle: step = eta c/(c + eps) with c = 3, eps = 1e-8; uncorrected first step 0.1/sqrt(0.001)
    assert r.evidence["predicted_step_over_eta"] == pytest.approx(3 / (3 + 1e-8), rel=1e-15)
    assert r.evidence["uncorrected_first_step_over_eta"] == pytest.approx(0.1 / math.sqrt(0.001))
    assert r.evidence["max_error"] < 1e-12


def test_adadelta_half_life_refuted(results: dict) -> None:
    r = results["adadelta.half-life"]
    assert r.verdict == "refuted" and r.corrected
    assert r.evidence["derived_value"] == pytest.approx(HALF_LIFE_09, rel=1e-14)
    assert r.evidence["total_weight_1_over_1_minus_rho"] == 10
    # oracle: after 10 steps an observation keeps rho^10 of its weight
    assert r.evidence["weight_ratio_at_lag_10"] == pytest.approx(0.9**10, abs=1e-14)
    assert r.evidence["measured_first_lag_at_or_below_half"]["own"] == 7


def test_half_life_mismatch_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # a wrong derivation (ln 3 instead of ln 2) must be caught by the impulse-response witness
    import sympy as sp

    from optheory.verification.claims import leaky

    monkeypatch.setattr(leaky, "half_life", lambda b: -sp.log(3) / sp.log(b))
    (r,) = verify(["adadelta.half-life"])
    assert r.verdict == "error"
    assert r.error is not None and "witness disagrees with the derivation" in r.error
