r"""Leaky (exponential moving) averages, derived from their recurrence.

A leaky average of a sequence :math:`g_1, g_2, \dots` is the recurrence

.. math::  v_t = \beta v_{t-1} + (1 - \beta) g_t, \qquad v_0 = 0,

used by RMSProp (:math:`\beta = \gamma`), Adadelta (:math:`\beta = \rho`) and
Adam (:math:`\beta_1, \beta_2`); momentum uses the undamped form
:math:`v_t = \beta v_{t-1} + g_t` whose weights are :math:`\beta^i`.

Every closed form here comes out of sympy working on that recurrence or on a
sum of its weights (``rsolve``, ``summation``, ``solve``); none is typed in.
Infinite sums are taken on the branch sympy returns for the convergent case,
which is selected by asking ``solveset`` whether the branch condition holds on
the whole interval :math:`0 \le \beta < 1`.

Textbook: "Dive into Deep Learning", sections "Momentum" (leaky averages),
"RMSProp", "Adadelta" and "Adam" (bias correction).  Claims decided with these
functions: ``momentum.effective-weight``, ``rmsprop.expansion``,
``rmsprop.weights-sum``, ``rmsprop.half-life``, ``adadelta.half-life``,
``adam.weights-sum``, ``adam.bias-correction``, ``adam.example``.

Number handling: symbolic input gives a simplified sympy expression; exact
numeric input (int, Fraction, sympy Rational) gives an exact sympy number; a
float gives a float (computed exactly from the decimal it denotes, then
rounded once).  An exact power ``beta**t`` estimated above
:data:`MAX_EXACT_DIGITS` digits (``(9/10)**(10**9)``) is not formed: the derived
expression is then evaluated with a 30-digit ``sympy.Float`` beta and the result
is a 30-digit ``sympy.Float``.
"""

from __future__ import annotations

import numbers
from functools import cache
from typing import Any

import sympy as sp

from optheory._checks import check_in_range, check_positive_int
from optheory.symbolic._exact import to_exact

__all__ = [
    "average_variance",
    "bias_correction",
    "ema_coefficients",
    "ema_expansion",
    "ema_weight_sum",
    "ema_weights",
    "effective_sample_size",
    "effective_weight",
    "half_life",
    "mean_lag",
]

# Internal symbols the derivations run on; the user's value is substituted last.
_B = sp.Symbol("beta", real=True)
_I = sp.Symbol("i", integer=True, nonnegative=True)
_T = sp.Symbol("t", integer=True, positive=True)
_H = sp.Symbol("h", real=True)
_SIGMA2 = sp.Symbol("sigma2", nonnegative=True)
_UNIT = sp.Interval.Ropen(0, 1)
_FLOAT_DIGITS = 30

Value = Any  # a sympy expression or a float


# --------------------------------------------------------------------- input
def _coerce_beta(beta: Any, name: str, *, low_open: bool = False) -> tuple[sp.Expr, bool]:
    """Return (exact sympy value, came_as_float); range-check numeric input."""
    value = to_exact(beta, name)
    is_float = _is_float(beta)
    if not value.free_symbols:
        check_in_range(name, beta, 0.0, 1.0, low_open=low_open, high_open=True)
    return value, is_float


def _is_float(value: Any) -> bool:
    """Python, numpy (any width) or sympy floats; not ints, Fractions or symbols."""
    if isinstance(value, sp.Basic):
        return bool(value.is_Float)
    return isinstance(value, numbers.Real) and not isinstance(value, numbers.Rational)


def _num(value: sp.Expr, as_float: bool) -> sp.Expr:
    """The value substituted into a derived expression.

    Float input is substituted as a 30-digit ``sympy.Float`` of the decimal it
    denotes, so the derived expression is evaluated in floating point (exact
    rationals such as ``(999/1000)**(10**6)`` have millions of digits).
    """
    if as_float and not value.free_symbols:
        return sp.Float(value, _FLOAT_DIGITS)
    return value


#: Largest estimated number of digits of an exact power ``beta**t``; beyond it the
#: derived expression is evaluated in 30-digit floating point instead (the exact
#: rational of ``(9/10)**(10**9)`` has about two billion digits).
MAX_EXACT_DIGITS = 10_000
#: Most steps an unrolled average (``ema_expansion``) may have: one symbol per step.
MAX_UNROLLED_STEPS = 2_000


def _float_form(b: sp.Expr, exponent: sp.Expr, as_float: bool) -> bool:
    """Whether to evaluate in floating point: asked for, or ``b**exponent`` too long exactly.

    The size of the exact power is estimated from the bit lengths of ``b``'s
    numerator and denominator times the exponent, before computing anything.
    """
    if as_float or b.free_symbols or not b.is_Rational or not exponent.is_Integer:
        return as_float
    bits = int(b.p).bit_length() + int(b.q).bit_length()
    return bits * 0.30103 * int(exponent) > MAX_EXACT_DIGITS


