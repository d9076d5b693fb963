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
    # printed from the derived minimizer x* = -Q^{-1} c (matrix symbols)
    assert r.corrected is not None and r"\left(x + Q^{-1} c\right)" in r.corrected


def test_completed_square_counterexample_is_real() -> None:
    r = _one("momentum.completed-square")
    assert r.evidence["h_at_x"] != r.evidence["stated_at_x"]
    # oracle: h(-2, -2) = (12 + 8 + 8)/2 + (-2 + 4) + 4 = 20; the problem's f agrees to rounding
    assert r.evidence["h_at_x"] == 20
    assert r.evidence["numeric_f_at_x"] == pytest.approx(20, abs=1e-12)
    assert r"b - \frac{c^\top Q^{-1} c}{2}" in r.corrected


def test_gradient_correction_is_qx_plus_c() -> None:
    r = _one("momentum.gradient")
    assert r.corrected.startswith(r"\nabla h(x) = Q x + c")
    # oracle: at x = 0 the gradient is c = (1, -2)
    assert r.evidence["numeric_grad_at_0"] == pytest.approx([1, -2], abs=1e-12)


def test_gd_in_z_needs_eta_one() -> None:
    r = _one("momentum.gd-in-z")
    assert r.verdict == "conditional"
    assert r.evidence["equal_only_for"] == ["1"]
    # GD's measured eigen-coordinates follow (1 - eta lambda)^t to rounding error
    # (5 steps of float64 arithmetic: a few ulps), not (1 - lambda)^t.
    assert r.evidence["error_vs_I_minus_eta_Lambda"] < 1e-13
    assert r.evidence["error_vs_I_minus_Lambda"] > 1e-2
    assert r.evidence["derived_is_I_minus_eta_Lambda"]
    assert r"\eta = 1" in r.corrected


def test_unknown_id_lists_valid_ones() -> None:
    with pytest.raises(ValueError, match="valid ids: .*momentum.minimizer"):
        verify(["no.such.claim"])
