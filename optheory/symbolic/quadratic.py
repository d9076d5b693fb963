r"""Exact quadratics :math:`h(x) = \tfrac12 x^\top Q x + c^\top x + b`.

Everything here is *derived* by sympy from the definition of ``h``: the
minimizer solves :math:`\nabla h = 0`, the minimum is ``h`` evaluated there,
and the completed-square and eigen-coordinate forms are proven by expanding
their difference with ``h`` to zero.

Textbook: "Dive into Deep Learning", section "Momentum", subsection
"Quadratic Convex Functions" (claims ``momentum.minimizer``,
``momentum.completed-square``, ``momentum.gradient``, ``momentum.eigen-change``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from optheory.symbolic._exact import to_exact, to_exact_matrix

__all__ = [
    "EigenForm",
    "QuadraticForms",
    "check_quadratic",
    "completed_square",
    "eigen_form",
    "general_minimizer_identity",
    "quadratic_expression",
    "quadratic_minimizer",
]


def _variables(n: int) -> sp.Matrix:
    return sp.Matrix(sp.symbols(f"x1:{n + 1}", real=True))


def _prepare(Q: Any, c: Any, b: Any) -> tuple[sp.Matrix, sp.Matrix, sp.Expr]:
    Qm = to_exact_matrix(Q, "Q", (None, None))
    n = Qm.rows
    if Qm.cols != n:
        raise ValueError(f"Q must be square; got shape ({Qm.rows}, {Qm.cols})")
    cm = to_exact_matrix(c, "c", (n, 1)) if c is not None else sp.zeros(n, 1)
    bm = to_exact(b, "b")
    check_quadratic(Qm)
    return Qm, cm, bm


def check_quadratic(Q: sp.Matrix) -> None:
    """Raise ValueError unless ``Q`` is symmetric and positive definite.

    Symbolic entries are accepted as long as symmetry can be decided; the
    definiteness test runs only for numeric matrices.

    Raises
    ------
    ValueError
        ``Q`` not symmetric (names an offending pair), singular, or indefinite
        (names an eigenvalue <= 0).
    """
    n = Q.rows
    for i in range(n):
        for j in range(i + 1, n):
            if sp.simplify(Q[i, j] - Q[j, i]) != 0:
                raise ValueError(
                    f"Q must be symmetric: Q[{i},{j}] = {Q[i, j]} but Q[{j},{i}] = {Q[j, i]}"
                )
    if Q.free_symbols:
        return
    if Q.det() == 0:
        raise ValueError("Q is singular (det Q = 0): the quadratic has no unique minimizer")
    if not Q.is_positive_definite:
        eigenvalues = _numeric_eigenvalues(Q)
        worst = min(eigenvalues)
        raise ValueError(
            f"Q must be positive definite; it has the eigenvalue {worst:.6g} <= 0"
        )


def _numeric_eigenvalues(Q: sp.Matrix) -> list[float]:
    import mpmath

    eigenvalues, _ = mpmath.eigsy(mpmath.matrix(Q.evalf(30).tolist()))
    return sorted(float(v) for v in eigenvalues)


def quadratic_expression(Q: Any, c: Any = None, b: Any = 0) -> tuple[sp.Expr, sp.Matrix]:
    """Return ``(h, x)``: the expression :math:`\\tfrac12 x^\\top Q x + c^\\top x + b`
    and its column of variables ``x1, ..., xn``."""
    Qm, cm, bm = _prepare(Q, c, b)
    x = _variables(Qm.rows)
    h = sp.expand((sp.Rational(1, 2) * x.T * Qm * x + cm.T * x)[0, 0] + bm)
    return h, x


def quadratic_minimizer(Q: Any, c: Any = None, b: Any = 0) -> tuple[sp.Matrix, sp.Expr]:
    r"""Minimizer and minimum of :math:`h(x) = \tfrac12 x^\top Q x + c^\top x + b`.

    Parameters
    ----------
    Q : (n, n) array_like or sympy Matrix
        Symmetric positive definite.  Integers, fractions and decimals are
        converted to exact rationals; sympy symbols are kept.
    c : (n,) array_like, optional
        Linear term (zero by default).
    b : number, optional
        Constant term.

    Returns
    -------
    x_star : sympy.Matrix, shape (n, 1)
        The unique solution of :math:`\nabla h(x) = Qx + c = 0`, obtained by
        differentiating ``h`` and solving the linear system with sympy.
    h_min : sympy.Expr
        :math:`h(x^\star)`.

    Raises
    ------
    ValueError
        Non-symmetric, singular or indefinite ``Q``; NaN/inf entries; shape mismatch.

    Notes
    -----
    Definiteness is only checked for numeric ``Q``.  With symbolic entries
    of unknown sign (e.g. ``[[a, 0], [0, 1]]``) only symmetry is checked; the
    returned stationary point is a minimizer only where ``Q`` is positive
    definite, which the caller must ensure (e.g. with ``positive=True`` symbols).

    Examples
    --------
    >>> quadratic_minimizer([[2, 0], [0, 4]], [2, -4], 1)
    (Matrix([
    [-1],
    [ 1]]), -2)
    """
    h, x = quadratic_expression(Q, c, b)
    gradient = sp.Matrix([sp.diff(h, xi) for xi in x])
    A, rhs = sp.linear_eq_to_matrix(list(gradient), list(x))
    x_star = A.LUsolve(rhs).applyfunc(sp.simplify)
    h_min = sp.simplify(h.subs(dict(zip(x, x_star, strict=True))))
    return x_star, h_min


@dataclass(frozen=True)
class QuadraticForms:
    """The forms of ``h`` that :func:`completed_square` derives and proves."""

    h: sp.Expr
    variables: sp.Matrix
    x_star: sp.Matrix
    h_min: sp.Expr
    completed: sp.Expr
    gradient: sp.Matrix
    gradient_centered: sp.Matrix
    identity_holds: bool


def completed_square(Q: Any, c: Any = None, b: Any = 0) -> QuadraticForms:
    r"""Prove :math:`h(x) = \tfrac12 (x - x^\star)^\top Q (x - x^\star) + h^\star`.

    Also proves :math:`\nabla h(x) = Q (x - x^\star)`.  ``identity_holds`` is
    the result of expanding both differences, computed at run time.
    """
    Qm, _, _ = _prepare(Q, c, b)
    h, x = quadratic_expression(Q, c, b)
    x_star, h_min = quadratic_minimizer(Q, c, b)
    r = x - x_star
    completed = (sp.Rational(1, 2) * r.T * Qm * r)[0, 0] + h_min
    gradient = sp.Matrix([sp.diff(h, xi) for xi in x])
    centered = Qm * r
    holds = sp.expand(h - completed) == 0 and all(
        sp.expand(g - q) == 0 for g, q in zip(gradient, centered, strict=True)
    )
    return QuadraticForms(h, x, x_star, h_min, completed, gradient, centered, bool(holds))


@dataclass(frozen=True)
class EigenForm:
    """Eigen-coordinates of a quadratic: ``Q = O^T Lambda O``, ``z = O (x - x*)``."""

    O: sp.Matrix
    Lambda: sp.Matrix
    z: sp.Matrix
    h_in_z: sp.Expr
    identity_holds: bool


def _eigen_sort_key(value: sp.Expr) -> sp.Expr:
    """Real part of a 30-digit evaluation: exact roots written in radicals can
    evaluate with a spurious tiny imaginary part (e.g. ``0.e-22*I``)."""
    if not value.is_number:
        return sp.Integer(0)
    return sp.re(sp.N(value, 30))


def _check_radical_degree(Q: sp.Matrix) -> None:
    """Refuse numeric ``Q`` whose eigenvalues need an irreducible factor of degree >= 3.

    Such roots (all real: the casus irreducibilis) are written by sympy with
    complex cube roots; simplifying the eigenvectors and proving the identities
    in that form does not finish in reasonable time (minutes to hours).
    """
    if Q.free_symbols:
        return
    _, factors = Q.charpoly().factor_list()
    degree = max((f.degree() for f, _ in factors), default=1)
    if degree >= 3:
        raise ValueError(
            f"Q ({Q.rows} x {Q.rows}) has eigenvalues that are roots of an irreducible "
            f"degree-{degree} polynomial: exact eigen-coordinates are limited to eigenvalues "
            "of degree <= 2; use EigenQuadratic.from_matrix for numeric ones"
        )


def eigen_form(Q: Any, c: Any = None, b: Any = 0) -> EigenForm:
    r"""Eigen-coordinates :math:`z = O(x - x^\star)` in which
    :math:`h = \tfrac12 z^\top \Lambda z + h^\star`.

    ``O`` has the orthonormal eigenvectors of ``Q`` as rows (exact when sympy
    can find them in closed form).  ``identity_holds`` records that
    :math:`Q = O^\top \Lambda O`, :math:`O O^\top = I` and that ``h`` written
    in ``z`` equals the original ``h`` after expansion.

    Raises
    ------
    ValueError
        As :func:`quadratic_minimizer`; also a numeric ``Q`` whose
        characteristic polynomial has an irreducible factor of degree >= 3 over
        the rationals (typical of 3 x 3 and larger matrices): its eigenvectors
        have no form in which sympy can prove the identities in reasonable time.
        :func:`quadratic_minimizer` and :func:`completed_square` stay exact
        for any size.
    """
    Qm, _, _ = _prepare(Q, c, b)
    _check_radical_degree(Qm)
    forms = completed_square(Q, c, b)
    rows = []
    diag = []
    for value, _mult, vectors in sorted(Qm.eigenvects(), key=lambda item: _eigen_sort_key(item[0])):
        for vec in sp.GramSchmidt(vectors, orthonormal=True):
            rows.append(vec.T.applyfunc(sp.simplify))
            diag.append(value)
    O = sp.Matrix.vstack(*rows)
    Lam = sp.diag(*diag)
    z = O * (forms.variables - forms.x_star)
    h_in_z = (sp.Rational(1, 2) * z.T * Lam * z)[0, 0] + forms.h_min
    holds = (
        (O.T * Lam * O - Qm).applyfunc(sp.simplify) == sp.zeros(*Qm.shape)
        and (O * O.T).applyfunc(sp.simplify) == sp.eye(Qm.rows)
        and sp.simplify(sp.expand(h_in_z - forms.h)) == 0
    )
    return EigenForm(O, Lam, z, sp.expand(h_in_z), bool(holds))


def general_minimizer_identity() -> tuple[sp.Expr, bool]:
    r"""Prove :math:`x^\star = -Q^{-1}c`, :math:`h^\star = b - \tfrac12 c^\top Q^{-1} c`
    for every dimension ``n``.

    With ``Q`` an ``n x n`` symmetric invertible matrix symbol, it expands

    .. math:: E(d) = h(x^\star + d) - h^\star - \tfrac12 d^\top Q d

    using only :math:`Q^\top = Q` and :math:`Q Q^{-1} = I`, and returns the
    expanded residual together with whether it is identically zero.  Since
    :math:`E(d) = 0` for every ``d`` and ``Q`` is positive definite,
    :math:`h(x^\star + d) \ge h^\star` with equality iff ``d = 0``.
    The 1 x 1 residual is symmetrised (:math:`E = (E + E^\top)/2`), which is
    exact because a scalar equals its transpose.
    """
    n = sp.Symbol("n", integer=True, positive=True)
    Q = sp.MatrixSymbol("Q", n, n)
    c = sp.MatrixSymbol("c", n, 1)
    d = sp.MatrixSymbol("d", n, 1)
    b = sp.MatrixSymbol("b", 1, 1)
    half = sp.Rational(1, 2)

    def h(x: sp.MatrixExpr) -> sp.MatrixExpr:
        return half * x.T * Q * x + c.T * x + b

    x_star = -Q.I * c
    h_star = b - half * c.T * Q.I * c
    symmetric = {
        sp.Transpose(Q): Q,
        sp.Transpose(sp.Inverse(Q)): sp.Inverse(Q),
        sp.Inverse(sp.Transpose(Q)): sp.Inverse(Q),
    }
    residual = sp.expand(h(x_star + d) - h_star - half * d.T * Q * d).doit().xreplace(symmetric)
    residual = sp.expand((residual + residual.T) * half).doit().xreplace(symmetric).doit()
    return residual, residual == 0 or residual == sp.ZeroMatrix(1, 1)
