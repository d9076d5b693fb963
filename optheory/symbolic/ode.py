r"""The ODE view of gradient methods (seed 004, Su Jianlin), derived with sympy.

* Gradient descent is the explicit Euler scheme of the gradient flow
  :math:`\dot\theta = -L'(\theta)`; its local error is derived by Taylor
  expanding the exact flow (:func:`euler_local_error`).
* Error control :math:`\gamma |L'(\theta)| = \tilde\gamma` turns the Euler step
  into a sign step (:func:`error_control_step`); smoothing :math:`|L'|^2` by a
  leaky average gives RMSProp (:func:`rmsprop_from_error_control`).
* The two high-dimensional versions, seed eq. (14) (one step size from the
  gradient norm) and eq. (15) (one per coordinate), differ in whether they keep
  the gradient's direction (:func:`direction_check`).
* The heavy-ball ODE :math:`\ddot\theta + a\dot\theta = -\nabla L`, discretised
  with step ``h``, is momentum with derived :math:`(\eta, \beta)`
  (:func:`heavy_ball_momentum_map`).

Claims: ``ode.euler``, ``ode.error-control``, ``ode.rmsprop``,
``ode.scalar-vs-vector``; ``adam.combination`` is not decided here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from optheory._checks import check_choice, check_in_range, check_positive_int
from optheory.symbolic._exact import to_exact

__all__ = [
    "A",
    "BETA",
    "C",
    "EPS",
    "ETA",
    "GAMMA",
    "GAMMA_TILDE",
    "H",
    "LAMBDA",
    "THETA",
    "DirectionCheck",
    "ErrorControl",
    "EulerLocalError",
    "HeavyBallMap",
    "RMSPropDerivation",
    "direction_check",
    "error_control_step",
    "euler_local_error",
    "flow_expansion",
    "heavy_ball_momentum_map",
    "per_coordinate_counterexample",
    "rmsprop_from_error_control",
    "rmsprop_update",
    "scalar_norm_update",
    "per_coordinate_update",
]

THETA = sp.Symbol("theta", real=True)
GAMMA = sp.Symbol("gamma", positive=True)  # Euler step (the seed's learning rate)
GAMMA_TILDE = sp.Symbol("gamma_tilde", positive=True)
LAMBDA = sp.Symbol("lambda", positive=True)  # the seed's smoothing constant
EPS = sp.Symbol("epsilon", nonnegative=True)
_L = sp.Function("L")
HALF = sp.Rational(1, 2)


# ----------------------------------------------------------- (a) Euler error
def flow_expansion(order: int = 3, rhs: sp.Expr | None = None) -> sp.Expr:
    r"""Taylor polynomial in :math:`\gamma` of the exact flow :math:`\theta(t+\gamma)`.

    The flow solves :math:`\dot\theta = f(\theta)` with ``f = rhs`` (default
    :math:`-L'(\theta)` for a generic function ``L``).  sympy's ``series``
    expands :math:`\theta(t+\gamma)` in derivatives of :math:`\theta(t)`;
    each :math:`\theta^{(k)}` is then replaced via the chain rule
    :math:`\tfrac{d}{dt}F(\theta) = F'(\theta)\,f(\theta)`.

    Parameters
    ----------
    order : int
        Highest power of :math:`\gamma` kept (>= 1).
    rhs : sympy expression in ``THETA``, optional
        Right-hand side ``f``.

    Returns
    -------
    sympy.Expr
        Polynomial in ``GAMMA`` with coefficients in ``THETA``.

    Raises
    ------
    ValueError
        ``order`` not a positive integer.
    """
    order = check_positive_int("order", order, maximum=8)
    f = -sp.diff(_L(THETA), THETA) if rhs is None else rhs
    t = sp.Symbol("t", real=True)
    path = sp.Function("theta")
    series = path(t + GAMMA).series(GAMMA, 0, order + 1).removeO().doit()
    derivatives = [f]
    for _ in range(order - 1):
        derivatives.append(sp.diff(derivatives[-1], THETA) * f)
    # highest order first: substituting d/dt theta first would also hit d^k/dt^k theta
    for k in range(order, 0, -1):
        series = series.subs(sp.Derivative(path(t), (t, k)), derivatives[k - 1])
    return sp.expand(series.subs(path(t), THETA))


@dataclass(frozen=True)
class EulerLocalError:
    """Exact flow minus one Euler step, as a polynomial in the step ``GAMMA``."""

    expansion: sp.Expr  #: Taylor polynomial of theta(t + gamma)
    euler_step: sp.Expr  #: theta + gamma f(theta)
    error: sp.Expr  #: expansion - euler_step
    leading: sp.Expr  #: lowest-order term of ``error``
    order: int  #: power of gamma in ``leading`` (local order; global order is one less)


def euler_local_error(order: int = 3, rhs: sp.Expr | None = None) -> EulerLocalError:
    r"""Local error of the Euler step :math:`\theta + \gamma f(\theta)`.

    For the gradient flow the result is
    :math:`\tfrac{\gamma^2}{2} L''(\theta) L'(\theta) + O(\gamma^3)`, i.e.
    gradient descent is a first-order method for the flow (claim ``ode.euler``).

    Parameters
    ----------
    order : int
        Truncation order of the flow expansion (>= 2 to see the leading term).
    rhs : sympy expression in ``THETA``, optional
        Right-hand side of the ODE; default :math:`-L'(\theta)`.

    Returns
    -------
    EulerLocalError

    Raises
    ------
    ValueError
        ``order < 2`` or the error vanishes to the requested order.
    """
    order = check_positive_int("order", order, maximum=8)
    if order < 2:
        raise ValueError(f"order must be >= 2 to expose the Euler error, got {order}")
    f = -sp.diff(_L(THETA), THETA) if rhs is None else rhs
    expansion = flow_expansion(order, rhs)
    step = THETA + GAMMA * f
    error = sp.expand(expansion - step)
    poly = sp.Poly(error, GAMMA)
    powers = sorted(m[0] for m, c in zip(poly.monoms(), poly.coeffs(), strict=True)
                    if sp.simplify(c) != 0)
    if not powers:
        raise ValueError(f"the Euler step is exact up to order {order}; raise order")
    low = powers[0]
    leading = sp.factor(poly.coeff_monomial(GAMMA**low)) * GAMMA**low
    return EulerLocalError(expansion, step, error, leading, low)


# ----------------------------------------------------- (b) error control
@dataclass(frozen=True)
class ErrorControl:
    """The error-controlled Euler step."""

    step_size: sp.Expr  #: gamma solved from gamma |g| = gamma_tilde
    update: sp.Expr  #: theta - step_size * g, rewritten with sign()
    time_advance: sp.Expr  #: the flow time one update covers (= step_size)


def error_control_step() -> ErrorControl:
    r"""Solve :math:`\gamma |g| = \tilde\gamma` for :math:`\gamma` and substitute.

    ``g`` stands for :math:`L'(\theta) \ne 0`.  The update becomes
    :math:`\theta - \tilde\gamma\,\mathrm{sign}(g)` (claim ``ode.error-control``)
    while the time it covers is :math:`\tilde\gamma/|g|`.

    Returns
    -------
    ErrorControl
    """
    g = sp.Symbol("g", real=True, nonzero=True)
    (gamma,) = sp.solve(sp.Eq(GAMMA * sp.Abs(g), GAMMA_TILDE), GAMMA)
    update = sp.simplify(THETA - gamma * g).rewrite(sp.sign)
    return ErrorControl(gamma, update, gamma)


# ------------------------------------------------ (c) smoothing -> RMSProp
@dataclass(frozen=True)
class RMSPropDerivation:
    """The seed's smoothed error-control scheme next to the textbook RMSProp."""

    seed_map: tuple[sp.Expr, sp.Expr]  #: (theta_{n+1}, G_{n+1}) from eq. (12)/(13)
    textbook_map: tuple[sp.Expr, sp.Expr]  #: (x_t, s_t) of RMSProp, renamed
    difference: tuple[sp.Expr, sp.Expr]  #: simplified seed - textbook (zeros)
    unsmoothed_limit: sp.Expr  #: seed map at lambda = 0, eps = 0
    matches: bool  #: both differences vanish


