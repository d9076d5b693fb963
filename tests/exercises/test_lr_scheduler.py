"""Answers of the section "Learning Rate Scheduling" (optheory/exercises/lr_scheduler.py)."""

from __future__ import annotations

import numpy as np
import pytest

from optheory.exercises.lr_scheduler import expected_final_loss, schedules
from tests.exercises._cache import solved


def test_expected_final_loss_constant_rate() -> None:
    lam, x0, eta, T = np.array([0.1, 1.0]), 5.0, 0.5, 400
    q = (1 - eta * lam) ** 2
    # oracle: E x_T^2 = q^T x0^2 + eta^2 (1 - q^T) / (1 - q)
    second = q**T * x0**2 + eta**2 * (1 - q**T) / (1 - q)
    assert expected_final_loss(lambda t: eta, T) == pytest.approx(
        float(0.5 * np.sum(lam * second)), rel=1e-10)


def test_schedule_shapes() -> None:
    s = schedules(100)
    assert s["cosine"](100) == pytest.approx(0.0, abs=1e-15) and s["cosine"](50) == 0.5
    assert s["step (/10 at 50% and 75%)"](80) == pytest.approx(0.01)
    assert s["polynomial, p = 1"](25) == 0.75


def test_l1_fixed_rate() -> None:
    n = solved("lr-scheduler", 1).numbers
    best = min(n["by_eta"], key=lambda r: r["excess_last_epoch_mean"])
    assert n["best_eta"] == best["eta"] not in (0.003, 0.3)  # interior optimum
    assert all(r["excess_final"] > 0 for r in n["by_eta"])


def test_l2_polynomial() -> None:
    n = solved("lr-scheduler", 2).numbers
    for key in ("noisy_quadratic", "regression"):
        values = n[key]
        assert max(values, key=values.__getitem__) == "0.0"  # the constant rate is worst
        assert values["2.0"] < values["0.5"]


def test_l3_cosine() -> None:
    n = solved("lr-scheduler", 3).numbers
    for key in ("ranking_quadratic", "ranking_regression"):
        assert n[key][-1] == "constant"
        assert n[key].index("cosine") <= 2


def test_l4_warmup() -> None:
    n = solved("lr-scheduler", 4).numbers
    assert n["stability_limit"] == 2  # 2 / f''(0)
    rows = n["targets"]
    assert not any(r["no_warmup_converges"] for r in rows)
    w = [r["minimal_warmup"] for r in rows]
    assert all(v is not None for v in w) and w == sorted(w)
    assert all(r["all_longer_warmups_converge"] for r in rows)


def test_l5_langevin() -> None:
    n = solved("lr-scheduler", 5).numbers
    assert n["noise_coefficient"] == "2*T" and n["sgd_temperature"] == "eta*sigma**2/2"
    for run in n["runs"]:
        # 1000 chains averaged over >= 4 relaxation times of the slow mode: the variance's
        # relative standard error is ~1-2%; 6% is > 3 standard errors
        assert run["measured_variance"] == pytest.approx(run["discrete_exact_variance"],
                                                         rel=0.06)
        assert run["kurtosis"] == pytest.approx([3.0, 3.0], abs=0.2)  # Gaussian
    small = n["runs"][-1]
    assert small["discrete_exact_variance"] == pytest.approx(small["gibbs_variance"], rel=0.03)
