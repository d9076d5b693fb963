r"""The exact worst case of a linear method over the quadratics in :math:`F(\mu, L)`.

On :math:`f(x) = \tfrac12 x^\top Q x` with the spectrum of :math:`Q` in
:math:`[\mu, L]` every eigen-direction runs the scalar method with its own
curvature :math:`\lambda`: the state obeys :math:`s_{t+1} = R(\lambda) s_t`
(:func:`optheory.symbolic.linear.iteration_matrix`).  From the method's initial
state (:func:`optheory.symbolic.linear.initial_state` with :math:`x_0 = 1`) the
``x`` component after N steps is a polynomial :math:`p_N(\lambda)` of degree N,
:math:`p_N(\lambda) = e_x^\top R(\lambda)^N s_0`, so

.. math::  \sup_{Q} \frac{\|x_N - x_\star\|^2}{\|x_0 - x_\star\|^2}
           = \max_{\lambda \in [\mu, L]} p_N(\lambda)^2 ,

attained by a start along the eigenvector of the maximising :math:`\lambda`.
No SDP: :math:`p_N` is built exactly by sympy; the maximum of :math:`p_N^2` is at
an end of the interval or at a real root of :math:`p_N'` inside it; the roots of
the square-free part of :math:`p_N'` are found with mpmath at 60 digits and
:math:`p_N` evaluated there at 60 digits (far below any SDP solver's accuracy).

The asymptotic rate is the spectral radius :math:`\max_\lambda \rho(R(\lambda))`
(:func:`optheory.analysis.rates.spectral_radius`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from optheory.symbolic._exact import to_exact
from optheory.symbolic.linear import (
    BETA,
    ETA,
    LAM,
    initial_state,
    iteration_matrix,
    method_update,
)

__all__ = ["QuadraticWorstCase", "asymptotic_rate", "quadratic_polynomial", "quadratic_worst_case"]

_DIGITS = 60
#: curvatures sampled (ends included) for the largest spectral radius on [mu, L]
RATE_SAMPLES = 2001


@dataclass(frozen=True)
class QuadraticWorstCase:
    """The exact quadratic worst case of the distance ratio after N steps.

    Attributes
    ----------
    value : float
        :math:`\\max_{\\lambda \\in [\\mu, L]} p_N(\\lambda)^2`.
    lam : float
        A maximising curvature.
    steps : int
    """

    value: float
    lam: float
    steps: int


def quadratic_polynomial(method: str, steps: int, eta: Any, beta: Any) -> sp.Poly:
    r"""The polynomial :math:`p_N(\lambda) = e_x^\top R(\lambda)^N s_0` (exact coefficients).

    Parameters
    ----------
    method : str
        A linear method of :mod:`optheory.symbolic.linear`.
    steps : int
        N >= 0.
    eta, beta : number or sympy number
        Hyperparameters (converted exactly, see :func:`optheory.symbolic._exact.to_exact`).

    Returns
    -------
    sympy.Poly
        In :data:`optheory.symbolic.linear.LAM`.
    """
    return _polynomial(method, int(steps), to_exact(eta, "eta"), to_exact(beta, "beta"))


@lru_cache(maxsize=128)
def _polynomial(method: str, steps: int, eta: sp.Expr, beta: sp.Expr) -> sp.Poly:
    update, state = method_update(method)
    R = iteration_matrix(update, state).subs({ETA: eta, BETA: beta})
    s = sp.Matrix(initial_state(method, sp.Integer(1)))
    for _ in range(steps):
        s = (R * s).applyfunc(sp.expand)
    x_index = [str(v) for v in state].index("x")
    return sp.Poly(s[x_index], LAM, extension=True)


def _mp(value: sp.Expr) -> mpmath.mpf:
    return mpmath.mpf(sp.Float(sp.N(value, _DIGITS + 10), _DIGITS + 10)._mpf_)


def quadratic_worst_case(
    method: str, mu: Any, L: Any, steps: int, params: Mapping[str, Any]
) -> QuadraticWorstCase:
    r"""Exact worst case of :math:`\|x_N - x_\star\|^2 / \|x_0 - x_\star\|^2` over quadratics.

    Parameters
    ----------
    method : str
        A linear method.
    mu, L : number
        The curvature interval :math:`[\mu, L]` (read exactly).
    steps : int
        The horizon N >= 1.
    params : mapping
        ``eta`` and ``beta`` (``beta`` defaults to 0).

    Returns
    -------
    QuadraticWorstCase
    """
    p = quadratic_polynomial(method, steps, params["eta"], params.get("beta", 0))
    lo, hi = to_exact(mu, "mu"), to_exact(L, "L")
    dp = p.diff(LAM)
    if dp.degree() > 0:
        dp = dp.sqf_part()
    with mpmath.workdps(_DIGITS):
        coeffs = [_mp(c) for c in p.all_coeffs()]
        dcoeffs = [_mp(c) for c in dp.all_coeffs()]
        a, b = _mp(lo), _mp(hi)
        candidates = [a, b]
        if len(dcoeffs) > 1:
            roots = mpmath.polyroots(dcoeffs, maxsteps=500, extraprec=300)
            tiny = mpmath.mpf(10) ** (-(_DIGITS // 2))
            candidates += [
                mpmath.re(r) for r in roots if abs(mpmath.im(r)) < tiny and a <= mpmath.re(r) <= b
            ]
        best = max(candidates, key=lambda lam: mpmath.polyval(coeffs, lam) ** 2)
        value = mpmath.polyval(coeffs, best) ** 2
        return QuadraticWorstCase(value=float(value), lam=float(best), steps=int(steps))


def asymptotic_rate(method: str, mu: float, L: float, params: Mapping[str, Any]) -> float:
    r"""Largest spectral radius :math:`\max_{\lambda \in [\mu, L]} \rho(R(\lambda))`.

    Sampled at :data:`RATE_SAMPLES` curvatures, both ends included (for these
    methods the maximum is at an end, see :mod:`optheory.symbolic.tuning`).
    """
    from optheory.analysis.rates import spectral_radius

    lam = np.linspace(float(mu), float(L), RATE_SAMPLES)
    radius = spectral_radius(
        method, float(params["eta"]), lam, float(params.get("beta", 0)) if method != "gd" else 0.0
    )
    return float(np.max(radius))