def rmsprop_update(
    x: sp.Expr, s: sp.Expr, g: sp.Expr, eta: sp.Expr, gamma: sp.Expr, eps: sp.Expr
) -> tuple[sp.Expr, sp.Expr]:
    r"""One textbook RMSProp step :math:`s \leftarrow \gamma s + (1-\gamma) g^2`,
    :math:`x \leftarrow x - \eta g/\sqrt{s + \epsilon}`; returns (x, s)."""
    s_new = gamma * s + (1 - gamma) * g**2
    return x - eta * g / sp.sqrt(s_new + eps), s_new


def rmsprop_from_error_control() -> RMSPropDerivation:
    r"""Smooth the error-control step and compare it with RMSProp.

    Error control uses :math:`\gamma = \tilde\gamma/\sqrt{q}` with
    :math:`q = |L'|^2`.  The seed replaces ``q`` by the leaky average
    :math:`G_{n+1} = \lambda G_n + (1-\lambda) |L'(\theta_n)|^2` plus
    :math:`\epsilon`.  Under the renaming :math:`\lambda\to\gamma_{\rm RMS}`,
    :math:`\tilde\gamma\to\eta`, :math:`G\to s` the map must coincide with the
    textbook's RMSProp (claim ``ode.rmsprop``); without smoothing
    (:math:`\lambda = 0, \epsilon = 0`) it must fall back to the sign step.

    Returns
    -------
    RMSPropDerivation
    """
    g = sp.Symbol("g", real=True, nonzero=True)
    big_g = sp.Symbol("G", nonnegative=True)
    q = sp.Symbol("q", positive=True)
    control = error_control_step()
    # the control step as a function of q = |g|^2  (|g| = sqrt(g^2) for real g)
    step_of_q = control.step_size.subs(sp.Abs(g), sp.sqrt(q))
    g_next = LAMBDA * big_g + (1 - LAMBDA) * g**2
    seed = (THETA - step_of_q.subs(q, g_next + EPS) * g, g_next)
    textbook = rmsprop_update(THETA, big_g, g, GAMMA_TILDE, LAMBDA, EPS)
    diff = tuple(sp.simplify(a - b) for a, b in zip(seed, textbook, strict=True))
    unsmoothed = sp.simplify(seed[0].subs({LAMBDA: 0, EPS: 0}))
    same_as_sign = sp.simplify(unsmoothed - control.update) == 0
    return RMSPropDerivation(
        seed_map=seed,
        textbook_map=textbook,
        difference=(diff[0], diff[1]),
        unsmoothed_limit=unsmoothed,
        matches=all(d == 0 for d in diff) and bool(same_as_sign),
    )


