r"""Forward-mode derivatives of the optimizers' own update functions.

A :class:`Dual` carries a numpy array ``value`` and a tangent ``dot`` of the
same shape.  Every arithmetic operator and the few numpy functions the update
rules call (``sqrt``, ``sign``, ``maximum``, ``where``, ``zeros_like``, ...)
propagate the tangent by the chain rule, so running an optimizer's ``update``
on duals gives the Jacobian-vector product of its step map

.. math:: J(z)\,v = \frac{d}{d\epsilon}\Big|_{\epsilon=0} F(z + \epsilon v)

exactly (to rounding) for the very code that produces the iterates: no second,
re-typed copy of the rule.  Non-differentiable points use the one-sided rule
of the branch the value takes (``sign`` has derivative 0, ``maximum`` follows
the larger argument).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

__all__ = ["Dual", "dual_value", "dual_dot"]


def dual_value(x: Any) -> Any:
    """The value part of a :class:`Dual`, or ``x`` itself."""
    return x.value if isinstance(x, Dual) else x


def dual_dot(x: Any) -> Any:
    """The tangent part of a :class:`Dual`, or 0 for a constant."""
    return x.dot if isinstance(x, Dual) else 0.0


class Dual(NDArrayOperatorsMixin):
    """A float64 array with a forward-mode tangent.

    Parameters
    ----------
    value, dot : array_like
        The point and the direction; broadcast to one shape.
    """

    __slots__ = ("value", "dot")

    def __init__(self, value: Any, dot: Any) -> None:
        v = np.asarray(value, dtype=float)
        d = np.asarray(dot, dtype=float)
        if v.shape != d.shape:
            v, d = (np.array(a) for a in np.broadcast_arrays(v, d))
        self.value, self.dot = v, d

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the value."""
        return tuple(self.value.shape)

    @property
    def ndim(self) -> int:
        """Number of dimensions of the value."""
        return int(self.value.ndim)

    def __getitem__(self, key: Any) -> Dual:
        return Dual(self.value[key], self.dot[key])

    def __repr__(self) -> str:
        return f"Dual(value={self.value!r}, dot={self.dot!r})"

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method != "__call__" or kwargs:
            return NotImplemented
        rule = _RULES.get(ufunc)
        if rule is None:
            if ufunc in _VALUE_ONLY:
                return ufunc(*(dual_value(a) for a in inputs))
            raise TypeError(f"no derivative rule for numpy.{ufunc.__name__} on Dual arrays")
        return rule(*inputs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        handler = _FUNCTIONS.get(func)
        if handler is None:
            raise TypeError(f"numpy.{func.__name__} is not supported on Dual arrays")
        return handler(*args, **kwargs)


def _add(a: Any, b: Any) -> Dual:
    return Dual(dual_value(a) + dual_value(b), dual_dot(a) + dual_dot(b))


def _sub(a: Any, b: Any) -> Dual:
    return Dual(dual_value(a) - dual_value(b), dual_dot(a) - dual_dot(b))


def _mul(a: Any, b: Any) -> Dual:
    va, vb = dual_value(a), dual_value(b)
    return Dual(va * vb, dual_dot(a) * vb + va * dual_dot(b))


def _div(a: Any, b: Any) -> Dual:
    va, vb = dual_value(a), dual_value(b)
    q = va / vb
    return Dual(q, (dual_dot(a) - q * dual_dot(b)) / vb)


def _neg(a: Any) -> Dual:
    return Dual(-dual_value(a), -dual_dot(a))


def _pos(a: Any) -> Dual:
    return Dual(dual_value(a), dual_dot(a))


def _sqrt(a: Any) -> Dual:
    r = np.sqrt(dual_value(a))
    return Dual(r, dual_dot(a) / (2 * r))


def _square(a: Any) -> Dual:
    va = dual_value(a)
    return Dual(va * va, 2 * va * dual_dot(a))


def _abs(a: Any) -> Dual:
    va = dual_value(a)
    return Dual(np.abs(va), np.sign(va) * dual_dot(a))


def _sign(a: Any) -> Dual:
    va = dual_value(a)
    return Dual(np.sign(va), np.zeros_like(va))


def _maximum(a: Any, b: Any) -> Dual:
    va, vb = dual_value(a), dual_value(b)
    first = va >= vb
    return Dual(np.maximum(va, vb), np.where(first, dual_dot(a), dual_dot(b)))


def _minimum(a: Any, b: Any) -> Dual:
    va, vb = dual_value(a), dual_value(b)
    first = va <= vb
    return Dual(np.minimum(va, vb), np.where(first, dual_dot(a), dual_dot(b)))


def _power(a: Any, b: Any) -> Dual:
    if isinstance(b, Dual):
        raise TypeError("Dual exponents are not supported: the update rules raise to constants")
    va = dual_value(a)
    return Dual(va**b, b * va ** (b - 1) * dual_dot(a))


def _matmul(a: Any, b: Any) -> Dual:
    va, vb = dual_value(a), dual_value(b)
    dot = 0.0
    if isinstance(a, Dual):
        dot = a.dot @ vb
    if isinstance(b, Dual):
        dot = dot + va @ b.dot
    return Dual(va @ vb, dot)


_RULES: dict[Any, Callable[..., Dual]] = {
    np.add: _add,
    np.subtract: _sub,
    np.multiply: _mul,
    np.true_divide: _div,
    np.negative: _neg,
    np.positive: _pos,
    np.sqrt: _sqrt,
    np.square: _square,
    np.absolute: _abs,
    np.sign: _sign,
    np.maximum: _maximum,
    np.minimum: _minimum,
    np.power: _power,
    np.matmul: _matmul,
}

# Ufuncs whose result is not a real-valued function of the input (comparisons,
# tests): they act on the value alone.
_VALUE_ONLY = {
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
    np.isfinite, np.isnan, np.isinf,
}


def _zeros_like(a: Any, *args: Any, **kwargs: Any) -> Dual:
    v = np.zeros_like(dual_value(a), *args, **kwargs)
    return Dual(v, np.zeros_like(v))


def _where(cond: Any, a: Any, b: Any) -> Dual:
    c = dual_value(cond)
    return Dual(np.where(c, dual_value(a), dual_value(b)),
                np.where(c, dual_dot(a) + 0 * dual_value(a), dual_dot(b) + 0 * dual_value(b)))


_FUNCTIONS: dict[Any, Callable[..., Any]] = {
    np.zeros_like: _zeros_like,
    np.where: _where,
    np.shape: lambda a: np.shape(dual_value(a)),
    np.ndim: lambda a: np.ndim(dual_value(a)),
}
