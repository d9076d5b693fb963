"""Answers on the chapter's own data set (``data_path``), checked against an independent
least-squares fit of the file."""

from __future__ import annotations

import os

import numpy as np
import pytest

from optheory.exercises import answer
from tests.conftest import DATA_PATH

pytestmark = pytest.mark.skipif(not os.path.isfile(DATA_PATH),
                                reason="airfoil_self_noise.dat is not present")


@pytest.fixture(scope="module")
def min_loss() -> float:
    # oracle: the textbook's preprocessing (standardise all 1503 rows, keep 1500) and a
    # least-squares fit with numpy, independent of the package
    raw = np.loadtxt(DATA_PATH)
    raw = (raw - raw.mean(axis=0)) / raw.std(axis=0)
    A = np.column_stack([raw[:1500, :5], np.ones(1500)])
    y = raw[:1500, 5]
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    return float(0.5 * np.mean((A @ theta - y) ** 2))


def test_minibatch_answer_uses_the_file(min_loss: float) -> None:
    result = answer("minibatch-sgd", 1, figures=False, data_path=DATA_PATH)
    assert result.numbers["data"] == "airfoil" and result.note is None
    # the textbook reads float32: the minimum agrees to float32 precision of the inputs
    assert result.numbers["min_loss"] == pytest.approx(min_loss, rel=1e-5)
    best = result.numbers["best"]["loss_epoch2"]
    assert min_loss <= best < min_loss + 0.01
    assert "airfoil self-noise" in result.answer


def test_replacement_answer_on_the_file(min_loss: float) -> None:
    n = answer("sgd", 3, figures=False, data_path=DATA_PATH).numbers
    assert n["data"] == "airfoil" and n["min_loss"] == pytest.approx(min_loss, rel=1e-5)
    assert n["by_eta"][0]["ratio"] > 1.5


def test_unreadable_data_path() -> None:
    with pytest.raises(ValueError):
        answer("minibatch-sgd", 1, figures=False, data_path=DATA_PATH + ".missing")
