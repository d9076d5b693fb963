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

from optheory._budget import DEFAULT_MAX_SECONDS
from optheory.symbolic._exact import to_exact, to_exact_matrix

__all__ = [
    "EigenForm",
    "check_exact_seconds",
    "estimate_exact_seconds",
    "QuadraticForms",
    "check_quadratic",
    "completed_square",
    "eigen_form",
    "general_minimizer_identity",
    "quadratic_expression",
    "quadratic_minimizer",
]


# Seconds per unit of exact work (units: see estimate_exact_seconds), about twice the
# largest ratio measured on the 2-core development machine under a load of ~8:
# rational Q (n = 4..24, 4 to 2661-bit entries) 4e-5..1.1e-4; algebraic (3 x 3 with
# two or three square roots) 4e-4..1.1e-3; symbolic (n = 2..4, 1 to 6 symbols)
# 8e-4..1.9e-3.  The eigen form (eigenvectors simplified, identities proven):
# block-diagonal Q with k irrational 2 x 2 blocks took 1.3 to 1.7 s per block.
_SECONDS_PER_RATIONAL_UNIT = 2.5e-4
_SECONDS_PER_SYMBOLIC_UNIT = 4e-3
_SECONDS_PER_EIGEN_UNIT = 0.05
_SECONDS_PER_SYMBOLIC_EIGEN_UNIT = 0.5
#: Largest degree of the number field spanned by the radicals of the entries.
MAX_FIELD_DEGREE = 64


def _size_of_entries(entries: list[sp.Expr]) -> tuple[int, int, int]:
    """``(bits, field degree, generators)`` of exact entries, read off their expressions.

    ``bits`` is the largest numerator or denominator length of a rational
    number in them; the field degree is the product of the root orders of the
    distinct radicals (``sqrt(2)``: 2); generators counts the symbols and the
    transcendental numbers (``pi``, ``exp(1)``).
    """
    bits = 1
    radicals: set[sp.Expr] = set()
    generators: set[sp.Expr] = set()
    for entry in entries:
        for node in sp.preorder_traversal(entry):
            if node.is_Rational:
                bits = max(bits, int(node.p).bit_length(), int(node.q).bit_length())
            elif node.is_Pow and node.exp.is_Rational and not node.exp.is_Integer:
                radicals.add(node)
            elif node.is_Symbol or node.is_NumberSymbol or (
                node.is_Function and not node.free_symbols
            ):
                generators.add(node)
    degree = 1
    for radical in radicals:
        degree *= int(radical.exp.q)
    return bits, degree, len(generators)


def estimate_exact_seconds(Q: sp.Matrix, c: sp.Matrix, b: sp.Expr) -> float:
    r"""Seconds the exact minimizer and completed square of ``h`` will take, before any work.

    Gaussian elimination on an n x n matrix takes :math:`n^3` field
    operations; each costs about :math:`1 + \text{bits}/64` word operations
    for rationals of that many bits, :math:`D^2` times more in a number field
    of degree D, and with g symbols (or transcendental numbers) the
    coefficients grow like :math:`(g + 1)^n` terms.  So the work is
    :math:`n^3 (1 + \text{bits}/64) D^2 (g + 1)^n` units, priced by constants
    measured on a 2-core machine (see the comment above them).
    """
    n = Q.rows
    bits, degree, generators = _size_of_entries([*Q, *c, b])
    units = float(n) ** 3 * (1 + bits / 64) * float(degree) ** 2 * float(generators + 1) ** n
    per = _SECONDS_PER_RATIONAL_UNIT if degree == 1 and not generators else _SECONDS_PER_SYMBOLIC_UNIT
    return units * per


def check_exact_seconds(
    what: str, estimate: float, max_seconds: float | None, *, name: str = "max_seconds"
) -> None:
    """Refuse exact work estimated above ``max_seconds`` (one line; how to raise it)."""
    if max_seconds is not None and estimate > max_seconds:
        raise ValueError(
            f"{what} is estimated at about {estimate:.3g} s, above {name}={max_seconds:g}; "
            f"raise {name}, or use a smaller matrix or simpler entries "
            "(numeric work: EigenQuadratic.from_matrix)"
        )


def _check_budget(Qm: sp.Matrix, cm: sp.Matrix, bm: sp.Expr, max_seconds: float | None) -> None:
    _, degree, _ = _size_of_entries([*Qm])
    if degree > MAX_FIELD_DEGREE:
        raise ValueError(
            f"Q's radicals span a number field of degree {degree}, above {MAX_FIELD_DEGREE}: "
            "exact work there is out of reach; use fewer distinct radicals or numeric entries"
        )
    check_exact_seconds(
        f"the exact minimizer of a {Qm.rows} x {Qm.rows} quadratic",
        estimate_exact_seconds(Qm, cm, bm), max_seconds,
    )