def _coerce_steps(t: Any, name: str = "t", *, allow_infinity: bool = False) -> sp.Expr:
    if isinstance(t, sp.Basic) and t.free_symbols:
        return t
    if allow_infinity and (t is sp.oo or t == float("inf")):
        return sp.oo
    if isinstance(t, sp.Integer):
        t = int(t)
    return sp.Integer(check_positive_int(name, t))


def _coerce_lag(i: Any) -> sp.Expr:
    if isinstance(i, sp.Basic) and i.free_symbols:
        return i
    lag = to_exact(i, "i")
    if not lag.is_integer or lag < 0:
        raise ValueError(f"i must be a non-negative integer lag, got {i!r}")
    return lag


def _finish(expr: sp.Expr, as_float: bool) -> Value:
    """Simplify; numeric results become floats when the input was a float."""
    if expr.free_symbols:
        return sp.simplify(expr)
    if as_float:
        return float(expr)
    return expr


# ------------------------------------------------------------- branch choice
def _holds_on_unit_interval(cond: Any) -> bool | None:
    """True / False if ``cond`` holds everywhere / nowhere on 0 <= beta < 1."""
    if cond is sp.true or cond is True:
        return True
    if cond is sp.false or cond is False:
        return False
    where = sp.solveset(cond, _B, _UNIT)
    if where == _UNIT:
        return True
    if where is sp.S.EmptySet:
        return False
    return None


def _convergent_branch(expr: sp.Expr) -> sp.Expr:
    """Replace each Piecewise by the branch valid for every 0 <= beta < 1."""

    def pick(pw: sp.Piecewise) -> sp.Expr:
        for branch, cond in pw.args:
            verdict = _holds_on_unit_interval(cond)
            if verdict is True:
                return branch
            if verdict is None:
                break
        raise ArithmeticError(f"no Piecewise branch of {pw} holds on 0 <= beta < 1")

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), pick)


def _sum(term: sp.Expr, upper: sp.Expr) -> sp.Expr:
    """sum_{i=0}^{upper} term, on the branch valid for 0 <= beta < 1."""
    return sp.simplify(_convergent_branch(sp.summation(term, (_I, 0, upper))))


# ---------------------------------------------------------------- derivations
@cache
def _derived_weight() -> sp.Expr:
    """Impulse response of v_t = beta v_{t-1} + (1-beta) g_t (lag i)."""
    v = sp.Function("v")
    # g = 1 at step 1 and 0 after: v_1 = 1 - beta, then v_{k+1} = beta v_k.
    response = sp.rsolve(v(_I + 1) - _B * v(_I), v(_I), {v(0): 1 - _B})
    return sp.simplify(response)


@cache
def _derived_geometric_sum() -> sp.Expr:
    return _sum(_B**_I, sp.oo)


@cache
def _derived_finite_weight_sum() -> sp.Expr:
    return sp.factor(_sum(_derived_weight(), _T - 1))


@cache
def _derived_infinite_weight_sum() -> sp.Expr:
    return _sum(_derived_weight(), sp.oo)


@cache
def _derived_sample_size() -> sp.Expr:
    squares = _sum(_derived_weight() ** 2, sp.oo)
    return sp.factor(_derived_infinite_weight_sum() ** 2 / squares)


@cache
def _derived_half_life() -> sp.Expr:
    # Weight at lag h relative to lag 0 is beta^h (the ratio of impulse responses).
    ratio = sp.simplify(_derived_weight().subs(_I, _H) / _derived_weight().subs(_I, 0))
    (solution,) = sp.solve(sp.Eq(ratio, sp.Rational(1, 2)), _H)
    return sp.simplify(solution)


@cache
def _derived_mean_lag() -> sp.Expr:
    return sp.factor(_sum(_I * _derived_weight(), sp.oo))


@cache
def _derived_variance(finite: bool) -> sp.Expr:
    # Var(sum_i w_i g_{t-i}) = sigma^2 sum_i w_i^2 for i.i.d. g with variance sigma^2.
    upper = _T - 1 if finite else sp.oo
    return sp.factor(_sum(_derived_weight() ** 2, upper) * _SIGMA2)


# ----------------------------------------------------------------- public API
def effective_weight(beta: Any) -> Value:
    r"""Total weight :math:`\sum_{i\ge0}\beta^i` of an undamped leaky sum.

    Momentum :math:`v \leftarrow \beta v + g` weighs the gradient of lag ``i``
    by :math:`\beta^i`; for a constant gradient the step is ``eta`` times this.

    Parameters
    ----------
    beta : number or sympy expression
        Leak factor, :math:`0 \le \beta < 1` when numeric.

    Returns
    -------
    sympy.Expr or float
        The value of ``sympy.summation(beta**i, (i, 0, oo))`` on its
        convergent branch (:math:`1/(1-\beta)`).

    Raises
    ------
    ValueError
        ``beta`` not a finite number in [0, 1) (or a symbolic expression).
    """
    b, as_float = _coerce_beta(beta, "beta")
    return _finish(_derived_geometric_sum().subs(_B, _num(b, as_float)), as_float)


