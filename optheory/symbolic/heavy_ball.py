r"""Heavy ball on one eigen-direction: eigenvalues, regimes and closed-form powers.

Everything starts from the textbook momentum update on
:math:`f(x) = \lambda x^2 / 2` (state :math:`(v, x)`), turned into its
iteration matrix :math:`R` by :func:`optheory.symbolic.linear.momentum_matrix`.
From :math:`p(z) = \det(zI - R) = z^2 + a_1 z + a_0` sympy derives

* the eigenvalues :math:`\sigma_{1,2}` (``sympy.roots``) and the discriminant
  :math:`D = a_1^2 - 4 a_0`,
* the stability region (Jury, :mod:`optheory.symbolic.stability`),
* the regimes named by Goh, "Why Momentum Really Works" (Distill, 2017):
  monotone decrease, oscillation, ripples, critical damping, one-step
  convergence and divergence, as conditions on :math:`D`, on the sum
  :math:`-a_1` and the product :math:`a_0` of the roots (Vieta),
* the curves separating them, solved for :math:`\beta` as functions of
  :math:`\eta\lambda`,
* :math:`R^t` in closed form by Cayley-Hamilton interpolation.

Textbook: "Dive into Deep Learning", section "Momentum", subsection "Scalar
Functions" (claims ``momentum.matrix`` and ``momentum.region``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sympy as sp

from optheory._checks import check_finite, check_positive
from optheory.symbolic._exact import to_exact
from optheory.symbolic.linear import BETA, ETA, LAM, characteristic_polynomial, momentum_matrix
from optheory.symbolic.stability import stability_region

__all__ = [
    "REGIMES",
    "Z",
    "characteristic",
    "discriminant",
    "eigenvalues",
    "matrix_power",
    "matrix_power_repeated",
    "momentum_power",
    "regime",
    "regime_boundaries",
    "regime_conditions",
    "ripple_modulus",
]

#: variable of the characteristic polynomial
Z = sp.Symbol("z")
#: regime names, in the order :func:`regime` tests them
REGIMES: tuple[str, ...] = (
    "divergence",
    "one_step",
    "ripples",
    "critical",
    "monotone",
    "oscillation",
)
_U = sp.Symbol("u", positive=True)  # eta * lam


@lru_cache(maxsize=1)
def characteristic() -> sp.Poly:
    r"""Characteristic polynomial :math:`\det(zI - R)` of textbook momentum, in :data:`Z`.

    Returns
    -------
    sympy.Poly
        Monic quadratic in ``z`` with coefficients in ``eta``, ``lam``, ``beta``.
    """
    return characteristic_polynomial(momentum_matrix(), Z)


def _vieta() -> tuple[sp.Expr, sp.Expr]:
    """(sum, product) of the two roots, read off the characteristic polynomial."""
    _, a1, a0 = characteristic().all_coeffs()
    return sp.expand(-a1), sp.expand(a0)


def eigenvalues() -> tuple[sp.Expr, sp.Expr]:
    r"""The two eigenvalues :math:`\sigma_1, \sigma_2` of momentum's :math:`R`.

    Returns
    -------
    tuple of sympy.Expr
        Roots of :func:`characteristic` from ``sympy.roots`` (quadratic formula),
        as functions of ``eta``, ``lam``, ``beta``; ``sigma_1`` carries the
        ``+sqrt(D)/2`` branch.
    """
    found = sp.roots(characteristic(), Z, multiple=True)
    if len(found) != 2:  # pragma: no cover - sympy always solves a quadratic
        raise RuntimeError("sympy did not return two roots for a quadratic")
    total, _ = _vieta()
    half_gap = sp.sqrt(discriminant()) / 2
    plus = [r for r in found if sp.expand(r - total / 2 - half_gap) == 0]
    first = plus[0] if plus else found[0]
    second = found[1] if first is found[0] else found[0]
    return first, second


def discriminant() -> sp.Expr:
    r"""Discriminant :math:`D = a_1^2 - 4 a_0` of :func:`characteristic`.

    Returns
    -------
    sympy.Expr
        From ``sympy.discriminant``, expanded.
    """
    return sp.expand(sp.discriminant(characteristic().as_expr(), Z))


def ripple_modulus() -> sp.Expr:
    r"""Modulus of the complex eigenvalues when :math:`D < 0`.

    For a complex pair :math:`\sigma_2 = \bar\sigma_1`, so
    :math:`|\sigma|^2 = \sigma_1 \sigma_2`, the product of the roots, which
    sympy multiplies out from :func:`eigenvalues`.

    Returns
    -------
    sympy.Expr
        :math:`\sqrt{\sigma_1 \sigma_2}` simplified (depends on ``beta`` only).
    """
    s1, s2 = eigenvalues()
    return sp.sqrt(sp.simplify(sp.expand(s1 * s2)))


@lru_cache(maxsize=1)
def regime_conditions() -> dict[str, sp.Basic]:
    r"""Derived conditions, one per regime, on ``eta``, ``lam``, ``beta``.

    Returns
    -------
    dict
        Regime name (see :data:`REGIMES`) -> sympy boolean.  With stable
        region :math:`S` (Jury), discriminant :math:`D`, root sum :math:`s`
        and product :math:`q`:

        * ``divergence``: not :math:`S` (spectral radius >= 1; on the boundary
          the error does not decay either),
        * ``one_step``: :math:`s = q = 0` (both roots 0, :math:`R^2 = 0`),
        * ``ripples``: :math:`S`, :math:`D < 0` (complex pair),
        * ``critical``: :math:`S`, :math:`D = 0`, not one-step (double root),
        * ``monotone``: :math:`S`, :math:`D > 0`, :math:`s \ge 0`,
          :math:`q \ge 0` (both real roots >= 0),
        * ``oscillation``: :math:`S`, :math:`D > 0` and a negative real root.

        The conditions are mutually exclusive and cover every point.
    """
    stable = stability_region(momentum_matrix())
    disc = discriminant()
    total, product = _vieta()
    one_step = sp.And(sp.Eq(total, 0), sp.Eq(product, 0))
    real_nonneg = sp.And(total >= 0, product >= 0)
    return {
        "divergence": sp.Not(stable),
        "one_step": sp.And(stable, one_step),
        "ripples": sp.And(stable, disc < 0),
        "critical": sp.And(stable, sp.Eq(disc, 0), sp.Not(one_step)),
        "monotone": sp.And(stable, disc > 0, real_nonneg),
        "oscillation": sp.And(stable, disc > 0, sp.Not(real_nonneg)),
    }


def _in_terms_of_u(expr: sp.Expr) -> sp.Expr:
    """Rewrite an expression in eta, lam that depends on eta*lam only, in u = eta*lam."""
    out = sp.simplify(expr.subs(ETA, _U / LAM))
    if LAM in out.free_symbols:  # pragma: no cover - momentum depends on eta*lam only
        raise RuntimeError(f"{expr} does not depend on eta*lam alone")
    return out


@lru_cache(maxsize=1)
def regime_boundaries() -> dict[str, tuple[sp.Expr, ...]]:
    r"""Curves :math:`\beta = \beta(\eta\lambda)` that separate the regimes.

    Returns
    -------
    dict
        ``"critical"``: branches of :math:`D = 0` solved for :math:`\beta` that
        meet the stable region (ripples vs real roots; the double root);
        ``"zero_root"``: :math:`q = 0` solved for :math:`\beta` (monotone vs
        oscillation on :math:`\eta\lambda < 1`); ``"stability"``: every
        boundary polynomial of the Jury region solved for :math:`\beta`.
        Values are tuples of sympy expressions in ``eta`` and ``lam`` (through
        ``eta*lam``), sorted by their value at :math:`\eta\lambda = 1/2`.

    Algorithm
    ---------
    Substitute :math:`\eta = u/\lambda`, ``sympy.solve`` each polynomial for
    :math:`\beta`, keep the critical branches that lie inside the stable
    region at some sample :math:`u \in (0, 4)`, and put :math:`u = \eta\lambda`
    back.
    """
    stable_u = stability_region(momentum_matrix()).subs(ETA, _U / LAM)
    samples = [sp.Rational(k, 4) for k in range(1, 16)]

    def solved(poly: sp.Expr) -> list[sp.Expr]:
        return [sp.simplify(b) for b in sp.solve(_in_terms_of_u(poly), BETA)]

    critical = [
        b
        for b in solved(discriminant())
        if any(stable_u.subs({_U: u, BETA: b.subs(_U, u)}) == sp.true for u in samples)
    ]
    _, product = _vieta()
    stability: list[sp.Expr] = []
    for rel in sp.And.make_args(stability_region(momentum_matrix())):
        stability.extend(solved(rel.lhs - rel.rhs))

    def back(values: list[sp.Expr]) -> tuple[sp.Expr, ...]:
        ordered = sorted(set(values), key=lambda b: float(b.subs(_U, sp.Rational(1, 2))))
        return tuple(b.subs(_U, ETA * LAM) for b in ordered)

    return {
        "critical": back(critical),
        "zero_root": back(solved(product)),
        "stability": back(stability),
    }


def _number(name: str, value: Any) -> sp.Expr:
    """Exact sympy number for a user value (floats read as the decimal they print as)."""
    out = to_exact(value, name)
    if out.free_symbols or not out.is_real:
        raise ValueError(f"{name} must be a real number, got {value!r}")
    check_finite(name, out)
    return out


def _sign(value: sp.Expr) -> int:
    value = sp.radsimp(sp.expand(value))
    if value.is_zero or value.equals(0):
        return 0
    numeric = value.evalf(60)
    return 1 if numeric > 0 else -1


_RELATIONS = {
    sp.StrictGreaterThan: lambda s: s > 0,
    sp.StrictLessThan: lambda s: s < 0,
    sp.GreaterThan: lambda s: s >= 0,
    sp.LessThan: lambda s: s <= 0,
    sp.Eq: lambda s: s == 0,
    sp.Ne: lambda s: s != 0,
}


def _decide(boolean: sp.Basic, point: dict[sp.Symbol, sp.Expr]) -> bool:
    """Exact truth value of a boolean of relations at a point of exact numbers."""
    if boolean in (sp.true, sp.false):
        return bool(boolean)
    if isinstance(boolean, sp.And):
        return all(_decide(a, point) for a in boolean.args)
    if isinstance(boolean, sp.Or):
        return any(_decide(a, point) for a in boolean.args)
    if isinstance(boolean, sp.Not):
        return not _decide(boolean.args[0], point)
    test = _RELATIONS[type(boolean)]
    return bool(test(_sign((boolean.lhs - boolean.rhs).subs(point))))


def regime(eta: Any, lam: Any, beta: Any) -> str:
    r"""Regime of heavy ball at one point, decided exactly with the derived conditions.

    Parameters
    ----------
    eta : number
        Step size > 0 (int, Fraction, float, or an exact sympy number such as
        ``(1 - sqrt(2)/2)**2``).  A float is read as the decimal it prints as.
    lam : number
        Curvature > 0.
    beta : number
        Momentum parameter (any real number).

    Returns
    -------
    str
        One of :data:`REGIMES`.

    Raises
    ------
    ValueError
        Non-numbers, non-finite values, or ``eta`` / ``lam`` not > 0.
    """
    point = {ETA: _number("eta", eta), LAM: _number("lam", lam), BETA: _number("beta", beta)}
    check_positive("eta", point[ETA])
    check_positive("lam", point[LAM])
    hits = [name for name, cond in regime_conditions().items() if _decide(cond, point)]
    if len(hits) != 1:  # pragma: no cover - the conditions partition the plane
        raise RuntimeError(f"regime conditions overlap or miss at {point}: {hits}")
    return hits[0]


def _check_2x2(R: sp.Matrix) -> None:
    if R.shape != (2, 2):
        raise ValueError(f"R must be 2x2; got shape {R.shape}")


def matrix_power(R: sp.Matrix, t: Any) -> sp.Matrix:
    r"""Closed form of :math:`R^t` for a 2x2 matrix with distinct eigenvalues.

    Parameters
    ----------
    R : sympy.Matrix
        2x2 matrix (symbolic entries allowed).
    t : int or sympy.Symbol
        The power (a nonnegative integer symbol for a general formula).

    Returns
    -------
    sympy.Matrix
        :math:`a_t R + b_t I`, with :math:`a_t, b_t` solved by sympy from
        :math:`\sigma_i^t = a_t \sigma_i + b_t` (Cayley-Hamilton:
        every power of :math:`R` is affine in :math:`R`), i.e.
        :math:`(\sigma_1^t (R - \sigma_2 I) - \sigma_2^t (R - \sigma_1 I)) /
        (\sigma_1 - \sigma_2)`.

    Raises
    ------
    ValueError
        ``R`` not 2x2, or its eigenvalues coincide (use :func:`matrix_power_repeated`).
    """
    _check_2x2(R)
    z = sp.Dummy("z")
    s1, s2 = sp.roots(characteristic_polynomial(R, z), z, multiple=True)
    if sp.simplify(s1 - s2) == 0:
        raise ValueError("R has a repeated eigenvalue; use matrix_power_repeated")
    a, b = sp.symbols("a b")
    p1, p2 = sp.Dummy("sigma_1"), sp.Dummy("sigma_2")
    sol = sp.solve([p1**t - (a * p1 + b), p2**t - (a * p2 + b)], [a, b], dict=True)[0]
    at_roots = {p1: s1, p2: s2}
    return sp.factor(sol[a]).subs(at_roots) * R + sp.factor(sol[b]).subs(at_roots) * sp.eye(2)


def matrix_power_repeated(R: sp.Matrix, t: Any) -> sp.Matrix:
    r"""Closed form of :math:`R^t` for a 2x2 matrix with a double eigenvalue :math:`\sigma`.

    Parameters
    ----------
    R : sympy.Matrix
        2x2 matrix whose characteristic polynomial has a double root (for
        symbolic entries this is assumed, e.g. on the critical curve).
    t : int or sympy.Symbol
        The power.

    Returns
    -------
    sympy.Matrix
        :math:`a_t R + b_t I` with :math:`a_t, b_t` solved from
        :math:`\sigma^t = a_t \sigma + b_t` and its derivative in
        :math:`\sigma`, :math:`t \sigma^{t-1} = a_t` (the double root is the
        root of :math:`p'`); this is :math:`\sigma^{t-1}(t R - (t-1)\sigma I)`.

    Raises
    ------
    ValueError
        ``R`` not 2x2, or (for numeric ``R``) its eigenvalues are distinct.
    """
    _check_2x2(R)
    z = sp.Dummy("z")
    p = characteristic_polynomial(R, z)
    (s,) = sp.solve(sp.diff(p.as_expr(), z), z)
    if not R.free_symbols and sp.simplify(p.as_expr().subs(z, s)) != 0:
        raise ValueError("R has distinct eigenvalues; use matrix_power")
    a, b = sp.symbols("a b")
    sig = sp.Dummy("sigma")
    eqs = [sig**t - (a * sig + b), sp.diff(sig**t - (a * sig + b), sig)]
    sol = sp.solve(eqs, [a, b], dict=True)[0]
    return sp.simplify(sol[a].subs(sig, s)) * R + sp.simplify(sol[b].subs(sig, s)) * sp.eye(2)


def momentum_power(t: Any, repeated: bool = False) -> sp.Matrix:
    r""":math:`R^t` for textbook momentum in ``eta``, ``lam``, ``beta`` and ``t``.

    Parameters
    ----------
    t : int or sympy.Symbol
        The power.
    repeated : bool
        False: distinct eigenvalues (:func:`matrix_power`); True: the
        critical case :math:`D = 0` (:func:`matrix_power_repeated`).

    Returns
    -------
    sympy.Matrix
        The closed form; it equals ``momentum_matrix()**t`` wherever its case applies.
    """
    R = momentum_matrix()
    return matrix_power_repeated(R, t) if repeated else matrix_power(R, t)
