r"""The worst spectral radius of a linear method over a curvature interval, exactly.

For fixed :math:`\eta, \beta` the rate of a linear method on every quadratic
whose Hessian eigenvalues lie in :math:`[\lambda_{\min}, \lambda_{\max}]` is

.. math::  q = \max_{\lambda \in [\lambda_{\min}, \lambda_{\max}]} \rho(R(\eta, \beta, \lambda)).

:func:`optheory.analysis.rates.modulus_form` gives :math:`\rho` through the
roots' centre :math:`h(\lambda)` and product :math:`p(\lambda)`, both
polynomials in :math:`\lambda`: :math:`\rho = \sqrt{p}` where
:math:`D = h^2 - p < 0`, else :math:`|h| + \sqrt{D}`.  :math:`\rho` is
continuous, so its maximum on the interval is attained at an end, at a kink
(:math:`D = 0` or :math:`h = 0`) or at a stationary point of a smooth piece:
:math:`p' = 0` (complex pair) or :math:`D'^2 = 4 h'^2 D` (real roots, from
:math:`\pm h' + D'/(2\sqrt D) = 0` squared).  Each of these polynomials is
solved exactly by sympy, :math:`\rho` is evaluated exactly at every candidate
inside the interval, and the largest is returned: a derivation, not a grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from optheory.analysis.rates import _B, _E, _L, modulus_form
from optheory.methods import check_method
from optheory.symbolic._exact import to_exact

__all__ = ["IntervalRate", "interval_rate"]

_DIGITS = 50


@dataclass(frozen=True)
class IntervalRate:
    """Outcome of :func:`interval_rate`.

    Attributes
    ----------
    rate : sympy.Expr
        Exact :math:`\\max_\\lambda \\rho`.
    worst_lam : sympy.Expr
        A curvature where it is attained (the smallest such candidate).
    at_ends : tuple of sympy.Expr
        :math:`\\rho` at :math:`\\lambda_{\\min}` and at :math:`\\lambda_{\\max}`.
    candidates : tuple of sympy.Expr
        Every curvature examined (ends, kinks, stationary points), ascending.
    """

    rate: sp.Expr
    worst_lam: sp.Expr
    at_ends: tuple[sp.Expr, sp.Expr]
    candidates: tuple[sp.Expr, ...]


def _number(name: str, value: Any) -> sp.Expr:
    out = to_exact(value, name)
    if out.free_symbols or not out.is_real or not out.is_finite:
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return out


def _rho(h: sp.Expr, p: sp.Expr, lam: sp.Expr) -> sp.Expr:
    hv = sp.radsimp(sp.expand(h.subs(_L, lam)))
    pv = sp.radsimp(sp.expand(p.subs(_L, lam)))
    d = sp.radsimp(sp.expand(hv**2 - pv))
    if d.is_zero is not True and d.evalf(_DIGITS) < 0:
        return sp.sqrt(pv)
    return sp.Abs(hv) + sp.sqrt(d)


def interval_rate(method: str, eta: Any, beta: Any, lam_min: Any, lam_max: Any) -> IntervalRate:
    r"""Exact worst spectral radius of ``method`` over curvatures in ``[lam_min, lam_max]``.

    Parameters
    ----------
    method : str
        A method with a closed-form rate (``optheory.methods.methods_with("rate")``).
    eta : number
        Step size > 0 (floats are read as the decimal they print as).
    beta : number
        Momentum parameter; 0 for ``"gd"``.
    lam_min, lam_max : number
        The interval, ``lam_min <= lam_max`` (any reals).

    Returns
    -------
    IntervalRate

    Raises
    ------
    ValueError
        A method without a closed-form rate, non-numbers, ``eta <= 0``,
        ``beta != 0`` for gd, ``lam_min > lam_max``.
    """
    check_method(method, "rate")
    e, b = _number("eta", eta), _number("beta", beta)
    m, L = _number("lam_min", lam_min), _number("lam_max", lam_max)
    if not e > 0:
        raise ValueError(f"eta must be > 0, got {eta!r}")
    if method == "gd" and b != 0:
        raise ValueError("beta must be 0 for method 'gd' (it has no momentum)")
    if m > L:
        raise ValueError(f"lam_min must be <= lam_max, got {lam_min!r} > {lam_max!r}")
    form = modulus_form(method)
    h = sp.expand(form.center.subs({_E: e, _B: b}))
    p = sp.expand(form.product.subs({_E: e, _B: b}))
    d = sp.expand(h**2 - p)
    dh, dd = sp.diff(h, _L), sp.diff(d, _L)
    equations = [d, h, sp.diff(p, _L), sp.expand(dd**2 - 4 * dh**2 * d)]
    candidates = {m, L}
    for eq in equations:
        poly = sp.Poly(eq, _L)
        if poly.is_zero or poly.degree() < 1:
            continue
        for root in poly.real_roots():
            if m < root < L:
                candidates.add(root)
    ordered = sorted(candidates, key=lambda c: c.evalf(_DIGITS))
    values = [(_rho(h, p, c), c) for c in ordered]
    rate, worst = max(values, key=lambda v: v[0].evalf(_DIGITS))
    return IntervalRate(sp.nsimplify(rate) if rate.is_Rational else sp.simplify(rate), worst,
                        (_rho(h, p, m), _rho(h, p, L)), tuple(ordered))
