"""Answers of the section "Minibatch SGD" (optheory/exercises/minibatch_sgd.py)."""

from __future__ import annotations

import math

import pytest

from optheory.exercises.minibatch_sgd import minibatch_variance
from tests.exercises._cache import solved


def test_mb1_batch_and_rate() -> None:
    n = solved("minibatch-sgd", 1).numbers
    table = {(r["batch"], r["eta"]): r for r in n["table"]}
    assert all(r["loss_epoch2"] is None or r["loss_epoch2"] >= n["min_loss"] - 1e-12
               for r in n["table"])
    # eta = 1 exceeds 2/lambda_max of the single-example loss: batch size 1 diverges
    assert table[(1, 1.0)]["loss_epoch2"] is None or table[(1, 1.0)]["loss_epoch2"] > 1e3
    # full batch is gradient descent; eta = 0.4 is below 2/lambda_max ~ 0.9 and decreases L
    assert table[(1500, 0.4)]["loss_epoch2"] < table[(1500, 0.4)]["loss_epoch1"]
    assert table[(1500, 0.4)]["steps_per_epoch"] == 1


def test_mb2_step_decay() -> None:
    n = solved("minibatch-sgd", 2).numbers
    assert n["total_rate_factor"] == "10/9"
    rows = n["by_epoch"]
    assert rows[0]["excess_decayed"] == rows[0]["excess_constant"]  # same first epoch
    assert rows[-1]["excess_decayed"] < rows[-1]["excess_constant"]


def test_mb3_with_replacement() -> None:
    rows = solved("minibatch-sgd", 3).numbers["by_eta"]
    first = rows[0]
    gap = first["excess_with"] - first["excess_without"]
    assert gap > 4 * math.hypot(first["se_with"], first["se_without"])  # 4 standard errors


def test_minibatch_variance_formula() -> None:
    var, (N, b, s2) = minibatch_variance()
    # oracle: the finite-population correction sigma^2 (N - b) / (b (N - 1))
    assert (var - s2 * (N - b) / (b * (N - 1))).simplify() == 0
    assert (var.subs({b: 1}) - s2).simplify() == 0 and var.subs({b: N}).simplify() == 0


def test_mb4_duplicated_dataset() -> None:
    n = solved("minibatch-sgd", 4).numbers
    assert n["same_mean_loss"] is True
    assert n["gd_max_difference"] < 1e-12  # the same means, summed in another order
    N, b = 1500, n["variance_batch"]
    oracle = ((2 * N - b) / (2 * N - 1)) / ((N - b) / (N - 1))
    pred, meas = n["variance_predicted"], n["variance_measured"]
    assert pred["duplicated"] / pred["original"] == pytest.approx(oracle, rel=1e-12)
    # each measured variance uses 4000 minibatch means: relative se sqrt(2/4000) ~ 2.2%
    # (per coordinate; the trace averages 6 of them); 8% is > 3.5 standard errors
    for key in ("original", "duplicated"):
        assert meas[key] == pytest.approx(pred[key], rel=0.08)
    assert n["variance_ratio_b100"] == pytest.approx(
        ((2 * N - 100) / (2 * N - 1)) / ((N - 100) / (N - 1)), rel=1e-12)
