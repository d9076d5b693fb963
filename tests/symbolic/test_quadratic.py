"""Exact quadratics: minimizer, minimum, completed square, eigen-coordinates."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from optheory.symbolic.quadratic import (
    completed_square,
    eigen_form,
    general_minimizer_identity,
    quadratic_expression,
    quadratic_minimizer,
)


def test_minimizer_exact_rational() -> None:
    x_star, h_min = quadratic_minimizer([[2, 1], [1, 3]], [1, -1], 2)
    # oracle: x* = -Q^-1 c, h* = b - 1/2 c^T Q^-1 c, computed independently
    Q = sp.Matrix([[2, 1], [1, 3]])
    c = sp.Matrix([1, -1])
    assert x_star == -Q.inv() * c == sp.Matrix([sp.Rational(-4, 5), sp.Rational(3, 5)])
    assert h_min == 2 - sp.Rational(1, 2) * (c.T * Q.inv() * c)[0, 0] == sp.Rational(13, 10)


def test_decimal_inputs_are_exact() -> None:
    x_star, h_min = quadratic_minimizer([[0.2, 0], [0, 4]], [0.1, 0.4], 0.3)
    assert x_star == sp.Matrix([sp.Rational(-1, 2), sp.Rational(-1, 10)])
    assert h_min == sp.Rational(3, 10) - sp.Rational(1, 2) * (
        sp.Rational(1, 10) ** 2 / sp.Rational(1, 5) + sp.Rational(2, 5) ** 2 / 4
    )


def test_symbolic_entries() -> None:
    a, b_, q = sp.symbols("a b q", positive=True)
    x_star, h_min = quadratic_minimizer([[q, 0], [0, 2 * q]], [a, b_], 0)
    assert sp.simplify(x_star[0] + a / q) == 0
    assert sp.simplify(h_min + a**2 / (2 * q) + b_**2 / (4 * q)) == 0


def test_completed_square_and_gradient() -> None:
    forms = completed_square([[3, 1, 0], [1, 2, 0], [0, 0, 1]], [1, 0, -2], 5)
    assert forms.identity_holds
    assert sp.expand(forms.h - forms.completed) == 0
    assert forms.gradient == forms.gradient_centered.applyfunc(sp.expand)


def test_eigen_form_rotated_textbook_problem() -> None:
    eig = eigen_form([[4.2, -3.8], [-3.8, 4.2]])
    assert eig.identity_holds
    assert sorted(eig.Lambda.diagonal()) == [sp.Rational(2, 5), 8]


def test_general_n_identity() -> None:
    residual, holds = general_minimizer_identity()
    assert holds
    assert residual in (0, sp.ZeroMatrix(1, 1))


@pytest.mark.parametrize(
    ("Q", "message"),
    [
        ([[1, 2], [3, 4]], "symmetric"),
        ([[1, 0], [0, -2]], "eigenvalue -2"),
        ([[1, 1], [1, 1]], "singular"),
        ([[1, 2], [2, 1]], "eigenvalue -1"),
        ([[1, 0], [0]], "rectangular"),
        ([[float("nan"), 0], [0, 1]], "finite"),
        ([[float("inf"), 0], [0, 1]], "finite"),
        ([["1", 0], [0, 1]], "must be a number"),
    ],
)
def test_bad_matrices(Q: object, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        quadratic_minimizer(Q, [0, 0])
    assert "\n" not in str(info.value)


def test_shape_mismatch() -> None:
    with pytest.raises(ValueError, match="c has shape"):
        quadratic_minimizer([[1, 0], [0, 1]], [1, 2, 3])


spd_entries = st.integers(min_value=-5, max_value=5)


@st.composite
def spd_problem(draw: st.DrawFn) -> tuple[list[list[int]], list[int], int]:
    n = draw(st.integers(min_value=1, max_value=3))
    A = [[draw(spd_entries) for _ in range(n)] for _ in range(n)]
    Q = (sp.Matrix(A).T * sp.Matrix(A) + sp.eye(n)).tolist()  # A^T A + I is SPD
    c = [draw(spd_entries) for _ in range(n)]
    return [[int(e) for e in row] for row in Q], c, draw(spd_entries)


@settings(max_examples=25, deadline=None)
@given(spd_problem(), st.lists(st.fractions(min_value=-10, max_value=10), min_size=3, max_size=3))
def test_properties_random_spd(problem: tuple, point: list[Fraction]) -> None:
    Q, c, b = problem
    n = len(Q)
    x_star, h_min = quadratic_minimizer(Q, c, b)
    h, x = quadratic_expression(Q, c, b)
    at_star = dict(zip(x, x_star, strict=True))
    # gradient vanishes at x*, h(x*) = h*
    assert all(sp.diff(h, xi).subs(at_star) == 0 for xi in x)
    assert h.subs(at_star) == h_min
    # h >= h* at a random exact point
    pt = {xi: sp.Rational(p.numerator, p.denominator) for xi, p in zip(x, point[:n], strict=False)}
    assert h.subs(pt) >= h_min
    # numeric cross-check of x* with numpy (float64 solve: 1e-9 relative is ample
    # for these well-conditioned integer matrices, cond(Q) <= ~1e3)
    np.testing.assert_allclose(
        np.array(x_star, dtype=float).ravel(),
        -np.linalg.solve(np.array(Q, dtype=float), np.array(c, dtype=float)),
        rtol=1e-9,
        atol=1e-9,
    )


def test_eigen_form_block_matrix_with_quadratic_surd_eigenvalues() -> None:
    # char poly (t^2 - 4t + 3)(t^2 - 8t + 14): eigenvalues 1, 3, 4 +- sqrt(2).
    Q = [[2, 1, 0, 0], [1, 2, 0, 0], [0, 0, 3, 1], [0, 0, 1, 5]]
    form = eigen_form(Q)
    assert form.identity_holds
    diag = [float(form.Lambda[i, i]) for i in range(4)]
    assert diag == sorted(diag)


def test_eigen_form_refuses_cubic_eigenvalues_quickly() -> None:
    import time

    start = time.perf_counter()
    with pytest.raises(ValueError, match="degree-3.*EigenQuadratic.from_matrix"):
        eigen_form([[11, 4, 12], [4, 12, 15], [12, 15, 28]])
    hilbert6 = sp.Matrix(6, 6, lambda i, j: sp.Rational(1, i + j + 1))
    with pytest.raises(ValueError, match="degree-6"):
        eigen_form(hilbert6)
    # The minimizer stays exact for any size: H x = -c solved exactly.
    x_star, _ = quadratic_minimizer(hilbert6, [1] * 6)
    assert hilbert6 * x_star == -sp.ones(6, 1)
    assert time.perf_counter() - start < 10  # used to hang for minutes