def ema_weights(beta: Any, i: Any) -> Value:
    r"""Weight of the observation ``i`` steps back in a leaky average.

    Derived by solving the impulse response of
    :math:`v_t = \beta v_{t-1} + (1-\beta) g_t` with ``sympy.rsolve``.

    Parameters
    ----------
    beta : number or sympy expression
        Leak factor in [0, 1).
    i : int or sympy expression
        Lag, ``0`` for the newest observation.

    Returns
    -------
    sympy.Expr or float
        :math:`(1-\beta)\beta^i` as derived.

    Raises
    ------
    ValueError
        ``beta`` outside [0, 1) or ``i`` not a non-negative integer.
    """
    b, as_float = _coerce_beta(beta, "beta")
    lag = _coerce_lag(i)
    numeric = _float_form(b, lag, as_float)
    value = _derived_weight().subs({_I: lag, _B: _num(b, numeric)})
    return _finish(value, as_float) if not numeric or as_float else sp.Float(value, _FLOAT_DIGITS)


def ema_expansion(beta: Any, t: int) -> tuple[sp.Expr, tuple[sp.Symbol, ...]]:
    r"""Unroll :math:`v_t = \beta v_{t-1} + (1-\beta) g_t` from ``v_0 = 0``.

    Parameters
    ----------
    beta : number or sympy expression
        Leak factor in [0, 1).
    t : int
        Number of steps (>= 1).

    Returns
    -------
    (sympy.Expr, tuple of sympy.Symbol)
        :math:`v_t` expanded in the symbols ``g_1, ..., g_t`` and those symbols.

    Raises
    ------
    ValueError
        ``beta`` outside [0, 1) or ``t`` not a positive integer.
    """
    b, _ = _coerce_beta(beta, "beta")
    steps = int(_coerce_steps(t))
    if steps > MAX_UNROLLED_STEPS:
        raise ValueError(
            f"t={steps} is too long to unroll (one symbol per step); at most "
            f"{MAX_UNROLLED_STEPS}; use ema_weight_sum or ema_weights for closed forms"
        )
    gs = sp.symbols(f"g_1:{steps + 1}", real=True)
    v: sp.Expr = sp.Integer(0)
    for g in gs:
        v = b * v + (1 - b) * g
    return sp.expand(v), tuple(gs)


def ema_coefficients(beta: Any, t: int) -> tuple[Value, ...]:
    r"""Coefficients of :math:`g_t, g_{t-1}, \dots, g_1` in the unrolled average.

    Claim ``rmsprop.expansion`` / ``adam.weights-sum``: entry ``i`` should be
    :math:`(1-\beta)\beta^i`; ``adam.example``: ``ema_coefficients(0.9, 1)``.

    Returns
    -------
    tuple
        One coefficient per lag ``0 .. t-1`` read off :func:`ema_expansion`.
    """
    b, as_float = _coerce_beta(beta, "beta")
    v, gs = ema_expansion(b, t)
    return tuple(_finish(v.coeff(g), as_float) for g in reversed(gs))


def ema_weight_sum(beta: Any, t: Any) -> Value:
    r"""Sum of the first ``t`` weights :math:`\sum_{i=0}^{t-1}(1-\beta)\beta^i`.

    This is the value of a leaky average of a constant input 1 after ``t``
    steps from :math:`v_0 = 0`.

    Parameters
    ----------
    beta : number or sympy expression
        Leak factor in [0, 1).
    t : int, sympy expression or ``sympy.oo``
        Number of steps; ``oo`` sums all weights.

    Returns
    -------
    sympy.Expr or float
        :math:`1-\beta^t` (and 1 for ``t = oo``) as derived by ``summation``.

    Raises
    ------
    ValueError
        ``beta`` outside [0, 1) or ``t`` not a positive integer / symbol / oo.
    """
    b, as_float = _coerce_beta(beta, "beta")
    steps = _coerce_steps(t, allow_infinity=True)
    if steps is sp.oo:
        return _finish(_derived_infinite_weight_sum().subs(_B, _num(b, as_float)), as_float)
    numeric = _float_form(b, steps, as_float)
    total = _derived_finite_weight_sum().subs({_B: _num(b, numeric), _T: steps})
    return _finish(total, as_float) if not numeric or as_float else sp.Float(total, _FLOAT_DIGITS)


