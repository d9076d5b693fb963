r"""Linear first-order methods as update equations, and their iteration matrices.

On the scalar quadratic :math:`f(x) = \tfrac{\lambda}{2} x^2` the gradient is
:math:`g = \lambda x`, so every method built from gradients, sums and products
with hyperparameters is a *linear* map of its state :math:`s`:

.. math::  s_{t+1} = R\, s_t .

A method is written once, as a step rule ``step(state, grad)`` that works for
scalars (``grad = lambda x: lam * x``) and for vectors
(``grad = lambda x: Q * x + c``, see :mod:`optheory.symbolic.decoupling`).
Its iteration matrix :math:`R` is not typed anywhere: it is the Jacobian of the
update with respect to the state, computed by sympy after checking that the
update really is linear in the state.

Textbook: "Dive into Deep Learning", section "Momentum", subsection
"Scalar Functions" (claims ``momentum.scalar-gd`` and ``momentum.matrix``).
The update rules follow ``reference/conventions.md`` (textbook scratch code and
``torch.optim.SGD`` with ``dampening=0``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sympy as sp

from optheory._checks import check_positive_int
from optheory.methods import check_method

__all__ = [
    "BETA",
    "ETA",
    "LAM",
    "METHODS",
    "Rule",
    "Step",
    "characteristic_polynomial",
    "initial_state",
    "iteration_matrix",
    "memory_update",
    "method_rule",
    "method_step",
    "method_update",
    "momentum_matrix",
]

#: step size :math:`\eta` (assumed positive)
ETA = sp.Symbol("eta", positive=True)
#: curvature :math:`\lambda` of :math:`f(x) = \lambda x^2 / 2` (assumed positive)
LAM = sp.Symbol("lam", positive=True)
#: momentum / averaging parameter :math:`\beta` (any real number)
BETA = sp.Symbol("beta", real=True)

#: ``step(state, grad) -> next state``; ``state`` is a tuple in the method's order
Step = Callable[[tuple[Any, ...], Callable[[Any], Any]], tuple[Any, ...]]
#: ``rule(state, grad, eta, beta) -> next state``: a step rule with its hyperparameters as arguments
Rule = Callable[[tuple[Any, ...], Callable[[Any], Any], Any, Any], tuple[Any, ...]]


def _gd(state: tuple[Any, ...], grad: Callable[[Any], Any], eta: Any, beta: Any) -> tuple[Any, ...]:
    (x,) = state
    return (x - eta * grad(x),)


def _momentum(
    state: tuple[Any, ...], grad: Callable[[Any], Any], eta: Any, beta: Any
) -> tuple[Any, ...]:
    # textbook: v <- beta v + g;  x <- x - eta v
    v, x = state
    v_next = beta * v + grad(x)
    return (v_next, x - eta * v_next)


def _polyak(
    state: tuple[Any, ...], grad: Callable[[Any], Any], eta: Any, beta: Any
) -> tuple[Any, ...]:
    # x+ = x - eta grad(x) + beta (x - x_prev)
    x, x_prev = state
    return (x - eta * grad(x) + beta * (x - x_prev), x)


def _ema(state: tuple[Any, ...], grad: Callable[[Any], Any], eta: Any, beta: Any) -> tuple[Any, ...]:
    # leaky-average momentum: v <- beta v + (1 - beta) g;  x <- x - eta v
    v, x = state
    v_next = beta * v + (1 - beta) * grad(x)
    return (v_next, x - eta * v_next)


def _nesterov(
    state: tuple[Any, ...], grad: Callable[[Any], Any], eta: Any, beta: Any
) -> tuple[Any, ...]:
    # torch.optim.SGD(nesterov=True, dampening=0): b <- beta b + g; d = g + beta b; x <- x - eta d
    b, x = state
    g = grad(x)
    b_next = beta * b + g
    return (b_next, x - eta * (g + beta * b_next))


def _zero_buffer_start(x0: Any) -> tuple[Any, ...]:
    return (0 * x0, x0)


_RULES: dict[str, tuple[Rule, tuple[str, ...]]] = {
    "gd": (_gd, ("x",)),
    "momentum": (_momentum, ("v", "x")),
    "polyak": (_polyak, ("x", "x_prev")),
    "ema": (_ema, ("v", "x")),
    "nesterov": (_nesterov, ("b", "x")),
}

# the state every method starts from, given x_0: buffers zero (as torch.optim.SGD), x_prev = x_0
_STARTS: dict[str, Callable[[Any], tuple[Any, ...]]] = {
    "gd": lambda x0: (x0,),
    "momentum": _zero_buffer_start,
    "polyak": lambda x0: (x0, x0),
    "ema": _zero_buffer_start,
    "nesterov": _zero_buffer_start,
}

#: names accepted by :func:`method_update` and :func:`method_step`
METHODS: tuple[str, ...] = tuple(_RULES)


def method_step(name: str) -> tuple[Step, tuple[str, ...]]:
    """Return the step rule of a method and the names of its state components.

    Parameters
    ----------
    name : str
        One of :data:`METHODS`.

    Returns
    -------
    step : callable
        ``step(state, grad)`` returns the next state (a tuple in the same order);
        it only adds, subtracts and multiplies by hyperparameters, so it works
        on sympy scalars and on sympy column vectors alike.  The hyperparameters
        are the symbols :data:`ETA` and :data:`BETA`
        (``method_rule(name)[0]`` with them bound).
    names : tuple of str
        The state components, e.g. ``("v", "x")`` for momentum.

    Raises
    ------
    ValueError
        Unknown method name.
    """
    rule, names = method_rule(name)

    def step(state: tuple[Any, ...], grad: Callable[[Any], Any]) -> tuple[Any, ...]:
        return rule(state, grad, ETA, BETA)

    return step, names


def method_rule(name: str) -> tuple[Rule, tuple[str, ...]]:
    """Return the step rule of a method with its hyperparameters as arguments.

    The same function that :func:`method_step` binds to the symbols ``eta``,
    ``beta``: numbers in their place run the method on any objects that add,
    subtract and scale (floats, numpy arrays, PEPit points, see
    :mod:`optheory.pep.pepit_problem`).

    Parameters
    ----------
    name : str
        One of :data:`METHODS`.

    Returns
    -------
    rule : callable
        ``rule(state, grad, eta, beta)`` returns the next state; ``beta`` is
        ignored by ``"gd"``.
    names : tuple of str
        The state components.

    Raises
    ------
    ValueError
        Unknown method name.
    """
    check_method(name, "linear")
    return _RULES[name]


def initial_state(name: str, x0: Any) -> tuple[Any, ...]:
    r"""The state a method starts from at the point :math:`x_0`.

    Buffers (``v``, ``b``) start at zero, as in ``torch.optim.SGD``; Polyak's
    ``x_prev`` starts at :math:`x_0` (no momentum on the first step).  The zero
    is written ``0 * x0`` so that it has the type of ``x0`` (a sympy number, a
    numpy array, a PEPit point).

    Parameters
    ----------
    name : str
        One of :data:`METHODS`.
    x0 : object
        The starting point.

    Returns
    -------
    tuple
        The state in the order of ``method_step(name)[1]``.

    Raises
    ------
    ValueError
        Unknown method name.
    """
    check_method(name, "linear")
    return _STARTS[name](x0)


def method_update(name: str) -> tuple[dict[sp.Symbol, sp.Expr], tuple[sp.Symbol, ...]]:
    r"""Return the update of a method on :math:`f(x) = \lambda x^2/2` as sympy expressions.

    Parameters
    ----------
    name : str
        ``"gd"`` (:math:`x \leftarrow x - \eta g`), ``"momentum"`` (textbook:
        :math:`v \leftarrow \beta v + g,\ x \leftarrow x - \eta v`, state ``(v, x)``),
        ``"polyak"`` (:math:`x_+ = x - \eta g + \beta (x - x_\text{prev})`,
        state ``(x, x_prev)``), ``"ema"`` (:math:`v \leftarrow \beta v + (1-\beta) g`,
        :math:`x \leftarrow x - \eta v`) or ``"nesterov"`` (as
        ``torch.optim.SGD(nesterov=True, dampening=0)``: :math:`b \leftarrow \beta b + g`,
        :math:`x \leftarrow x - \eta (g + \beta b)`, state ``(b, x)``).

    Returns
    -------
    update : dict
        State symbol -> next-state expression in ``eta``, ``lam``, ``beta`` and the state.
    state : tuple of sympy.Symbol
        The state symbols in the method's order (real symbols named as in ``names``).

    Raises
    ------
    ValueError
        Unknown method name.
    """
    step, names = method_step(name)
    state = tuple(sp.Symbol(n, real=True) for n in names)
    nxt = step(state, lambda x: LAM * x)
    return {s: sp.expand(e) for s, e in zip(state, nxt, strict=True)}, state


def memory_update(
    depth: int,
) -> tuple[dict[sp.Symbol, sp.Expr], tuple[sp.Symbol, ...], tuple[sp.Symbol, ...]]:
    r"""A gradient step with momentum terms over ``depth`` past iterates.

    .. math::  x_{t+1} = x_t - \eta \lambda x_t
               + \sum_{k=1}^{d} \beta_k (x_{t-k+1} - x_{t-k}),

    with state :math:`(x_t, x_{t-1}, \dots, x_{t-d})`; its iteration matrix has
    size :math:`d + 1`.  ``depth = 1`` is Polyak's heavy ball with ``beta_1``
    in place of ``beta``.

    Parameters
    ----------
    depth : int
        Number of past differences d >= 1.

    Returns
    -------
    update : dict
        State symbol -> next-state expression.
    state : tuple of sympy.Symbol
        ``(x_0, x_1, ..., x_d)``: ``x_k`` holds :math:`x_{t-k}`.
    betas : tuple of sympy.Symbol
        The real coefficients ``beta_1, ..., beta_d``.

    Raises
    ------
    ValueError
        ``depth`` not a positive integer (at most 8, to keep the algebra small).
    """
    d = check_positive_int("depth", depth, maximum=8)
    state = tuple(sp.Symbol(f"x_{k}", real=True) for k in range(d + 1))
    betas = tuple(sp.Symbol(f"beta_{k}", real=True) for k in range(1, d + 1))
    x = state[0]
    head = x - ETA * LAM * x + sum(
        (betas[k - 1] * (state[k - 1] - state[k]) for k in range(1, d + 1)), sp.Integer(0)
    )
    update = {state[0]: sp.expand(head)}
    for k in range(1, d + 1):
        update[state[k]] = state[k - 1]
    return update, state, betas


def iteration_matrix(
    update: Mapping[sp.Symbol, Any],
    state: Sequence[sp.Symbol],
    lam: Any = None,
) -> sp.Matrix:
    r"""Exact iteration matrix :math:`R = \partial s_{t+1} / \partial s_t` of a linear update.

    Parameters
    ----------
    update : mapping
        State symbol -> next-state expression (as from :func:`method_update`).
    state : sequence of sympy.Symbol
        The state, in the order of the rows and columns of ``R``.
    lam : optional
        If given, replaces the curvature symbol :data:`LAM` (a number, an
        eigenvalue symbol such as ``lam_1``, ...).

    Returns
    -------
    sympy.Matrix
        ``R[i, j] = d update[state[i]] / d state[j]``.

    Raises
    ------
    ValueError
        The keys of ``update`` differ from ``state``, or the update is not
        linear in the state: some second derivative with respect to the state
        does not vanish, or the update at state = 0 is not 0 (an affine shift).

    Algorithm
    ---------
    Linearity is decided, not assumed: for every component all second
    derivatives with respect to the state must simplify to 0 and the value
    at the zero state must simplify to 0.  Then ``R`` is the Jacobian.
    """
    svars = list(state)
    if len(set(svars)) != len(svars) or not svars:
        raise ValueError("state must be a non-empty sequence of distinct symbols")
    if set(update) != set(svars):
        raise ValueError(
            f"update must give exactly one expression per state symbol {svars}; "
            f"got keys {list(update)}"
        )
    exprs: list[sp.Expr] = []
    for s in svars:
        e = update[s]
        if isinstance(e, int) and not isinstance(e, bool):
            e = sp.Integer(e)
        if not isinstance(e, sp.Expr):
            raise ValueError(f"update of {s} must be a sympy expression, got {e!r}")
        exprs.append(e if lam is None else e.subs(LAM, lam))
    zero = dict.fromkeys(svars, 0)
    for s, e in zip(svars, exprs, strict=True):
        if not _is_zero(e.subs(zero)):
            raise ValueError(f"update of {s} is not linear in the state: it has a constant part")
        for a in svars:
            for b in svars:
                if not _is_zero(sp.diff(e, a, b)):
                    raise ValueError(
                        f"update of {s} is not linear in the state: d2/d{a}d{b} is not 0"
                    )
    return sp.Matrix([[sp.expand(sp.diff(e, a)) for a in svars] for e in exprs])


def _is_zero(expr: sp.Expr) -> bool:
    expanded = sp.expand(expr)
    return bool(expanded == 0 or sp.simplify(expanded) == 0)


def characteristic_polynomial(R: sp.Matrix, z: sp.Symbol) -> sp.Poly:
    r"""The characteristic polynomial :math:`\det(z I - R)` as a monic ``Poly`` in ``z``.

    Parameters
    ----------
    R : sympy.Matrix
        Square iteration matrix.
    z : sympy.Symbol
        The polynomial variable (must not occur in ``R``).

    Returns
    -------
    sympy.Poly
        Monic, of degree ``R.rows``, coefficients polynomial in the symbols of ``R``.

    Raises
    ------
    ValueError
        ``R`` not square, or ``z`` occurs in ``R``.
    """
    if R.rows != R.cols:
        raise ValueError(f"R must be square; got shape ({R.rows}, {R.cols})")
    if z in R.free_symbols:
        raise ValueError(f"the variable {z} must not occur in R")
    det = (z * sp.eye(R.rows) - R).det(method="berkowitz")
    return sp.Poly(sp.expand(det), z)


def momentum_matrix() -> sp.Matrix:
    r"""Iteration matrix of textbook momentum on the state :math:`(v, x)`.

    Computed by :func:`iteration_matrix` from the update
    :math:`v \leftarrow \beta v + \lambda x,\ x \leftarrow x - \eta v`.

    Returns
    -------
    sympy.Matrix
        2x2 matrix in ``beta``, ``eta``, ``lam``.
    """
    return iteration_matrix(*method_update("momentum"))
