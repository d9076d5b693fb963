"""Answers of the section "Adam" (optheory/exercises/adam.py)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from optheory.exercises.adam import beta_schedule, derived_beta_schedule, online_adam, online_yogi
from tests.exercises._cache import solved


def test_a1_learning_rates() -> None:
    n = solved("adam", 1).numbers
    reg = {r["eta"]: r["excess_loss"] for r in n["regression"]}
    best = min(reg, key=reg.__getitem__)
    assert best not in (min(reg), max(reg))  # the trade-off has an interior optimum here
    assert n["quadratic"][0]["after_100"] > 4  # eta = 0.01 moves at most ~1 in 100 steps


def test_beta_schedule() -> None:
    beta, t = sp.symbols("beta t", positive=True)
    derived, _, _ = derived_beta_schedule()
    # oracle: beta_t = beta (1 - beta^(t-1)) / (1 - beta^t)
    assert sp.simplify(derived - beta * (1 - beta ** (t - 1)) / (1 - beta**t)) == 0
    assert beta_schedule(0.9, 1) == 0.0
    assert beta_schedule(0.9, 2) == pytest.approx(0.9 * 0.1 / 0.19, rel=1e-14)
    assert beta_schedule(0.999, 1000) == pytest.approx(0.999 * (1 - 0.999**999) / (1 - 0.999**1000),
                                                      rel=1e-12)
    assert beta_schedule(sp.Rational(9, 10), 2) == sp.Rational(9, 19)


def test_a2_time_varying_betas() -> None:
    n = solved("adam", 2).numbers
    assert n["symbolic_residual"] == "0" and n["beta_1"] == 0
    assert n["max_relative_difference"] < 1e-12  # two exact rewrites, rounding only


def test_a3_floor_scales_with_eta() -> None:
    n = solved("adam", 3).numbers
    assert n["loglog_slope"] == pytest.approx(1.0, abs=0.15)
    for row in n["table"][:2]:
        # the linearisation replaces s_hat by sigma^2 (neglecting lambda^2 E x^2 ~ 0.5% and
        # the ~4% fluctuation of a 1000-step average): 10% covers it at the two small rates
        assert row["measured_variance"] == pytest.approx(row["linearised_variance"], rel=0.1)


def test_a4_adam_fails_yogi_converges() -> None:
    n = solved("adam", 4).numbers
    assert n["adam_failures"] == 3 and n["yogi_all_converge"] is True
    for r in n["runs"]:
        if r["beta2"] < 0.5:
            assert r["adam_final_mean"] > 0.9 and r["yogi_final_mean"] < -0.9
    b1, b2 = 0.9, 0.999  # oracle of the Cauchy-Schwarz bound
    assert n["step_bound_default_betas"] == pytest.approx(
        (1 - b1) * np.sqrt(b2 / ((1 - b2) * (b2 - b1**2))), rel=1e-12)


def test_online_adam_with_a_chosen_beta2_follows_the_update_by_hand() -> None:
    # oracle: the paper's Adam (beta1 = 0, step alpha/sqrt(t), projection onto [-1, 1]) written
    # out for three steps with gradients C, -1, -1 and beta2 = 0.3
    C, alpha, b2 = 3.0, 0.5, 0.3
    x, v, expected = 0.0, 0.0, [0.0]
    for t, g in enumerate((C, -1.0, -1.0), start=1):
        v = b2 * v + (1 - b2) * g * g
        x = min(1.0, max(-1.0, x - alpha / np.sqrt(t) * g / np.sqrt(v)))
        expected.append(x)
    np.testing.assert_allclose(online_adam(C, steps=3, alpha=alpha, beta2=b2), expected,
                               rtol=1e-15, atol=0)
    assert online_yogi(3.0, steps=3000)[-1] < -0.9
