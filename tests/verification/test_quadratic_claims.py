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
    assert r.evidence["error_vs_derived"] < 1e-13
    assert r.evidence["error_vs_stated"] > 1e-2
    assert r.evidence["derived_is_I_minus_eta_Lambda"]
    assert r"\eta = 1" in r.corrected


def test_gd_in_z_evidence_is_simplified() -> None:
    # the derived iteration matrix is printed as I - eta*Lambda, not as nested radicals
    r = _one("momentum.gd-in-z")
    assert r.evidence["derived_iteration_matrix"] == "I - Lambda*eta"
    assert all(len(v) < 40 for v in r.evidence["Lambda_diagonal"])
    # oracle: the eigenvalues of [[3, 1], [1, 2]] are (5 -+ sqrt(5))/2
    lams = sorted(float(__import__("sympy").sympify(v)) for v in r.evidence["Lambda_diagonal"])
    assert lams == pytest.approx([(5 - 5**0.5) / 2, (5 + 5**0.5) / 2], abs=1e-12)


def test_gd_in_z_is_refuted_when_no_step_size_fits() -> None:
    # I + Lambda is not I - eta Lambda for any eta > 0: refuted, not conditional
    import sympy as sp

    from optheory.verification.claims.quadratic import momentum_gd_in_z

    v = momentum_gd_in_z(coefficient=-1)
    assert v.verdict == "refuted"
    assert v.evidence["equal_only_for"] == []
    assert momentum_gd_in_z(coefficient=sp.Symbol("eta", positive=True)).verdict == "holds"


def test_unknown_id_lists_valid_ones() -> None:
    with pytest.raises(ValueError, match="valid ids: .*momentum.minimizer"):
        verify(["no.such.claim"])