# ------------------------------------ (d) eq. (14) versus eq. (15)
def _symbol_vector(name: str, n: int) -> list[sp.Expr]:
    return list(sp.symbols(f"{name}1:{n + 1}", real=True))


def scalar_norm_update(
    grad: Sequence[sp.Expr], big_g: sp.Expr, lam: sp.Expr = LAMBDA, eps: sp.Expr = EPS,
    gamma_tilde: sp.Expr = GAMMA_TILDE,
) -> tuple[list[sp.Expr], sp.Expr]:
    r"""Seed eq. (14): :math:`G \leftarrow \lambda G + (1-\lambda)\|g\|^2`,
    step :math:`-\tilde\gamma g/\sqrt{G+\epsilon}`; returns (step, new G)."""
    g_next = lam * big_g + (1 - lam) * sum(gi**2 for gi in grad)
    scale = gamma_tilde / sp.sqrt(g_next + eps)
    return [-scale * gi for gi in grad], g_next


def per_coordinate_update(
    grad: Sequence[sp.Expr], big_g: Sequence[sp.Expr], lam: sp.Expr = LAMBDA,
    eps: sp.Expr = EPS, gamma_tilde: sp.Expr = GAMMA_TILDE,
) -> tuple[list[sp.Expr], list[sp.Expr]]:
    r"""Seed eq. (15): :math:`G_i \leftarrow \lambda G_i + (1-\lambda) g_i^2`,
    step :math:`-\tilde\gamma g_i/\sqrt{G_i+\epsilon}`; returns (step, new G)."""
    g_next = [lam * gi_acc + (1 - lam) * gi**2 for gi, gi_acc in zip(grad, big_g, strict=True)]
    step = [-gamma_tilde * gi / sp.sqrt(acc + eps) for gi, acc in zip(grad, g_next, strict=True)]
    return step, g_next


