"""Claims about the quadratic h: verdicts computed at run time."""

from __future__ import annotations

import pytest

from optheory.verification import verify


def _one(claim_id: str):
    (result,) = verify([claim_id])
    assert result.error is None, result.error
    return result


@pytest.mark.parametrize("claim_id", ["momentum.minimizer", "answers.ex3"])
def test_minimizer_holds(claim_id: str) -> None:
    r = _one(claim_id)
    assert r.verdict == "holds"
    # oracle: Q^-1 = [[2, -1], [-1, 3]]/5, so -Q^-1 c = -(4/5, -7/5)
    assert r.evidence["derived_x_star"] == ["-4/5", "7/5"]
    assert r.evidence["gd_gap"] < 1e-12


@pytest.mark.parametrize(
    "claim_id", ["momentum.completed-square", "momentum.gradient", "momentum.eigen-change"]
)
def test_sign_errors_are_findings(claim_id: str) -> None:
    # The textbook writes x - Q^{-1}c where the minimizer is x* = -Q^{-1}c.
    r = _one(claim_id)
    assert r.verdict == "refuted"
    assert r.corrected is not None and "+ Q^{-1}c" in r.corrected


def test_completed_square_counterexample_is_real() -> None:
    r = _one("momentum.completed-square")
    assert r.evidence["h_at_x"] != r.evidence["stated_at_x"]


def test_gd_in_z_needs_eta_one() -> None:
    r = _one("momentum.gd-in-z")
    assert r.verdict == "conditional"
    assert r.evidence["equal_only_for"] == ["1"]
    # GD's measured eigen-coordinates follow (1 - eta lambda)^t to rounding error
    # (5 steps of float64 arithmetic: a few ulps), not (1 - lambda)^t.
    assert r.evidence["error_vs_I_minus_eta_Lambda"] < 1e-13
    assert r.evidence["error_vs_I_minus_Lambda"] > 1e-2


def test_unknown_id_lists_valid_ones() -> None:
    with pytest.raises(ValueError, match="valid ids: .*momentum.minimizer"):
        verify(["no.such.claim"])