def _variables(n: int) -> sp.Matrix:
    return sp.Matrix(sp.symbols(f"x1:{n + 1}", real=True))


def _prepare(
    Q: Any, c: Any, b: Any, max_seconds: float | None = DEFAULT_MAX_SECONDS
) -> tuple[sp.Matrix, sp.Matrix, sp.Expr]:
    Qm = to_exact_matrix(Q, "Q", (None, None))
    n = Qm.rows
    if Qm.cols != n:
        raise ValueError(f"Q must be square; got shape ({Qm.rows}, {Qm.cols})")
    cm = to_exact_matrix(c, "c", (n, 1)) if c is not None else sp.zeros(n, 1)
    bm = to_exact(b, "b")
    _check_budget(Qm, cm, bm, _seconds(max_seconds))
    check_quadratic(Qm)
    return Qm, cm, bm


def _seconds(max_seconds: Any) -> float | None:
    """``max_seconds`` checked: a positive number, or None for no limit."""
    if max_seconds is None:
        return None
    if isinstance(max_seconds, bool) or not isinstance(max_seconds, int | float) or not (
        max_seconds > 0
    ):
        raise ValueError(f"max_seconds must be a positive number or None, got {max_seconds!r}")
    return float(max_seconds)


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
    if all(entry.is_Rational for entry in Q):
        definite, singular = _rational_definiteness(Q)
    else:
        singular = Q.det() == 0
        definite = not singular and bool(Q.is_positive_definite)
    if singular:
        raise ValueError("Q is singular (det Q = 0): the quadratic has no unique minimizer")
    if not definite:
        eigenvalues = _numeric_eigenvalues(Q)
        worst = min(eigenvalues)
        raise ValueError(
            f"Q must be positive definite; it has the eigenvalue {worst:.6g} <= 0"
        )


def _rational_definiteness(Q: sp.Matrix) -> tuple[bool, bool]:
    """``(positive definite, singular)`` of a rational symmetric ``Q``, exactly.

    Gaussian elimination without row exchanges over the rationals: a
    symmetric matrix is positive definite iff every pivot is positive
    (Sylvester's criterion: pivot k is the ratio of leading minors k and k - 1).
    Cubic in n with exact fractions; sympy's generic test takes seconds at n = 20.
    """
    from sympy import QQ
    from sympy.polys.matrices import DomainMatrix

    n = Q.rows
    rows = [[QQ(int(e.p), int(e.q)) for e in Q.row(i)] for i in range(n)]
    for k in range(n):
        pivot = rows[k][k]
        if pivot <= 0:
            singular = DomainMatrix(
                [[QQ(int(e.p), int(e.q)) for e in Q.row(i)] for i in range(n)], (n, n), QQ
            ).det() == 0
            return False, bool(singular)
        for i in range(k + 1, n):
            factor = rows[i][k] / pivot
            if factor:
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[k], strict=True)]
    return True, False


def _numeric_eigenvalues(Q: sp.Matrix) -> list[float]:
    import mpmath

    eigenvalues, _ = mpmath.eigsy(mpmath.matrix(Q.evalf(30).tolist()))
    return sorted(float(v) for v in eigenvalues)


def _h_poly(Qm: sp.Matrix, cm: sp.Matrix, bm: sp.Expr, x: sp.Matrix) -> tuple[sp.Poly, list[list[Any]]]:
    """``h`` from its definition as a sparse polynomial in ``x``, and Q's entries in its field.

    One domain holds every coefficient, chosen by sympy for all of them at
    once: the rationals for rational data (fast exact arithmetic), an
    algebraic field for numeric entries such as ``sqrt(2)``, polynomials in
    the symbols of symbolic entries.  Its field of fractions holds the
    solution.
    """
    from sympy.polys.constructor import construct_domain

    n = Qm.rows
    entries = [Qm[i, j] for i in range(n) for j in range(n)]
    numeric = not (Qm.free_symbols or cm.free_symbols or bm.free_symbols)
    domain, values = construct_domain(
        [*entries, *cm, bm], **({"extension": True} if numeric else {})
    )
    field = domain.get_field()
    if field != domain:  # (converting within one number field would search an isomorphism)
        values = [field.convert_from(v, domain) for v in values]
    q = [values[i * n : (i + 1) * n] for i in range(n)]
    half = field.convert(sp.Rational(1, 2))
    terms: dict[tuple[int, ...], Any] = {}

    def add(monomial: list[int], value: Any) -> None:
        key = tuple(monomial)
        terms[key] = terms.get(key, field.zero) + value

    for i in range(n):
        for j in range(n):
            if q[i][j]:
                monomial = [0] * n
                monomial[i] += 1
                monomial[j] += 1
                add(monomial, half * q[i][j])
        if values[n * n + i]:
            monomial = [0] * n
            monomial[i] = 1
            add(monomial, values[n * n + i])
    add([0] * n, values[-1])
    return sp.Poly.from_dict(terms, *x, domain=field), q


