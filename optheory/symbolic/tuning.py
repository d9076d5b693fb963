r"""Minimax tuning of linear methods for all curvatures in :math:`[\lambda_{\min}, \lambda_{\max}]`.

For a method with iteration matrix :math:`R(\lambda)` (from
:mod:`optheory.symbolic.linear`) the worst-case rate over the interval is
:math:`\max_{\lambda \in [m, L]} \rho(R(\lambda))`.  The tuning that minimises it
is *derived* here by sympy from the characteristic polynomial
:math:`p_\lambda(z) = \det(zI - R(\lambda))` of degree n; nothing about the
answer is typed in.

Algorithm
---------
At the minimax optimum the rates at both ends are equal,
:math:`\rho(m) = \rho(L) = r`.  For the one-eigenvalue spectra of these
methods the rate, as a function of :math:`\lambda`, first falls (real roots,
the dominant one positive), then rises (the dominant root negative), so it is
largest at the ends; at the small end the best a method can do for a given
step is to make all roots of :math:`p_m` coincide (the double-root / critical
boundary, which minimises the largest root at that end), and at the large end
the dominant root is :math:`-r`.  The equations solved are therefore

.. math::  p_m(z) \equiv (z - r)^n \quad\text{(coefficient by coefficient)},
           \qquad p_L(-r) = 0,

n + 1 polynomial equations for the n + 1 unknowns (step size, momentum when
the method has one, and :math:`r`).  For gradient descent (n = 1) this is
exactly the equal-rates condition :math:`1 - \eta m = r = \eta L - 1`.  Among
sympy's solutions, those kept are real with :math:`\eta > 0`, :math:`0 \le r < 1`,
and whose claimed rate equals the spectral radius computed from the roots of
:math:`p_m` and :math:`p_L` (this discards spurious solutions such as
:math:`r = 0` with :math:`\beta = 0`); the smallest rate is returned.

The structural assumption (rate largest at the interval's ends, optimum on the
critical boundary at :math:`m`) is what reproduces Polyak's heavy-ball tuning
and the quadratic-optimal Nesterov tuning of Lessard, Recht & Packard (2016);
the tests confirm optimality by a grid search over :math:`(\eta, \beta)`.

When :math:`m = L` the optimum is :math:`r = 0` (all roots at 0); a parameter
left free by the equations (Nesterov's :math:`\beta`) is set to 0.
"""

from __future__ import annotations

from functools import cache, lru_cache
from numbers import Rational, Real
from typing import Any

import sympy as sp

from optheory._checks import check_positive
from optheory.methods import check_method, methods_with
from optheory.symbolic._exact import to_exact
from optheory.symbolic.linear import (
    BETA,
    ETA,
    LAM,
    characteristic_polynomial,
    iteration_matrix,
    method_update,
)

__all__ = ["TUNABLE", "minimax_equations", "optimal_parameters"]

#: methods :func:`optimal_parameters` accepts
TUNABLE: tuple[str, ...] = methods_with("tune")

_Z = sp.Symbol("z")
_RATE = sp.Symbol("r", real=True)
_DIGITS = 60  # precision of the numeric checks that select among exact solutions
_TOL = sp.Float("1e-20", _DIGITS)  # a double root is only resolved to ~sqrt(1e-60)
#: largest lam_max / lam_min accepted: beyond it the rate differs from 1 by less
#: than the 60-digit checks resolve and root finding stops converging
MAX_CONDITION = 1e12


@cache
def _polynomial(method: str) -> tuple[sp.Poly, tuple[sp.Symbol, ...]]:
    R = iteration_matrix(*method_update(method))
    p = characteristic_polynomial(R, _Z)
    params = tuple(s for s in (ETA, BETA) if s in p.free_symbols)
    return p, params


def minimax_equations(method: str, lam_min: Any, lam_max: Any) -> list[sp.Expr]:
    r"""The polynomial equations (each ``== 0``) whose solution is the minimax tuning.

    Parameters
    ----------
    method : str
        One of :data:`TUNABLE`.
    lam_min, lam_max : number or sympy expression
        Ends of the curvature interval (symbols allowed here).

    Returns
    -------
    list of sympy.Expr
        Coefficients of :math:`p_{m}(z) - (z - r)^n` and :math:`p_{L}(-r)`, in
        ``eta``, ``beta`` (when the method has it) and the rate symbol ``r``.

    Raises
    ------
    ValueError
        Unknown method.
    """
    check_method(method, "tune")
    p, _ = _polynomial(method)
    n = p.degree()
    lo = sp.Poly(p.as_expr().subs(LAM, lam_min) - (_Z - _RATE) ** n, _Z)
    eqs = [sp.expand(c) for c in lo.all_coeffs()]
    eqs.append(sp.expand(p.as_expr().subs({LAM: lam_max, _Z: -_RATE})))
    return [e for e in eqs if e != 0]


