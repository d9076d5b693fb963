r"""A linear method as a linear system in feedback with the gradient.

A first-order method whose step only adds, subtracts and multiplies by its
hyperparameters is, on *any* function, the linear system

.. math::  \xi_{k+1} = A\,\xi_k + B\,u_k, \qquad y_k = C\,\xi_k, \qquad u_k = \nabla f(y_k),

with state :math:`\xi` (e.g. :math:`(v, x)` for momentum), :math:`y_k` the
point where the gradient is taken and :math:`u_k` the gradient there
(Lessard, Recht and Packard 2016, section 2).  Nothing here is typed in:
``A``, ``B`` and ``C`` are sympy Jacobians of the project's own step rule
(:func:`optheory.symbolic.linear.method_step`), called with a fresh gradient
symbol :math:`u` in place of :math:`\nabla f`, with respect to the state, to
:math:`u`, and of the point the rule passed to the gradient.  On a quadratic
(:math:`u = \lambda y`) this gives back the iteration matrix
:math:`A + \lambda B C` of :func:`optheory.symbolic.linear.iteration_matrix`.

The *initial state* is the method started at rest at :math:`x_0`: the state
that is a fixed point of the method when :math:`x_0` is a minimiser
(:math:`u = 0`), scaled so that its gradient point is :math:`x_0`; e.g.
:math:`v_0 = 0` for momentum, :math:`x_{-1} = x_0` for Polyak's form.  It is
the null vector of :math:`A - I` (with :math:`C e = 1`), computed, not chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import sympy as sp

from optheory.methods import check_method
from optheory.symbolic.linear import BETA, ETA, method_step

__all__ = ["StateSpace", "numeric_state_space", "state_space"]

#: the gradient :math:`u_k` as a symbol
U = sp.Symbol("u", real=True)


@dataclass(frozen=True)
class StateSpace:
    """Symbolic state-space form of a linear method (see the module docstring).

    Attributes
    ----------
    method : str
    names : tuple of str
        The state components, in the order of the rows of ``A``.
    A, B, C : sympy.Matrix
        ``(n, n)``, ``(n, 1)`` and ``(1, n)``, polynomial in ``eta`` and ``beta``.
    start : sympy.Matrix
        ``(n, 1)``: the state at rest at :math:`x_0 = 1` (see the module docstring).
    x_index : int
        Which state component is the iterate :math:`x`.
    """

    method: str
    names: tuple[str, ...]
    A: sp.Matrix
    B: sp.Matrix
    C: sp.Matrix
    start: sp.Matrix
    x_index: int


@cache
def state_space(method: str) -> StateSpace:
    """Derive ``(A, B, C)`` and the initial state of a linear method from its step rule.

    Parameters
    ----------
    method : str
        A method with the ``linear`` capability (gd, momentum, nesterov, polyak, ema).

    Returns
    -------
    StateSpace

    Raises
    ------
    ValueError
        Unknown or non-linear method; a step rule that takes the gradient at
        more than one point per step or is not linear in (state, gradient).
    """
    check_method(method, "linear")
    step, names = method_step(method)
    state = tuple(sp.Symbol(f"s_{n}", real=True) for n in names)
    points: list[sp.Expr] = []

    def grad(point: Any) -> sp.Expr:
        points.append(sp.expand(point))
        return U

    nxt = [sp.expand(e) for e in step(state, grad)]
    if len({p for p in points}) != 1:
        raise ValueError(f"method {method!r} must take one gradient per step, got {len(points)}")
    svars = [*state, U]
    for e in [*nxt, points[0]]:
        if any(sp.expand(sp.diff(e, a, b)) != 0 for a in svars for b in svars) or (
            sp.expand(e.subs(dict.fromkeys(svars, 0))) != 0
        ):
            raise ValueError(f"method {method!r} is not linear in its state and gradient")
    A = sp.Matrix([[sp.diff(e, s) for s in state] for e in nxt])
    B = sp.Matrix([[sp.diff(e, U)] for e in nxt])
    C = sp.Matrix([[sp.diff(points[0], s) for s in state]])
    if "x" not in names:
        raise ValueError(f"method {method!r} has no state component named x")
    x_index = names.index("x")
    start = _rest_state(A, C, x_index)
    return StateSpace(method, tuple(names), A, B, C, start, x_index)


def _rest_state(A: sp.Matrix, C: sp.Matrix, x_index: int) -> sp.Matrix:
    """The fixed point of ``A`` (gradient 0) whose gradient point and x are both 1."""
    null = (A - sp.eye(A.rows)).nullspace(simplify=True)
    # a fixed point must not depend on the step size or the momentum: solve for generic values
    candidates = [sp.simplify(v / v[x_index]) for v in null if sp.simplify(v[x_index]) != 0]
    if len(candidates) != 1:
        raise ValueError("the method has no unique state at rest for a given x")
    e = candidates[0]
    if sp.simplify((C * e)[0, 0] - 1) != 0:
        raise ValueError("at rest the method must take its gradient at x")
    return e


def numeric_state_space(
    method: str, eta: float, beta: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(A, B, C, start)`` as float arrays at given step size and momentum."""
    A, B, C, start = _evaluators(method)(float(eta), float(beta))
    return (np.array(A, dtype=float), np.array(B, dtype=float),
            np.array(C, dtype=float), np.array(start, dtype=float))


@cache
def _evaluators(method: str) -> Any:
    ss = state_space(method)
    return sp.lambdify((ETA, BETA), [ss.A, ss.B, ss.C, ss.start], modules="numpy")
