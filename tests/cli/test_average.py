"""``optheory average``: the window of a leaky average, derived, with oracles and a witness."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.cli._helpers import run_error, run_json


@pytest.mark.parametrize("beta", ["0.9", "0.99", "1/2"])
def test_oracles(beta: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, ["average", beta, "--t", "10"])
    b = out["beta"]["decimal"]
    # oracles (closed forms known from the literature, never used by the code)
    assert out["total_weight"]["decimal"] == pytest.approx(1 / (1 - b), rel=1e-14)
    assert out["effective_sample_size"]["decimal"] == pytest.approx((1 + b) / (1 - b), rel=1e-14)
    assert out["half_life"]["decimal"] == pytest.approx(math.log(0.5) / math.log(b), rel=1e-14)
    assert out["mean_lag"]["decimal"] == pytest.approx(b / (1 - b), rel=1e-14)
    assert out["bias_correction"]["decimal"] == pytest.approx(1 / (1 - b**10), rel=1e-14)


def test_exact_values_and_numeric_witness(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, ["average", "0.9", "--t", "10"])
    assert out["beta"]["exact"] == "9/10"
    assert out["total_weight"]["exact"] == "10"
    assert out["effective_sample_size"]["exact"] == "19"
    assert out["mean_lag"]["exact"] == "9"
    assert out["bias_correction"]["exact"] == "10000000000/6513215599"
    # witness: run the recurrence v_t = b v_(t-1) + (1-b) g_t on an impulse and on noise
    b, n = 0.9, 2000
    w = (1 - b) * b ** np.arange(n)  # impulse response, measured by iterating
    v, measured = 0.0, []
    for t in range(n):
        v = b * v + (1 - b) * (1.0 if t == 0 else 0.0)
        measured.append(v)
    np.testing.assert_allclose(measured, w, rtol=1e-12)
    # truncating at 2000 terms leaves b^2000 ~ 1e-92 of the mass: sums agree to rounding
    assert np.sum(np.arange(n) * w) == pytest.approx(out["mean_lag"]["decimal"], rel=1e-12)
    assert w.sum() ** 2 / (w**2).sum() == pytest.approx(out["effective_sample_size"]["decimal"], rel=1e-12)
    v = 0.0
    for _ in range(10):  # Adam's correction: a constant input 1 averaged for 10 steps
        v = b * v + (1 - b) * 1.0
    assert v * out["bias_correction"]["decimal"] == pytest.approx(1.0, rel=1e-14)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["average", "1"], "BETA must lie in (0, 1)"),
        (["average", "0"], "BETA must lie in (0, 1)"),
        (["average", "abc"], "BETA"),
        (["average", "0.9", "--t", "0"], "--t must be an integer"),
        (["average", "0.9", "--t", "2.5"], "--t must be an integer"),
        (["average", "0.9", "--t", "10000"], "--t must be an integer"),
    ],
)
def test_bad_input(argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert fragment in run_error(capsys, argv)
