"""Reddi, Kale & Kumar's counterexample: Adam goes to +1, AMSGrad to the optimum -1."""

from __future__ import annotations

import numpy as np
import pytest

from optheory.numeric.reddi import reddi_gradient, run_reddi


@pytest.mark.parametrize("C", [3.0, 5.0, 10.0])
def test_adam_worst_point_amsgrad_optimum(C: float) -> None:
    adam = run_reddi("adam", C, steps=3000)
    ams = run_reddi("amsgrad", C, steps=3000)
    # mean over the last 30 cycles of 3 steps
    assert np.mean(adam.x[-90:]) > 0.9
    assert np.mean(ams.x[-90:]) < -0.9
    # The average loss gap of sitting at +1 instead of -1 is 2 (C - 2) / 3 per step:
    # Adam's average regret approaches it, AMSGrad's goes to 0 (sublinear regret).
    assert adam.average_regret[-1] == pytest.approx(2 * (C - 2) / 3, rel=0.1)
    assert ams.average_regret[-1] < 0.05 * adam.average_regret[-1]


def test_gradient_sequence() -> None:
    assert [reddi_gradient(t, 4.0) for t in range(1, 7)] == [4.0, -1.0, -1.0, 4.0, -1.0, -1.0]


def test_first_steps_by_hand() -> None:
    # t=1: g=C, v = (1-b2) C^2, step alpha*C/sqrt(v) = alpha/sqrt(1-b2) downward.
    C, alpha = 3.0, 0.5
    b2 = 1 / (1 + C * C)
    run = run_reddi("adam", C, steps=1, alpha=alpha)
    assert run.x[1] == pytest.approx(max(-1.0, -alpha / np.sqrt(1 - b2)), rel=1e-15)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "sgd", "C": 3.0}, "unknown method"),
        ({"method": "adam", "C": 2.0}, "C must be > 2"),
        ({"method": "adam", "C": float("nan")}, "finite"),
        ({"method": "adam", "C": 3.0, "steps": 0}, "steps"),
        ({"method": "adam", "C": 3.0, "x0": 2.0}, "x0"),
        ({"method": "adam", "C": 3.0, "beta2": 1.0}, "beta2"),
        ({"method": "adam", "C": 3.0, "beta2": float("nan")}, "beta2"),
    ],
)
def test_bad_input(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run_reddi(**kwargs)
