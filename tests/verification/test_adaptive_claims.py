"""AdaGrad / RMSProp / Adadelta / Adam claims (textbook; seeds 002 and 003): computed verdicts."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from optheory.verification import verify
from optheory.verification.claims import adaptive
from tests.conftest import require_torch

OWN = [
    "adagrad.orthogonal",
    "adagrad.precondition-diagonal",
    "adagrad.rate",
    "adagrad.to-zero",
    "seed003.adagrad-no-tuning",
    "seed003.time-decay",
    "textbook.rmsprop-eps",
    "textbook.adadelta-no-lr",
]
TORCH = [
    "adagrad.eps",
    "seed003.rmsprop-form",
    "seed003.torch-default",
    "adam.combination",
    "seed002.scratch-vs-torch",
]


@pytest.fixture(scope="module")
def results() -> dict:
    out = {r.id: r for r in verify(OWN)}
    for r in out.values():
        assert r.error is None, f"{r.id}: {r.error}"
    return out


@pytest.fixture(scope="module")
def torch_results() -> dict:
    require_torch()
    out = {r.id: r for r in verify(TORCH)}
    for r in out.values():
        assert r.error is None, f"{r.id}: {r.error}"
    return out


def test_evidence_is_strict_json(results: dict) -> None:
    for r in results.values():
        json.dumps(r.as_dict(), allow_nan=False)


def test_orthogonal_holds(results: dict) -> None:
    r = results["adagrad.orthogonal"]
    assert r.verdict == "holds"
    assert r.evidence["cayley_rotation"]["squared_norm_difference"] == "0"
    assert r.evidence["householder_reflection"]["squared_norm_difference"] == "0"
    # norms of O(1) vectors after a 6x6 float64 product: ~1e-15
    assert r.evidence["max_numeric_gap"] < 1e-12


def test_preconditioning_conditional(results: dict) -> None:
    r = results["adagrad.precondition-diagonal"]
    assert r.verdict == "conditional" and r.corrected
    assert r.evidence["unit_diagonal"] and r.evidence["diagonal_Q_gives_identity"]
    # the counterexample is real: recompute both condition numbers here
    Q = np.array(r.evidence["counterexample_Q"])
    d = 1 / np.sqrt(np.diag(Q))
    P = Q * d[:, None] * d[None, :]
    assert np.allclose(np.diag(P), 1.0, atol=1e-15)
    kq, kp = np.linalg.cond(Q), np.linalg.cond(P)
    assert kp > kq
    assert kq == pytest.approx(r.evidence["counterexample_kappa_Q"], rel=1e-9)
    stats = r.evidence["ensembles_5x5_1000_each"]
    assert stats["scaled_correlation"]["improved_fraction"] == 1.0
    assert stats["scaled_correlation"]["median_improvement_factor"] > 100
    assert stats["rotated_spectrum_1_to_100"]["improved_fraction"] < 1.0


def test_rate_only_with_noise(results: dict) -> None:
    r = results["adagrad.rate"]
    assert r.verdict == "conditional" and r.corrected
    assert r.evidence["exponent_with_noise"] == "-1/2"
    assert r.evidence["exponent_deterministic"] == 0
    # deterministic: s_t has converged long before t = 1000 (tail below 1e-12)
    assert r.evidence["rate_ratio_t_over_t_quarter_deterministic"] == pytest.approx([1.0, 1.0], abs=1e-9)
    # noisy: 4^(-1/2) = 0.5 up to the transient s_1000 / (sigma^2 t) (<= 0.06 here)
    assert r.evidence["rate_ratio_t_over_t_quarter_noisy"] == pytest.approx([0.5, 0.5], abs=0.1)


def test_to_zero_refuted(results: dict) -> None:
    r = results["adagrad.to-zero"]
    assert r.verdict == "refuted" and r.corrected
    s1 = r.evidence["accumulator_limit"][0]
    # oracle: contraction 1 - eta lam / sqrt(s + eps) with eta = 0.4, lam = 0.2, eps = 1e-6
    assert r.evidence["measured_x1_factor_last_step"] == pytest.approx(
        1 - 0.4 * 0.2 / math.sqrt(s1 + 1e-6), abs=1e-12)
    losses = r.evidence["loss_at_100_1000_3000"]
    assert losses[0] > 1e3 * losses[1] > 1e3 * 1e3 * losses[2]
    assert r.evidence["noisy_keeps_improving"]


def test_to_zero_torch_adagrad(results: dict) -> None:
    require_torch()
    # torch.optim.Adagrad (eps 1e-10 outside the root) also drives the loss to ~1e-56
    assert results["adagrad.to-zero"].evidence["torch_adagrad_loss_3000"] < 1e-40


def test_no_tuning_conditional(results: dict) -> None:
    r = results["seed003.adagrad-no-tuning"]
    assert r.verdict == "conditional" and r.corrected
    assert r.evidence["scale_invariant"]
    assert r.evidence["d_iterates_d_lambda_first_3_steps"] == ["0", "0", "0"]
    # eps = 0: f -> 100 f leaves the iterates unchanged, so the loss scales by exactly 100
    # (up to rounding in 100 steps)
    assert r.evidence["loss_ratio_100x_over_1x"] == pytest.approx([100.0] * 6, rel=1e-9)
    assert r.evidence["orders_of_magnitude_across_eta"] > 10


def test_time_decay_sign_refuted(results: dict) -> None:
    r = results["seed003.time-decay"]
    assert r.verdict == "refuted"
    assert r.corrected == r"w_{t+1} = w_t - \frac{\eta}{t} \nabla g"
    # oracle: x_20 = prod (1 + 0.5/t) on x^2/2 from 1
    x = math.prod(1 + 0.5 / t for t in range(1, 21))
    assert r.evidence["f_after_20_seed_rule"] == pytest.approx(0.5 * x * x, rel=1e-12)


def test_rmsprop_eps_conditional(results: dict) -> None:
    r = results["textbook.rmsprop-eps"]
    assert r.verdict == "conditional" and r.corrected
    assert r.evidence["step_decreases_in_s_and_eps"]
    assert r.evidence["step_bounded_without_eps"] and r.evidence["bound_attained_at_s_0_eps_0"]
    assert r.evidence["max_step_any_eps"] == "eta/sqrt(1 - gamma)"
    # oracle: with s = 0 the step is eta/sqrt(1 - gamma) = 0.4/sqrt(0.1) for any g
    assert r.evidence["bound_value"] == pytest.approx(0.4 / math.sqrt(0.1), rel=1e-15)
    # the measured first steps are compared with the bound inside the check; a few ulps here
    assert r.evidence["first_step_eps_0"] == pytest.approx([0.4 / math.sqrt(0.1)] * 2, rel=1e-14)
    # no step of 200 exceeds the supremum (rounding allowance 1e-12 relative)
    assert max(r.evidence["longest_step_200_steps"].values()) <= 0.4 / math.sqrt(0.1) * (1 + 1e-12)
    assert r.evidence["zero_over_zero_at_g_s_eps_0"]
    assert r.evidence["zero_gradient_coordinate_eps_0"][1] == "nan"
    assert r.evidence["zero_gradient_coordinate_eps_textbook"][1] == 0.0
    # the textbook's eps comes from the own RMSProp's default (conventions.md: 1e-6 inside the root)
    assert r.evidence["textbook_eps"] == 1e-6
    assert r"\frac{\eta}{\sqrt{1 - \gamma}}" in r.corrected and "10^{-6}" in r.corrected


def test_rmsprop_eps_reads_torch_default(results: dict) -> None:
    require_torch()
    r = results["textbook.rmsprop-eps"]
    assert r.evidence["torch_rmsprop_default_eps"] == 1e-8
    assert "10^{-8}" in r.corrected


def test_rmsprop_eps_without_torch_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(adaptive, "torch_available", lambda: False)
    (r,) = verify(["textbook.rmsprop-eps"])
    assert r.verdict == "conditional", r.error
    assert r.corrected is not None
    assert r.evidence["torch_rmsprop_default_eps"] == "torch not installed"
    assert "not installed" in r.corrected and "10^{-8}" not in r.corrected


def test_adadelta_eps_acts_as_rate(results: dict) -> None:
    r = results["textbook.adadelta-no-lr"]
    assert r.verdict == "conditional" and r.corrected
    assert "eta" not in r.evidence["textbook_hyperparameters"]
    assert r.evidence["d_first_step_d_eps"] != "0"
    # oracle: first step sqrt(eps) g / sqrt(0.1 g^2 + eps) with |g1| = 1
    expected = [math.sqrt(e) / math.sqrt(0.1 + e) for e in r.evidence["eps"]]
    assert r.evidence["first_step_x1"] == pytest.approx(expected, rel=1e-12)
    assert r.evidence["predicted_first_step_x1"] == pytest.approx(expected, rel=1e-12)
    # the check compares them itself: a difference of iterates of size 5, an ulp of 5 ~ 9e-16
    assert r.evidence["max_gap"] < 1e-14
    assert r.evidence["first_step_large_gradient_limit"] == "sqrt(epsilon)/sqrt(1 - rho)"
    assert r"\frac{\sqrt{\epsilon}}{\sqrt{1 - \rho}}" in r.corrected


def test_witness_mismatch_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # a run that disagrees with the derivation must not become a verdict about the textbook
    real_run = adaptive.run

    def shifted_run(*args: Any, **kwargs: Any) -> SimpleNamespace:
        traj = real_run(*args, **kwargs)
        x = traj.x.copy()
        x[1:] += 1e-9  # far above the 1e-14 the check allows, far below the step sizes
        return SimpleNamespace(x=x, loss=traj.loss)

    monkeypatch.setattr(adaptive, "run", shifted_run)
    (r,) = verify(["textbook.adadelta-no-lr"])
    assert r.verdict == "error"
    assert r.error is not None and "witness disagrees with the derivation" in r.error


def test_adagrad_eps_refuted(torch_results: dict) -> None:
    r = torch_results["adagrad.eps"]
    assert r.verdict == "refuted" and r.corrected
    assert r.evidence["torch_defaults"]["Adagrad"] == 1e-10
    assert r.evidence["textbook_adagrad_eps_inside_root"] == 1e-6
    assert "10^{-10}" in r.corrected and "10^{-6}" in r.corrected
    assert "RMSprop and Adam" in r.corrected


def test_seed003_rmsprop_form_refuted(torch_results: dict) -> None:
    r = torch_results["seed003.rmsprop-form"]
    assert r.verdict == "refuted" and r.corrected
    # oracle: sigma^2 -> q + eps/(1 - alpha) = q + 100 eps for alpha = 0.99
    assert r.evidence["seed_denominator_limit_alpha_0.99"] == "sqrt(100*epsilon + q)"
    assert r.evidence["equal_when_eps_is_0"]
    assert r.evidence["denominators_differ_for_eps_positive"]
    assert r.evidence["compared_with"] == "torch.optim.RMSprop"
    # the runs differ from the first step on by more than rounding can explain, well inside
    # the rounding horizon of this (rounding-amplifying) torch run
    ev = r.evidence
    assert ev["first_step_beyond_rounding"] == 1 < ev["rounding_horizon"]
    assert ev["gap_at_first_step_beyond_rounding"] > 100 * ev["rounding_allowance_there"]


def test_torch_default_alpha_holds(torch_results: dict) -> None:
    r = torch_results["seed003.torch-default"]
    assert r.verdict == "holds"
    assert r.evidence["signature_default"] == 0.99
    assert r.evidence["derived_weight_of_newest_gradient"] == "1/100"
    assert r.evidence["square_avg_after_unit_gradient"] == pytest.approx(0.01, abs=1e-15)
    assert r.evidence["half_life_steps"] == pytest.approx(math.log(2) / math.log(1 / 0.99), rel=1e-12)


def test_adam_combination_conditional(torch_results: dict) -> None:
    r = torch_results["adam.combination"]
    assert r.verdict == "conditional" and r.corrected
    assert r.evidence["witness"] == "torch.optim"
    match = r.evidence["rmsprop_parameters_matching_adam_beta1_0"]
    assert match == {"lr": "sqrt(c2)*eta", "epsilon_r": "sqrt(c2)*epsilon"}
    assert r.evidence["without_bias_correction"] == {"lr": "eta", "epsilon_r": "epsilon"}
    assert r.evidence["ema_momentum_is_heavy_ball_with_eta_times_1_minus_beta"]
    # Adam(beta1 = 0) and the scheduled RMSprop compute the same quotient: a few ulps
    assert r.evidence["gap_adam_beta1_0_vs_scheduled_rmsprop"] < 1e-12
    assert r.evidence["gap_adam_vs_rmsprop_momentum_lr_eta_1_minus_beta1"] > 0.1


def test_adam_combination_without_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(adaptive, "torch_available", lambda: False)
    (r,) = verify(["adam.combination"])
    assert r.verdict == "conditional", r.error
    assert r.evidence["witness"] == "own implementation, torch arithmetic"
    # the own torch-convention Adam and RMSprop compute the same quotient: a few ulps
    assert r.evidence["gap_adam_beta1_0_vs_scheduled_rmsprop"] < 1e-12
    assert r.evidence["gap_adam_vs_rmsprop_momentum_lr_eta_1_minus_beta1"] > 0.1


def test_adam_combination_own_witness_replays_torch(
    torch_results: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(adaptive, "torch_available", lambda: False)
    (own,) = verify(["adam.combination"])
    theirs = torch_results["adam.combination"].evidence
    # same float64 operations in the same order as torch.optim: agreement to rounding
    assert own.evidence["final_adam"] == pytest.approx(theirs["final_adam"], abs=1e-12)
    assert own.evidence["final_rmsprop_momentum"] == pytest.approx(
        theirs["final_rmsprop_momentum"], abs=1e-12)


def test_scratch_vs_torch_adam(torch_results: dict) -> None:
    r = torch_results["seed002.scratch-vs-torch"]
    assert r.verdict == "conditional" and r.corrected
    assert r.evidence["same_update_formula_for_equal_eps"]
    assert (r.evidence["scratch_eps"], r.evidence["torch_default_eps"]) == (1e-6, 1e-8)
    # equal eps: two operation orders of one quotient, rounding only
    assert r.evidence["max_gap_scratch_with_torch_eps"] < 1e-12
    assert r.evidence["max_gap_scratch_vs_torch"] > 1e-8
