r"""Regime, eigenvalues and spectral radius of a linear method at one point, decided exactly.

For any method of :mod:`optheory.symbolic.linear` the iteration matrix
:math:`R(\eta, \beta, \lambda)` and its characteristic polynomial
:math:`p(z) = \det(zI - R)` are derived by sympy; at a point of exact numbers

* the stability region (Jury, :func:`optheory.symbolic.stability.stability_region`)
  decides convergence,
* the eigenvalues are the exact roots of :math:`p` (``sympy.roots``), the
  spectral radius the largest modulus,
* the regime follows the names of Goh, "Why Momentum Really Works" (Distill,
  2017) as :func:`optheory.symbolic.heavy_ball.regime_conditions` defines them
  for heavy ball, generalised to any polynomial of degree 1 or 2 through its
  discriminant :math:`D`, root sum :math:`s` and root product :math:`q`:
  ``divergence`` (outside the region), ``one_step`` (every root 0),
  ``ripples`` (:math:`D < 0`), ``critical`` (:math:`D = 0`), ``monotone``
  (real roots, all :math:`\ge 0`), ``oscillation`` (a negative real root).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import sympy as sp

from optheory._checks import check_positive
from optheory.methods import check_method
from optheory.symbolic._exact import to_exact
from optheory.symbolic.linear import (
    BETA,
    ETA,
    LAM,
    characteristic_polynomial,
    iteration_matrix,
    method_update,
)
from optheory.symbolic.stability import stability_region

__all__ = ["PointAnalysis", "REGIMES", "analyse_point"]

#: Regime names, as in :data:`optheory.symbolic.heavy_ball.REGIMES`.
REGIMES: tuple[str, ...] = ("divergence", "one_step", "ripples", "critical", "monotone", "oscillation")

_Z = sp.Symbol("z")
_DIGITS = 60


@dataclass(frozen=True)
class PointAnalysis:
    """What :func:`analyse_point` finds.

    Attributes
    ----------
    regime : str
        One of :data:`REGIMES`.
    eigenvalues : tuple of sympy.Expr
        Exact roots of :math:`\\det(zI - R)` with multiplicity.
    radius : sympy.Expr
        Exact spectral radius :math:`\\max_i |z_i|`.
    stable : bool
        Inside the Jury region (equivalently ``radius < 1``).
    """

    regime: str
    eigenvalues: tuple[sp.Expr, ...]
    radius: sp.Expr
    stable: bool


@cache
def _derived(method: str) -> tuple[sp.Poly, sp.Basic]:
    R = iteration_matrix(*method_update(method))
    return characteristic_polynomial(R, _Z), stability_region(R)


def _sign(value: sp.Expr) -> int:
    value = sp.radsimp(sp.expand(value))
    if value.is_zero or value.equals(0):
        return 0
    return 1 if value.evalf(_DIGITS) > 0 else -1


def _holds(boolean: sp.Basic, point: dict[sp.Symbol, sp.Expr]) -> bool:
    """Exact truth of an And/Or of strict or non-strict relations at a point."""
    if boolean in (sp.true, sp.false):
        return bool(boolean)
    if isinstance(boolean, sp.And):
        return all(_holds(a, point) for a in boolean.args)
    if isinstance(boolean, sp.Or):
        return any(_holds(a, point) for a in boolean.args)
    s = _sign((boolean.lhs - boolean.rhs).xreplace(point))
    tests = {sp.StrictGreaterThan: s > 0, sp.StrictLessThan: s < 0, sp.GreaterThan: s >= 0,
             sp.LessThan: s <= 0, sp.Eq: s == 0, sp.Ne: s != 0}
    return tests[type(boolean)]


def _number(name: str, value: Any) -> sp.Expr:
    out = to_exact(value, name)
    if out.free_symbols or not out.is_real or not out.is_finite:
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return out


def analyse_point(method: str, eta: Any, lam: Any, beta: Any = 0) -> PointAnalysis:
    r"""Regime, exact eigenvalues and spectral radius of ``method`` at one point.

    Parameters
    ----------
    method : str
        A method with a linear update rule (``optheory.methods.methods_with("linear")``).
    eta, lam : number
        Step size and curvature, > 0 (floats are read as the decimal they print as).
    beta : number
        Momentum parameter; must be 0 for ``"gd"``.

    Returns
    -------
    PointAnalysis

    Raises
    ------
    ValueError
        A method without a linear update rule, non-numbers, ``eta`` or ``lam``
        not > 0, ``beta != 0`` for gd.
    """
    check_method(method, "linear")
    point = {ETA: _number("eta", eta), LAM: _number("lam", lam), BETA: _number("beta", beta)}
    check_positive("eta", point[ETA])
    check_positive("lam", point[LAM])
    poly, region = _derived(method)
    if BETA not in poly.free_symbols and point[BETA] != 0:
        raise ValueError(f"beta must be 0 for method {method!r} (it has no momentum)")
    p = sp.Poly(poly.as_expr().xreplace(point), _Z)
    roots = tuple(sp.roots(p, _Z, multiple=True))
    if len(roots) != p.degree():  # pragma: no cover - degrees 1 and 2 always solve
        raise RuntimeError(f"sympy did not solve {p}")
    moduli = [sp.sqrt(sp.expand(r * sp.conjugate(r))) for r in roots]
    radius = max(moduli, key=lambda m: m.evalf(_DIGITS))
    stable = _holds(region, point)
    coeffs = p.all_coeffs()
    if not stable:
        name = "divergence"
    elif all(_sign(c) == 0 for c in coeffs[1:]):
        name = "one_step"
    elif p.degree() == 1:
        name = "monotone" if _sign(-coeffs[1]) > 0 else "oscillation"
    else:
        _, a1, a0 = coeffs
        disc = _sign(a1**2 - 4 * a0)
        if disc < 0:
            name = "ripples"
        elif disc == 0:
            name = "critical"
        else:
            name = "monotone" if _sign(-a1) >= 0 and _sign(a0) >= 0 else "oscillation"
    return PointAnalysis(name, tuple(sp.nsimplify(r) if r.is_Rational else r for r in roots),
                         sp.simplify(radius), stable)