def quadratic_expression(
    Q: Any, c: Any = None, b: Any = 0, *, max_seconds: float | None = DEFAULT_MAX_SECONDS
) -> tuple[sp.Expr, sp.Matrix]:
    """Return ``(h, x)``: the expression :math:`\\tfrac12 x^\\top Q x + c^\\top x + b`
    and its column of variables ``x1, ..., xn``."""
    Qm, cm, bm = _prepare(Q, c, b, max_seconds)
    x = _variables(Qm.rows)
    return _h_poly(Qm, cm, bm, x)[0].as_expr(), x


def _tidy(value: sp.Expr) -> sp.Expr:
    # numbers come out of their field in canonical form; simplify only symbolic ones
    return value if not value.free_symbols else sp.simplify(value)


def _solve_stationary(h: sp.Poly, x: sp.Matrix) -> tuple[list[sp.Poly], list[Any], Any]:
    """Gradient of ``h``, the solution of ``grad h = 0`` and ``h`` there (all derived).

    The solution and the minimum are elements of the coefficients' field
    (converting them back and forth through sympy expressions is what costs
    minutes for algebraic numbers).
    """
    from sympy.polys.matrices import DomainMatrix

    gradient = [h.diff(xi) for xi in x]
    n = len(gradient)
    field = h.get_domain()
    constant = (0,) * n
    unit = [tuple(1 if k == j else 0 for k in range(n)) for j in range(n)]
    coefficients = [dict(g.rep.terms()) for g in gradient]
    A = DomainMatrix(
        [[row.get(unit[j], field.zero) for j in range(n)] for row in coefficients], (n, n), field
    )
    rhs = DomainMatrix([[-row.get(constant, field.zero)] for row in coefficients], (n, 1), field)
    solution = [row[0] for row in A.lu_solve(rhs).to_list()]
    h_min = field.zero
    for monomial, coeff in h.rep.terms():
        term = coeff
        for value, power in zip(solution, monomial, strict=True):
            term = term * value**power if power else term
        h_min += term
    return gradient, solution, h_min


def _as_exprs(field: Any, values: list[Any]) -> sp.Matrix:
    return sp.Matrix([_tidy(field.to_sympy(v)) for v in values])


def quadratic_minimizer(
    Q: Any, c: Any = None, b: Any = 0, *, max_seconds: float | None = DEFAULT_MAX_SECONDS
) -> tuple[sp.Matrix, sp.Expr]:
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
    max_seconds : float or None
        Refuse, before any work, an input whose exact work is estimated
        (:func:`estimate_exact_seconds`: n, the bits of the entries, the degree
        of their radicals, their symbols) to take longer; default 60, None for
        no limit.

    Returns
    -------
    x_star : sympy.Matrix, shape (n, 1)
        The unique solution of :math:`\nabla h(x) = Qx + c = 0`, obtained by
        differentiating ``h`` (a sparse polynomial over the coefficients'
        domain) and solving the linear system exactly (LU over that field).
    h_min : sympy.Expr
        :math:`h(x^\star)`.

    Raises
    ------
    ValueError
        Non-symmetric, singular or indefinite ``Q``; NaN/inf entries; shape
        mismatch; exact work estimated above ``max_seconds``; radicals spanning
        a number field of degree above :data:`MAX_FIELD_DEGREE`.

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
    Qm, cm, bm = _prepare(Q, c, b, max_seconds)
    x = _variables(Qm.rows)
    h, _ = _h_poly(Qm, cm, bm, x)
    _, solution, h_min = _solve_stationary(h, x)
    field = h.get_domain()
    return _as_exprs(field, solution), _tidy(field.to_sympy(h_min))


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


