"""Eigen-decoupling of GD and momentum on a rotated quadratic (claims momentum.gd-in-z,
momentum.decoupling), checked symbolically and by running the iteration."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from optheory.symbolic.decoupling import eigen_decoupling, pythagorean_orthogonal
from optheory.symbolic.linear import BETA, ETA, METHODS

eta, beta = ETA, BETA


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_pythagorean_orthogonal_is_exact_and_dense(n: int) -> None:
    O = pythagorean_orthogonal(n)
    assert O.T * O == sp.eye(n) and all(e.is_Rational for e in O)
    if n >= 3:
        assert all(e != 0 for e in O)  # dense: every coordinate mixes every direction


@pytest.mark.parametrize("method", METHODS)
def test_methods_decouple_in_eigen_coordinates(method: str) -> None:
    d = eigen_decoupling(method, 3)
    assert d.block_diagonal and d.blocks_match_scalar
    assert d.fixed_point_is_minimizer and d.kronecker_structure and d.decoupled
    k = d.blocks[0].rows
    assert d.matrix.shape == (3 * k, 3 * k)
    # negative control: before rotating by O the same iteration is coupled
    orig = d.original_matrix
    assert any(
        sp.expand(orig[r, c]) != 0 for r in range(3 * k) for c in range(3 * k) if r // k != c // k
    )


def test_gd_in_z_is_one_minus_eta_lambda() -> None:
    # claim momentum.gd-in-z (with a step size): z_t = (I - eta Lambda) z_{t-1}
    d = eigen_decoupling("gd", 3)
    assert d.matrix == sp.eye(3) - eta * sp.diag(*d.eigenvalues)


def test_momentum_blocks_are_the_textbook_matrix() -> None:
    d = eigen_decoupling("momentum", 3)
    for blk, lam_i in zip(d.blocks, d.eigenvalues, strict=True):
        assert blk == sp.Matrix([[beta, lam_i], [-eta * beta, 1 - eta * lam_i]])


def test_fixed_point_is_minus_q_inverse_c() -> None:
    d = eigen_decoupling("momentum", 2)
    c = sp.Matrix(sp.symbols("c_1:3", real=True))
    x_star = -d.Q.inv() * c
    assert (d.fixed_point - x_star).applyfunc(sp.simplify) == sp.zeros(2, 1)


def test_numeric_run_decouples() -> None:
    # numeric witness: run momentum on h(x) = 1/2 x^T Q x + c^T x in the original
    # coordinates and compare z = O (x - x*) with independent scalar runs per eigenvalue
    d = eigen_decoupling("momentum", 3)
    lams = [0.5, 2.0, 7.0]
    subs = dict(zip(d.eigenvalues, lams, strict=True))
    O = np.array(d.O, dtype=float)
    Qn = np.array(d.Q.subs(subs), dtype=float)
    c = np.array([1.0, -2.0, 0.5])
    x_star = -np.linalg.solve(Qn, c)
    e, b = 0.1, 0.6
    x, v = np.array([3.0, -1.0, 2.0]), np.zeros(3)
    z = O @ (x - x_star)
    zs, ws = z.copy(), np.zeros(3)
    for _ in range(60):
        v = b * v + (Qn @ x + c)
        x = x - e * v
        ws = b * ws + np.array(lams) * zs
        zs = zs - e * ws
        # the two runs differ only by the rounding of the rotation (a few ulps per
        # step on O(1) numbers that contract), so 1e-12 is ample
        np.testing.assert_allclose(O @ (x - x_star), zs, atol=1e-12)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="adam' is not linear on quadratics"):
        eigen_decoupling("adam", 2)
    with pytest.raises(ValueError, match="unknown method"):
        eigen_decoupling("adamw", 2)
    with pytest.raises(ValueError, match="n must"):
        eigen_decoupling("gd", 0)
    with pytest.raises(ValueError, match="at most 6"):
        pythagorean_orthogonal(7)