def _spectral_radius(p: sp.Poly, values: dict[sp.Symbol, sp.Expr], lam: sp.Expr) -> sp.Float:
    numeric = sp.Poly(p.as_expr().subs(values).subs(LAM, lam), _Z)
    roots = numeric.nroots(n=_DIGITS, maxsteps=200)
    return max((sp.Abs(r) for r in roots), default=sp.Float(0, _DIGITS))


@lru_cache(maxsize=256)
def _solve(method: str, m: sp.Expr, L: sp.Expr) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    p, params = _polynomial(method)
    unknowns = [*params, _RATE]
    eqs = minimax_equations(method, m, L)
    if m == L:
        eqs = [e.subs(_RATE, 0) for e in eqs]
        unknowns = list(params)
    found = sp.solve(eqs, unknowns, dict=True)
    best: tuple[sp.Float, tuple[sp.Expr, sp.Expr, sp.Expr]] | None = None
    for sol in found:
        values = {s: sp.radsimp(sol.get(s, sp.Integer(0))) for s in params}
        rate = sp.radsimp(sol.get(_RATE, sp.Integer(0)))
        if any(v.free_symbols for v in (*values.values(), rate)):
            continue
        num = {k: v.evalf(_DIGITS) for k, v in values.items()}
        r = rate.evalf(_DIGITS)
        if any(not v.is_real for v in (*num.values(), r)):
            continue
        if not (num[ETA] > 0 and -_TOL <= r < 1):
            continue
        if any(abs(_spectral_radius(p, values, lam) - r) > _TOL for lam in (m, L)):
            continue
        if best is None or r < best[0]:
            best = (r, (values[ETA], values.get(BETA, sp.Integer(0)), rate))
    if best is None:  # pragma: no cover - would mean the ansatz has no valid solution
        raise RuntimeError(f"no valid minimax solution for {method} on [{m}, {L}]")
    return best[1]


def _is_float(value: Any) -> bool:
    """A real number that is not exact (float, numpy floating), as opposed to int/Fraction/sympy."""
    return isinstance(value, Real) and not isinstance(value, Rational | sp.Basic)


def optimal_parameters(method: str, lam_min: Any, lam_max: Any) -> dict[str, Any]:
    r"""Step size, momentum and rate minimising the worst-case spectral radius on an interval.

    Parameters
    ----------
    method : str
        ``"gd"``, ``"momentum"`` (textbook heavy ball), ``"polyak"``, ``"ema"``
        or ``"nesterov"`` (update rules in :mod:`optheory.symbolic.linear`).
    lam_min, lam_max : number
        Curvature interval, :math:`0 < \lambda_{\min} \le \lambda_{\max}`, finite.
        Exact input (int, ``Fraction``, sympy numbers) gives exact sympy
        numbers; if either end is a float the result is floats (the float is
        read as the decimal it prints as, solved exactly, then rounded once).

    Returns
    -------
    dict
        ``{"eta": ..., "beta": ..., "rate": ...}``; ``beta`` is 0 for ``"gd"``.
        ``rate`` is the worst-case spectral radius, reached at both ends.

    Raises
    ------
    ValueError
        Unknown method, non-numbers, non-finite or non-positive ends,
        ``lam_min > lam_max``, or a condition number ``lam_max / lam_min``
        above :data:`MAX_CONDITION`.

    Theoretical guarantee
    ---------------------
    See the module docstring for the equations and the assumption behind them.
    For ``"gd"`` this gives :math:`\eta = 2/(m+L)`, for heavy ball Polyak's
    tuning and for Nesterov the Lessard-Recht-Packard tuning (checked in the
    tests against those formulas and by grid search).
    """
    check_method(method, "tune")
    m = to_exact(lam_min, "lam_min")
    L = to_exact(lam_max, "lam_max")
    for name, v in (("lam_min", m), ("lam_max", L)):
        if v.free_symbols or not v.is_real:
            raise ValueError(f"{name} must be a real number, got {v}")
        check_positive(name, v)
    if sp.simplify(m - L).is_positive:
        raise ValueError(f"lam_min must be <= lam_max, got lam_min={lam_min}, lam_max={lam_max}")
    if (L / m).evalf(30) > MAX_CONDITION:
        raise ValueError(
            f"condition number lam_max/lam_min = {float(L / m):.3g} is too large "
            f"(at most {MAX_CONDITION:.0e}): raise lam_min or lower lam_max"
        )
    eta, beta, rate = _solve(method, m, L)
    if _is_float(lam_min) or _is_float(lam_max):
        return {"eta": float(eta), "beta": float(beta), "rate": float(rate)}
    return {"eta": eta, "beta": beta, "rate": rate}
