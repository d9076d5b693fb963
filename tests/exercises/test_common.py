"""Small helpers shared by the answers (_common.py)."""

from __future__ import annotations

import numpy as np
import sympy as sp

from optheory.exercises._common import (
    count_text,
    first_below,
    fmt,
    latex_eq,
    limit_in_unit_interval,
    rotation45,
)


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