def _minors(step: Sequence[sp.Expr], grad: Sequence[sp.Expr]) -> list[sp.Expr]:
    """All 2x2 minors of the matrix [step | grad]; all zero iff collinear."""
    return [sp.simplify(step[i] * grad[j] - step[j] * grad[i])
            for i, j in itertools.combinations(range(len(grad)), 2)]


@dataclass(frozen=True)
class DirectionCheck:
    """Collinearity of each rule's step with the gradient (2x2 minors)."""

    scalar_minors: list[sp.Expr]  #: eq. (14): all simplify to 0
    vector_minors: list[sp.Expr]  #: eq. (15): factored, generally nonzero
    scalar_keeps_direction: bool
    vector_keeps_direction: bool


def direction_check(n: int = 2) -> DirectionCheck:
    """Decide symbolically whether eq. (14) / eq. (15) keep the gradient direction.

    Parameters
    ----------
    n : int
        Dimension (2 to 4).

    Returns
    -------
    DirectionCheck
        ``vector_keeps_direction`` is True only if every minor of eq. (15)
        simplifies to 0 for symbolic gradient and state.

    Raises
    ------
    ValueError
        ``n`` not in 2..4.
    """
    n = check_positive_int("n", n, maximum=4)
    if n < 2:
        raise ValueError(f"n must be at least 2 for a direction to change, got {n}")
    grad = _symbol_vector("g", n)
    acc = list(sp.symbols(f"G1:{n + 1}", nonnegative=True))
    s_step, _ = scalar_norm_update(grad, sp.Symbol("G", nonnegative=True))
    v_step, _ = per_coordinate_update(grad, acc)
    s_minors = _minors(s_step, grad)
    v_minors = [sp.factor(m) for m in _minors(v_step, grad)]
    return DirectionCheck(
        scalar_minors=s_minors,
        vector_minors=v_minors,
        scalar_keeps_direction=all(m == 0 for m in s_minors),
        vector_keeps_direction=all(m == 0 for m in v_minors),
    )


def per_coordinate_counterexample(
    lam: Any = HALF, eps: Any = 0, search: int = 3
) -> tuple[tuple[sp.Expr, ...], list[sp.Expr], sp.Expr]:
    r"""Smallest integer gradient whose eq. (15) step is not parallel to it.

    Starts from :math:`G = 0` and :math:`\tilde\gamma = 1`; searches
    :math:`g \in \{-k..k\}^2`, ``k = search``, ordered by :math:`\|g\|_1`.

    Returns
    -------
    (g, step, minor)
        Exact gradient, exact step of eq. (15), and the nonzero minor
        :math:`s_1 g_2 - s_2 g_1`.

    Raises
    ------
    ValueError
        Bad ``lam`` / ``eps`` / ``search``, or nothing found in the box.
    """
    lam_e, eps_e = to_exact(lam, "lam"), to_exact(eps, "eps")
    check_in_range("lam", lam_e, 0.0, 1.0)
    check_in_range("eps", eps_e, 0.0, float("inf"))
    if lam_e == 1 and eps_e == 0:
        raise ValueError("lam = 1 with eps = 0 divides by zero on the first step; lower lam")
    search = check_positive_int("search", search, maximum=20)
    box = range(-search, search + 1)
    for g in sorted(itertools.product(box, repeat=2), key=lambda v: (abs(v[0]) + abs(v[1]), min(v) < 0, v)):
        grad = [sp.Integer(gi) for gi in g]
        if any(gi == 0 for gi in grad):
            continue
        step, _ = per_coordinate_update(grad, [0, 0], lam_e, eps_e, sp.Integer(1))
        (minor,) = _minors(step, grad)
        if minor != 0:
            return tuple(grad), [sp.simplify(s) for s in step], minor
    raise ValueError(f"no counterexample with |g_i| <= {search}; increase search")


