"""Conclusions in the answers are chosen by computed conditions and carry their values."""

from __future__ import annotations

import math

import pytest

from tests.conftest import require_torch
from tests.exercises._cache import solved


def test_adagrad_4_labels_and_verdict_from_the_matrices(monkeypatch: pytest.MonkeyPatch) -> None:
    a = solved("adagrad", 4)
    rows = a.numbers["examples"]
    # the labels are printed from the matrices: the section's Hessian and the Hessian of
    # exercise 2's rotated function 0.1 (x1 + x2)^2 + 2 (x1 - x2)^2 (oracle: [[4.2, -3.8], ...])
    assert rows[0]["matrix"].startswith("diag(0.2, 4)")
    assert rows[1]["matrix"].startswith("[[4.2, -3.8], [-3.8, 4.2]]")
    # the rotated example keeps kappa: its radius and kappa are printed from the values
    assert a.numbers["unchanged_examples"] == [2]
    assert f"discs of radius {rows[1]['max_radius']}" in a.answer
    assert f"condition number {rows[1]['kappa_after']:.4g}" in a.answer
    # a different Hessian changes the label and the sentences
    from optheory.exercises import adagrad
    from optheory.numeric.problems import EigenQuadratic

    monkeypatch.setattr(adagrad, "textbook_2d", lambda: EigenQuadratic([0.5, 2.0]))
    other = adagrad.preconditioned_discs(adagrad.Context(figures=False))
    assert "diag(0.5, 2) (section's Hessian): 4 -> 1" in other.answer


def test_adam_4_sentences_follow_the_runs() -> None:
    a = solved("adam", 4)
    n = a.numbers
    assert ("exactly those with the small beta2" in a.answer) == n["adam_fails_exactly_small_beta2"]
    assert ("both methods solve this problem" in a.answer) == n["both_solve_with_common_beta2"]
    # the period's gradients are read from the problem; the displacement is derived from them
    assert n["period_gradients"] == ["C", "-1", "-1"]
    assert a.derivation[0].endswith("= \\alpha")


def test_adadelta_3_step_counts_replace_tens_of_thousands() -> None:
    a = solved("adadelta", 3)
    rows = a.numbers["by_distance"]
    assert [r["distance"] for r in rows] == [1.0, 10.0, 100.0, 1000.0]
    assert rows[-1]["steps_to_10_percent"] is not None
    assert "tens of thousands" not in a.answer
    assert f"1000: {rows[-1]['steps_to_10_percent']}" in a.answer


def test_adadelta_4_cap_and_spread_are_computed() -> None:
    a = solved("adadelta", 4)
    n = a.numbers
    # oracle: sqrt(eps / (1 - rho)) with the textbook defaults eps = 1e-5, rho = 0.9
    assert n["first_step_cap"] == pytest.approx(math.sqrt(1e-5 / 0.1), rel=1e-12)
    assert "a small factor" not in a.answer
    spread = n["final_excess_loss_spread"]
    assert (f"within a factor {spread:.2g}" in a.answer) == (spread < 10)


def test_rmsprop_1_uses_torch_optim() -> None:
    require_torch()
    a = solved("rmsprop", 1)
    assert a.numbers["torch_run"] == "torch.optim.RMSprop"
    assert "torch.optim.RMSprop with alpha = 1" in a.answer
    assert ("fails the same way" in a.answer) == (a.numbers["torch_fails"] == a.numbers["textbook_fails"])


def test_sgd_1_sampling_error_is_measured() -> None:
    a = solved("sgd", 1)
    z = max(r["max_deviation_in_standard_errors"] for r in a.numbers["schedules"].values())
    assert ("within sampling error" in a.answer) == (z < 3)
    assert z < 3  # the exact recursion does predict the curves


def test_gd_4_counts_the_gd_steps() -> None:
    a = solved("gd", 4)
    # oracle: best constant-rate GD on x1^2 + x2^2/1000 contracts by (kappa-1)/(kappa+1)
    # = 999/1001 per step; 1e-6 needs ceil(ln 1e-6 / ln(999/1001)) steps
    expected = math.ceil(math.log(1e-6) / math.log(999 / 1001))
    assert a.numbers["gd_steps_to_tolerance"] == expected
    assert f"needs {expected} steps" in a.answer and "thousands" not in a.answer


def test_lr_scheduler_4_proportion_is_measured() -> None:
    a = solved("lr-scheduler", 4)
    spread = a.numbers["warmup_per_sharpness_spread"]
    assert ("roughly in proportion" in a.answer) == (a.numbers["minimal_warmup_grows"] and spread < 1.5)
