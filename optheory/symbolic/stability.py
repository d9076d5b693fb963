r"""Stability regions of linear iterations: the Jury table and the Schur-Cohn recursion.

A linear iteration :math:`s_{t+1} = R s_t` converges to 0 from every start
iff every root of :math:`p(z) = \det(zI - R)` lies strictly inside the unit
circle (:math:`p` is *Schur stable*).  For a real polynomial of any degree
this is decided by finitely many polynomial inequalities in its coefficients,
which here are built from the coefficients of a sympy ``Poly``; nothing about
any particular method is typed in.

Textbook: "Dive into Deep Learning", section "Momentum", subsection "Scalar
Functions" (claims ``momentum.scalar-gd``, ``momentum.region``).

References
----------
E. I. Jury, *Theory and Application of the z-Transform Method* (1964);
the Schur-Cohn test as in K. Ogata, *Discrete-Time Control Systems*, ch. 4.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sympy as sp

from optheory._checks import check_positive_int
from optheory.symbolic.linear import characteristic_polynomial

__all__ = [
    "jury_conditions",
    "polynomial_stability_region",
    "schur_cohn_conditions",
    "stability_region",
]


class _Signs:
    """Polynomials known to be > 0 (earlier conditions of a conjunction)."""

    def __init__(self) -> None:
        self.positive: list[sp.Poly] = []

    def add(self, poly: sp.Poly) -> None:
        if not poly.is_zero:
            self.positive.append(poly)

    def sign(self, f: sp.Poly) -> int | None:
        """+1 / -1 when the sign of ``f`` is known, else None."""
        if f.is_ground:
            lc = f.LC()
            return None if lc == 0 else (1 if lc > 0 else -1)
        for known in self.positive:
            if known.total_degree() != f.total_degree():
                continue
            q, r = f.div(known)
            if r.is_zero and q.is_ground and q.LC() != 0:
                return 1 if q.LC() > 0 else -1
        expr = f.as_expr()
        if expr.is_positive:
            return 1
        if expr.is_negative:
            return -1
        return None


def _coefficients(poly: Any, z: sp.Symbol) -> list[sp.Poly]:
    """Ascending coefficients a_0..a_n as Polys in the symbols, leading one a positive number."""
    if not isinstance(z, sp.Symbol):
        raise ValueError(f"z must be a sympy Symbol, got {z!r}")
    if isinstance(poly, sp.Poly):
        poly = poly.as_expr()
    if not isinstance(poly, sp.Expr):
        raise ValueError(f"poly must be a sympy Poly or expression, got {poly!r}")
    try:
        coeffs = [sp.expand(c) for c in reversed(sp.Poly(poly, z).all_coeffs())]
    except sp.PolynomialError:
        raise ValueError(f"poly must be a polynomial in {z}, got {poly}") from None
    lead = coeffs[-1]
    if not lead.is_number or lead == 0:
        raise ValueError(f"the leading coefficient of poly must be a nonzero number, got {lead}")
    if lead < 0:
        coeffs = [-c for c in coeffs]
    gens = sorted(set().union(*(c.free_symbols for c in coeffs)), key=str) or [sp.Dummy("t")]
    try:
        polys, _ = sp.parallel_poly_from_expr(coeffs, *gens)
    except sp.PolynomialError:
        raise ValueError(
            f"the coefficients of poly must be polynomials in {gens}, got {coeffs}"
        ) from None
    return list(polys)


def _positive_part(content: sp.Poly, signs: _Signs) -> sp.Poly:
    """The largest factor of ``content`` whose sign is known, made positive."""
    coeff, factors = content.factor_list()
    out = content.one * abs(coeff) if coeff != 0 else content.one
    for f, k in factors:
        s = signs.sign(f)
        if s is not None:
            out = out * (f * s) ** k
    return out


def _scaled(row: list[sp.Poly], signs: _Signs) -> list[sp.Poly]:
    """Divide a row by the positive part of the gcd of its entries (keeps |.| relations)."""
    nonzero = [e for e in row if not e.is_zero]
    if not nonzero:
        return row
    content = nonzero[0]
    for e in nonzero[1:]:
        content = content.gcd(e)
    scale = _positive_part(content, signs)
    if scale.is_ground and scale.LC() == 1:
        return row
    return [e.exquo(scale) for e in row]


def _gt0(poly: sp.Poly) -> sp.core.relational.Relational:
    return sp.StrictGreaterThan(poly.as_expr(), 0, evaluate=False)


def jury_conditions(poly: Any, z: sp.Symbol) -> list[sp.core.relational.Relational]:
    r"""Jury's conditions for all roots of ``poly`` to lie strictly inside the unit circle.

    Parameters
    ----------
    poly : sympy.Poly or sympy.Expr
        Real polynomial in ``z`` of degree n >= 0 whose leading coefficient is
        a nonzero number (e.g. a characteristic polynomial).
    z : sympy.Symbol
        The polynomial variable.

    Returns
    -------
    list of sympy relationals
        Polynomial inequalities ``expr > 0`` in the coefficients' symbols.
        Their conjunction is equivalent to Schur stability.

    Raises
    ------
    ValueError
        Non-polynomial input, or a leading coefficient that is not a nonzero number.

    Algorithm
    ---------
    With :math:`p(z) = a_n z^n + \dots + a_0`, :math:`a_n > 0`, Jury's table has
    rows :math:`a`, :math:`b_k = a_0 a_k - a_n a_{n-k}`, then
    :math:`c_k = b_0 b_k - b_{n-1} b_{n-1-k}` and so on down to a row of three
    entries.  The conditions are

    1. :math:`p(1) > 0` and :math:`(-1)^n p(-1) > 0`,
    2. :math:`|a_0| < a_n`,
    3. :math:`|r_0| > |r_{\text{last}}|` for every later row :math:`r`.

    The absolute values are removed exactly: :math:`b_0 = a_0^2 - a_n^2 < 0`
    once (2) holds, and every later leading entry equals
    :math:`r_0^2 - r_\text{last}^2 > 0` of the row above, so each of (2), (3)
    becomes two inequalities :math:`r_0 \pm r_\text{last} > 0` (with the
    :math:`b` row negated to make its leading entry positive).  A row may be
    divided by a factor of its entries that the symbols' assumptions or the
    earlier conditions make positive; this keeps degrees low and does not change
    any :math:`|\cdot| > |\cdot|` relation.  Hence entries after the fourth are
    meaningful only together with the earlier ones.
    """
    a = _coefficients(poly, z)
    n = len(a) - 1
    signs = _Signs()
    conds: list[sp.core.relational.Relational] = []

    def push(p: sp.Poly) -> None:
        conds.append(_gt0(p))
        signs.add(p)

    if n == 0:
        return []
    p_at_1 = sum(a[1:], a[0])
    p_at_m1 = sum((a[k] * (-1) ** k for k in range(1, n + 1)), a[0])
    if n >= 2:
        push(p_at_1)
        push(p_at_m1 * (-1) ** n)
    push(a[n] - a[0])
    push(a[n] + a[0])
    # first row of the table, negated so that its leading entry a_n^2 - a_0^2 is > 0
    row = _scaled([a[n] * a[n - k] - a[0] * a[k] for k in range(n)], signs)
    while len(row) >= 3:
        push(row[0] - row[-1])
        push(row[0] + row[-1])
        m = len(row) - 1
        row = _scaled([row[0] * row[k] - row[m] * row[m - k] for k in range(m)], signs)
    return conds


def schur_cohn_conditions(poly: Any, z: sp.Symbol) -> list[sp.core.relational.Relational]:
    r"""Schur-Cohn conditions for all roots of ``poly`` inside the unit circle.

    Parameters
    ----------
    poly : sympy.Poly or sympy.Expr
        As for :func:`jury_conditions`.
    z : sympy.Symbol
        The polynomial variable.

    Returns
    -------
    list of sympy relationals
        ``2 n`` inequalities ``expr > 0``; their conjunction is equivalent to
        Schur stability (later entries rely on earlier ones).

    Raises
    ------
    ValueError
        As for :func:`jury_conditions`.

    Algorithm
    ---------
    Schur-Cohn recursion: for :math:`p` of degree m with leading coefficient
    :math:`c_m > 0` and reversed polynomial :math:`p^*(z) = z^m p(1/z)`,
    :math:`p` is Schur stable iff :math:`|c_0| < c_m` and
    :math:`p_1 = (c_m p - c_0 p^*) / z` (degree m - 1, leading coefficient
    :math:`c_m^2 - c_0^2 > 0`) is Schur stable.  Each step contributes
    :math:`c_m - c_0 > 0` and :math:`c_m + c_0 > 0`; positive common factors
    are divided out of :math:`p_1` as in :func:`jury_conditions`.
    """
    c = _coefficients(poly, z)
    signs = _Signs()
    conds: list[sp.core.relational.Relational] = []
    while len(c) >= 2:
        m = len(c) - 1
        for p in (c[m] - c[0], c[m] + c[0]):
            conds.append(_gt0(p))
            signs.add(p)
        # coefficient k of c_m p - c_0 p^* is c_m c_k - c_0 c_{m-k}; the k = 0 term vanishes
        c = _scaled([c[m] * c[k] - c[0] * c[m - k] for k in range(1, m + 1)], signs)
    return conds


def _pretty(expr: sp.Expr) -> sp.Basic:
    """``expr > 0`` written with the negative terms moved to the right-hand side."""
    if isinstance(expr, sp.Mul) and len([f for f in expr.args if not f.is_number]) > 1:
        return sp.StrictGreaterThan(expr, 0)
    expr = sp.expand(expr)
    const, rest = expr.as_independent(*expr.free_symbols, as_Add=True)
    terms = sp.Add.make_args(rest)
    neg = [t for t in terms if t.could_extract_minus_sign()]
    pos = [t for t in terms if not t.could_extract_minus_sign()]
    if neg:
        return sp.StrictLessThan(-sp.Add(*neg), sp.Add(*pos) + const)
    return sp.StrictGreaterThan(sp.Add(*pos), -const)


def _simplify(conds: Iterable[sp.core.relational.Relational]) -> sp.Basic:
    """Conjunction of ``expr > 0`` conditions with factors of known sign removed.

    Working left to right, a factor whose sign follows from the symbols'
    assumptions or from an earlier condition of the conjunction is dropped
    (flipping the inequality when negative); an even power of a factor of
    unknown sign becomes ``factor != 0``.  Each step keeps the conjunction
    equivalent.
    """
    signs = _Signs()
    out: list[sp.Basic] = []
    seen: set[sp.Basic] = set()
    for cond in conds:
        raw_expr = sp.expand(cond.lhs - cond.rhs)
        if raw_expr.is_number:
            if raw_expr > 0:
                continue
            return sp.false
        raw = sp.Poly(raw_expr, *sorted(raw_expr.free_symbols, key=str))
        coeff, factors = raw.factor_list()
        sign = 1 if coeff > 0 else -1
        keep = raw.one
        extra: list[sp.Basic] = []
        for f, k in factors:
            s = signs.sign(f)
            if s is not None:
                sign *= s**k
            elif k % 2 == 0:
                extra.append(sp.Ne(f.as_expr(), 0))
            else:
                keep = keep * f
        if keep.is_ground:
            if sign < 0:
                return sp.false
        else:
            reduced = keep * sign
            rel = _pretty(sp.factor(reduced.as_expr()))
            if rel not in seen:
                seen.add(rel)
                out.append(rel)
            signs.add(reduced)
        signs.add(raw)
        for e in extra:
            if e not in seen:
                seen.add(e)
                out.append(e)
    return sp.And(*out)


def polynomial_stability_region(poly: Any, z: sp.Symbol) -> sp.Basic:
    """Simplified condition for all roots of ``poly`` to lie strictly inside the unit circle.

    Parameters
    ----------
    poly : sympy.Poly or sympy.Expr
        Real polynomial in ``z`` with a nonzero numeric leading coefficient.
    z : sympy.Symbol
        The polynomial variable.

    Returns
    -------
    sympy boolean
        ``And`` of polynomial inequalities (``true`` / ``false`` when decided),
        valid under the assumptions of the symbols involved.

    Raises
    ------
    ValueError
        As for :func:`jury_conditions`.
    """
    return _simplify(jury_conditions(poly, z))


#: Largest size of a symbolic iteration matrix :func:`stability_region` accepts by
#: default: Jury's table of a degree-n polynomial in symbols grows so fast that a
#: dense 4 x 4 matrix in two symbols already takes about ten seconds, larger ones
#: minutes to hours.
MAX_SYMBOLIC_SIZE = 4


def stability_region(R: sp.Matrix, *, max_size: int = MAX_SYMBOLIC_SIZE) -> sp.Basic:
    r"""Region of parameters where :math:`s_{t+1} = R s_t` converges for every start.

    Parameters
    ----------
    R : sympy.Matrix
        Square iteration matrix with entries polynomial in its symbols (for
        example :func:`optheory.symbolic.linear.momentum_matrix`).
    max_size : int
        Largest accepted size of ``R`` when it has symbols (default
        :data:`MAX_SYMBOLIC_SIZE`, checked before any work); numeric matrices
        are not limited.

    Returns
    -------
    sympy boolean
        Simplified ``And`` of polynomial inequalities equivalent to "every root
        of :math:`\det(zI - R)` lies strictly inside the unit circle", under
        the symbols' assumptions (``eta`` and ``lam`` positive).

    Raises
    ------
    ValueError
        ``R`` not a square sympy Matrix, or a symbolic ``R`` larger than ``max_size``.

    Theoretical guarantee
    ---------------------
    Jury's criterion is necessary and sufficient for real polynomials of any
    degree; the simplification only removes factors whose sign is implied by
    the assumptions or by earlier conditions of the same conjunction.
    """
    if not isinstance(R, sp.MatrixBase):
        raise ValueError(f"R must be a square sympy Matrix, got {type(R).__name__}")
    limit = check_positive_int("max_size", max_size)
    if R.free_symbols and R.rows > limit:
        raise ValueError(
            f"R is a {R.rows} x {R.cols} symbolic matrix: its exact stability region is beyond "
            f"the default budget (max_size={limit}; Jury's table grows too fast); raise "
            "max_size, or substitute numbers for some symbols"
        )
    z = sp.Dummy("z")
    return polynomial_stability_region(characteristic_polynomial(R, z), z)

