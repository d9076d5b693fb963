"""Small helpers shared by the answers (_common.py)."""

from __future__ import annotations

import numpy as np
import sympy as sp

from optheory.exercises._common import (
    NoisyProblem,
    count_text,
    first_below,
    fmt,
    latex_eq,
    limit_in_unit_interval,
    rotation45,
)
from optheory.numeric.problems import EigenQuadratic


def test_first_below_and_text() -> None:
    assert first_below([3.0, np.nan, 0.5, 0.1], 1.0) == 2
    assert first_below([3.0, np.nan], 1.0) is None
    assert count_text(None) == "never" and count_text(12) == "12"
    assert fmt(float("inf")) == "diverged" and fmt(None) == "never" and fmt(0.12345) == "0.123"


def test_latex_eq_prints_lam_as_lambda() -> None:
    lam = sp.Symbol("lam", positive=True)
    assert latex_eq("x", 2 * lam) == r"x = 2 \lambda"
    assert r"\lambda" in latex_eq("R", sp.Matrix([[lam]]))


def test_limit_in_unit_interval() -> None:
    b, t = sp.symbols("beta t", positive=True)
    assert limit_in_unit_interval(1 - b**t, b, t) == 1
    assert sp.simplify(limit_in_unit_interval(b * (1 - b ** (t - 1)) / (1 - b**t), b, t) - b) == 0


def test_rotation45_is_orthogonal() -> None:
    R = rotation45()
    assert np.allclose(R @ R.T, np.eye(2), atol=1e-15) and np.isclose(np.linalg.det(R), 1)


def test_noisy_problem_is_reproducible_and_unbiased() -> None:
    base = EigenQuadratic([2.0, 4.0])
    x = np.tile([1.0, -1.0], (20000, 1))
    g1 = NoisyProblem(base, 0.5, seed=4).grad(x)
    g2 = NoisyProblem(base, 0.5, seed=4).grad(x)
    assert np.array_equal(g1, g2)
    noise = g1 - base.grad(x)
    # 20000 draws: the mean has se 0.5/sqrt(20000) = 0.0035 (5 se = 0.018); the sd 0.5
    # has se 0.5/sqrt(40000) = 0.0025 (5 se = 0.013)
    assert np.all(np.abs(noise.mean(axis=0)) < 0.018)
    assert np.all(np.abs(noise.std(axis=0) - 0.5) < 0.013)
    assert NoisyProblem(base, 0.5, seed=4).f(np.array([1.0, 1.0])) == base.f(np.array([1.0, 1.0]))