def completed_square(
    Q: Any, c: Any = None, b: Any = 0, *, max_seconds: float | None = DEFAULT_MAX_SECONDS
) -> QuadraticForms:
    r"""Prove :math:`h(x) = \tfrac12 (x - x^\star)^\top Q (x - x^\star) + h^\star`.

    Also proves :math:`\nabla h(x) = Q (x - x^\star)`.  ``identity_holds`` is
    the result of expanding both differences (as polynomials over the
    coefficients' field), computed at run time.  ``max_seconds`` as in
    :func:`quadratic_minimizer`.
    """
    Qm, cm, bm = _prepare(Q, c, b, max_seconds)
    n = Qm.rows
    x = _variables(n)
    h, entries = _h_poly(Qm, cm, bm, x)
    gradient, solution, h_value = _solve_stationary(h, x)
    field = h.get_domain()
    x_star = _as_exprs(field, solution)
    h_min = _tidy(field.to_sympy(h_value))
    constant = (0,) * n

    def linear(i: int, offset: Any) -> sp.Poly:  # x_i - offset
        unit = tuple(1 if k == i else 0 for k in range(n))
        return sp.Poly.from_dict({unit: field.one, constant: -offset}, *x, domain=field)

    zero = sp.Poly.from_dict({constant: field.zero}, *x, domain=field)
    r_polys = [linear(i, solution[i]) for i in range(n)]
    centered_polys = [
        sum((r_polys[j].mul_ground(entries[i][j]) for j in range(n) if entries[i][j]), zero)
        for i in range(n)
    ]
    square = sum((ri * qi for ri, qi in zip(r_polys, centered_polys, strict=True)), zero)
    completed_poly = square.mul_ground(field.convert(sp.Rational(1, 2))) + \
        sp.Poly.from_dict({constant: h_value}, *x, domain=field)
    holds = completed_poly == h and all(
        g == q for g, q in zip(gradient, centered_polys, strict=True)
    )
    r = x - x_star
    centered = sp.Matrix([q.as_expr() for q in centered_polys])
    # (x - x*)^T [Q (x - x*)] / 2 + h*, unexpanded
    completed = sp.Rational(1, 2) * sp.Add(*[r[i] * centered[i] for i in range(n)]) + h_min
    return QuadraticForms(
        h.as_expr(), x, x_star, h_min, completed,
        sp.Matrix([g.as_expr() for g in gradient]), centered, bool(holds),
    )


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


def _check_radical_degree(Q: sp.Matrix) -> int | None:
    """Refuse numeric ``Q`` whose eigenvalues need an irreducible factor of degree >= 3.

    Such roots (all real: the casus irreducibilis) are written by sympy with
    complex cube roots; simplifying the eigenvectors and proving the identities
    in that form does not finish in reasonable time (minutes to hours).
    """
    if Q.free_symbols:
        return None
    _, factors = Q.charpoly().factor_list()
    degree = max((f.degree() for f, _ in factors), default=1)
    if degree >= 3:
        raise ValueError(
            f"Q ({Q.rows} x {Q.rows}) has eigenvalues that are roots of an irreducible "
            f"degree-{degree} polynomial: exact eigen-coordinates are limited to eigenvalues "
            "of degree <= 2; use EigenQuadratic.from_matrix for numeric ones"
        )
    return sum(1 for f, _ in factors if f.degree() == 2)


def _estimate_eigen_seconds(Q: sp.Matrix, quadratic_factors: int | None) -> float:
    """Seconds to simplify the eigenvectors and prove the eigen form: n^2 (q + 1) units.

    q is the number of irreducible quadratic factors of the characteristic
    polynomial (each brings a square root into the eigenvectors); for a
    matrix with symbols or irrational entries q is taken as n and priced
    higher (constants: see the comment above them).
    """
    n = Q.rows
    if quadratic_factors is None or not all(e.is_Rational for e in Q):
        return float(n) ** 2 * (n + 1) * _SECONDS_PER_SYMBOLIC_EIGEN_UNIT
    return float(n) ** 2 * (quadratic_factors + 1) * _SECONDS_PER_EIGEN_UNIT


def eigen_form(
    Q: Any, c: Any = None, b: Any = 0, *, max_seconds: float | None = DEFAULT_MAX_SECONDS
) -> EigenForm:
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
        for any size within their budget.  Also the eigen form's own work
        (simplifying the eigenvectors and proving the identities: n^2 (q + 1)
        units for q irreducible quadratic factors) estimated above
        ``max_seconds`` (as in :func:`quadratic_minimizer`).
    """
    Qm, _, _ = _prepare(Q, c, b, max_seconds)
    factors = _check_radical_degree(Qm)
    check_exact_seconds(
        f"the exact eigen form of a {Qm.rows} x {Qm.rows} quadratic",
        _estimate_eigen_seconds(Qm, factors), _seconds(max_seconds),
    )
    forms = completed_square(Q, c, b, max_seconds=max_seconds)
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