def bias_correction(beta: Any, t: Any) -> Value:
    r"""Factor that makes the first ``t`` leaky-average weights sum to one.

    Adam divides :math:`v_t` by the derived weight sum; this returns the
    reciprocal of :func:`ema_weight_sum`.

    Returns
    -------
    sympy.Expr or float
        :math:`1/(1-\beta^t)`.

    Raises
    ------
    ValueError
        As :func:`ema_weight_sum`; also ``beta = 0`` is fine, ``t`` must be >= 1.
    """
    b, as_float = _coerce_beta(beta, "beta")
    steps = _coerce_steps(t)
    numeric = _float_form(b, steps, as_float)
    total = _derived_finite_weight_sum().subs({_B: _num(b, numeric), _T: steps})
    if not total.free_symbols and total == 0:
        raise ValueError(f"bias_correction is undefined for beta={beta!r}, t={t!r}: weights sum to 0")
    if numeric and not as_float:
        return sp.Float(1 / total, _FLOAT_DIGITS)
    return _finish(1 / total, as_float)


def half_life(beta: Any) -> Value:
    r"""Lag ``h`` at which an observation's weight has halved: solves :math:`\beta^h = 1/2`.

    Parameters
    ----------
    beta : number or sympy expression
        Leak factor, :math:`0 < \beta < 1` when numeric.

    Returns
    -------
    sympy.Expr or float
        :math:`\ln(1/2)/\ln\beta` as returned by ``sympy.solve`` (6.58 for 0.9).

    Raises
    ------
    ValueError
        ``beta`` not in (0, 1).
    """
    b, as_float = _coerce_beta(beta, "beta", low_open=True)
    return _finish(_derived_half_life().subs(_B, _num(b, as_float)), as_float)


def mean_lag(beta: Any) -> Value:
    r"""Average age :math:`\sum_{i\ge0} i(1-\beta)\beta^i` of the averaged observations.

    Returns
    -------
    sympy.Expr or float
        :math:`\beta/(1-\beta)` on the convergent branch.

    Raises
    ------
    ValueError
        ``beta`` outside [0, 1).
    """
    b, as_float = _coerce_beta(beta, "beta")
    return _finish(_derived_mean_lag().subs(_B, _num(b, as_float)), as_float)


def average_variance(beta: Any, sigma2: Any, t: Any = None) -> Value:
    r"""Variance of a leaky average of i.i.d. inputs with variance ``sigma2``.

    :math:`\operatorname{Var} v_t = \sigma^2 \sum_{i=0}^{t-1} (1-\beta)^2\beta^{2i}`;
    ``t=None`` gives the stationary limit :math:`t\to\infty`.

    Parameters
    ----------
    beta : number or sympy expression
        Leak factor in [0, 1).
    sigma2 : number or sympy expression
        Variance of each input (>= 0).
    t : int, sympy expression or None
        Number of averaged inputs; None for the stationary value.

    Returns
    -------
    sympy.Expr or float
        Stationary :math:`\sigma^2(1-\beta)/(1+\beta)`, finite
        :math:`\sigma^2(1-\beta)(1-\beta^{2t})/(1+\beta)`, as derived.

    Raises
    ------
    ValueError
        ``beta`` outside [0, 1), negative ``sigma2``, bad ``t``.
    """
    b, as_float = _coerce_beta(beta, "beta")
    var_is_float = _is_float(sigma2)
    s2 = to_exact(sigma2, "sigma2")
    if not s2.free_symbols:
        check_in_range("sigma2", sigma2, 0.0, float("inf"))
    if t is None:
        expr = _derived_variance(False)
        subs = {_B: b, _SIGMA2: s2}
    else:
        expr = _derived_variance(True)
        steps = _coerce_steps(t)
        subs = {_B: b, _SIGMA2: s2, _T: steps}
        if _float_form(b, 2 * steps, False):
            var_is_float = True  # the exact beta**(2t) would be too long
    as_float = as_float or var_is_float
    return _finish(expr.subs({k: _num(v, as_float) for k, v in subs.items()}), as_float)


def effective_sample_size(beta: Any) -> Value:
    r"""Kish's effective number of averaged observations :math:`(\sum w_i)^2/\sum w_i^2`.

    For the stationary leaky average (weights :math:`(1-\beta)\beta^i`) this is
    the number of i.i.d. inputs a plain mean needs to reach the same variance:
    :math:`(1+\beta)/(1-\beta)` (19 for 0.9), not :math:`1/(1-\beta)`.

    Returns
    -------
    sympy.Expr or float

    Raises
    ------
    ValueError
        ``beta`` outside [0, 1).
    """
    b, as_float = _coerce_beta(beta, "beta")
    return _finish(_derived_sample_size().subs(_B, _num(b, as_float)), as_float)