# ------------------------------------------------ (e) heavy ball -> momentum
@dataclass(frozen=True)
class HeavyBallMap:
    """Correspondence between a discretised heavy-ball ODE and momentum."""

    scheme: str
    solution: dict[sp.Symbol, sp.Expr] | None  #: beta, eta and the velocity scale c (v = -c m)
    inverse: dict[sp.Symbol, sp.Expr] | None  #: h and a in terms of eta, beta
    residual: tuple[sp.Expr, sp.Expr] | None  #: ODE map minus momentum map after substitution


H = sp.Symbol("h", positive=True)
A = sp.Symbol("a", positive=True)
BETA = sp.Symbol("beta", positive=True)
ETA = sp.Symbol("eta", positive=True)
C = sp.Symbol("c", positive=True)


def _heavy_ball_step(scheme: str) -> Callable[[sp.Expr, sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]:
    def step(theta: sp.Expr, v: sp.Expr, g: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
        v_next = v + H * (-A * v - g)
        # semi-implicit: the position uses the new velocity; explicit: the old one
        theta_next = theta + H * (v_next if scheme == "semi-implicit" else v)
        return theta_next, v_next

    return step


def heavy_ball_momentum_map(scheme: str = "semi-implicit") -> HeavyBallMap:
    r"""Match the Euler-discretised heavy-ball ODE with textbook momentum.

    ODE :math:`\ddot\theta + a\dot\theta = -\nabla L` as
    :math:`\dot\theta = v,\ \dot v = -a v - \nabla L`, step ``h``:
    :math:`v_{n+1} = v_n + h(-a v_n - g_n)`, then
    :math:`\theta_{n+1} = \theta_n + h v_{n+1}` (semi-implicit) or
    :math:`+ h v_n` (explicit).  Momentum: :math:`m \leftarrow \beta m + g`,
    :math:`x \leftarrow x - \eta m`.  With :math:`v = -c\,m` the unknowns
    :math:`\beta, \eta, c` are solved from the requirement that both maps agree
    identically in :math:`(\theta, m, g)`.

    Parameters
    ----------
    scheme : {"semi-implicit", "explicit"}

    Returns
    -------
    HeavyBallMap
        ``solution`` is None when no exact correspondence exists (explicit).

    Raises
    ------
    ValueError
        An unknown ``scheme``.
    """
    scheme = check_choice("scheme", scheme, ["semi-implicit", "explicit"])
    theta, m, g = sp.symbols("theta m g", real=True)
    ode_theta, ode_v = _heavy_ball_step(scheme)(theta, -C * m, g)
    mom_m = BETA * m + g
    mom_theta = theta - ETA * mom_m
    equations: list[sp.Expr] = []
    for lhs, rhs in ((ode_theta, mom_theta), (ode_v, -C * mom_m)):
        poly = sp.Poly(sp.expand(lhs - rhs), theta, m, g)
        equations.extend(poly.coeffs())
    solutions = sp.solve(equations, [BETA, ETA, C], dict=True)
    if not solutions:
        return HeavyBallMap(scheme, None, None, None)
    (sol,) = solutions
    residual = (sp.simplify((ode_theta - mom_theta).subs(sol)),
                sp.simplify((ode_v + C * mom_m).subs(sol)))
    inv = sp.solve([sp.Eq(BETA, sol[BETA]), sp.Eq(ETA, sol[ETA])], [H, A], dict=True)
    inverse = inv[0] if len(inv) == 1 else None
    return HeavyBallMap(scheme, sol, inverse, residual)
