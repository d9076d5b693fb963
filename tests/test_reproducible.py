"""Printing rules for numbers that must not depend on the CPU."""

from __future__ import annotations

import numpy as np
import pytest

from optheory.reproducible import (
    SENSITIVE_LABEL,
    ensemble_starts,
    gap_bound,
    gap_text,
    robust_text,
    robust_value,
)


def test_gap_text_prints_bounds_two_decades_below_the_tolerance():
    assert gap_bound(1e-12) == pytest.approx(1e-14)
    assert gap_bound(5e-3) == pytest.approx(1e-5)
    # rounding noise moves a gap by small factors: the text stays put
    assert {gap_text(g, 1e-12) for g in (0.0, 1.1e-16, 3.3e-16, 4.4e-16, 8.9e-15)} == {
        "below 1e-14"}
    assert gap_text(-3e-17, 1e-12) == "below 1e-14"
    assert gap_text(2e-13, 1e-12) == "below 1e-12"
    assert gap_text(2e-12, 1e-12) == "2.0e-12 (over the tolerance 1e-12)"
    assert gap_text(float("nan"), 1e-12) == "not finite"
    with pytest.raises(ValueError, match="tol must be a positive"):
        gap_text(1e-16, 0.0)


def test_robust_text_prints_one_value_or_a_labelled_range():
    same = robust_text([0.17501, 0.17498, 0.17502])
    assert (same.text, same.sensitive) == ("0.175", False)
    spread = robust_text([0.175, 0.159, 0.181])
    assert spread.sensitive and spread.text == f"0.159 to 0.181 ({SENSITIVE_LABEL})"
    assert (spread.low, spread.high) == (0.159, 0.181)
    steps = robust_text([65, 65, 66], fmt=lambda v: f"{v:.0f}")
    assert steps.text == f"65 to 66 ({SENSITIVE_LABEL})"
    with pytest.raises(ValueError, match="at least one"):
        robust_text([])


def test_ensemble_starts_are_ulps_apart():
    x0 = np.array([-5.0, -2.0])
    starts = ensemble_starts(x0, 4)
    np.testing.assert_array_equal(starts[0], x0)
    np.testing.assert_array_equal((starts[3] - x0) / np.spacing(x0), [3.0, -3.0])
    with pytest.raises(ValueError, match="members"):
        ensemble_starts(x0, 0)
    with pytest.raises(ValueError, match="finite 1-D"):
        ensemble_starts([np.nan], 2)


def test_robust_value_detects_a_chaotic_quantity():
    from optheory.numeric.problems import textbook_2d_rotated
    from optheory.numeric.run import run

    p = textbook_2d_rotated()

    def final_distance(steps):
        def measure(x0):
            t = run("rmsprop", p, x0, steps, convention="torch", eta=0.01)
            return float(np.linalg.norm(t.x[-1] - np.asarray(p.x_star)))
        return measure

    # before the expanding stretch every start gives the same printed distance; after it
    # the starts a few ulps apart print differently and the range is shown (see
    # tests/numeric/test_lyapunov.py for the rate at which they separate)
    calm = robust_value(final_distance(600), [-5.0, -2.0])
    assert not calm.sensitive
    wild = robust_value(final_distance(1400), [-5.0, -2.0])
    assert wild.sensitive and SENSITIVE_LABEL in wild.text
