r"""Continuous-time limits of gradient methods and their Euler discretisations.

Each flow is integrated with ``scipy.integrate.solve_ivp`` (DOP853,
``rtol=1e-10``, ``atol=1e-12``); each discrete method is the Euler-type scheme
whose step ``h`` shrinks to zero at fixed final time ``T``:

========================  ======================================================  ==========================
flow                      ODE                                                     discrete method (step h)
========================  ======================================================  ==========================
gradient flow             :math:`\dot\theta = -\nabla L`                          gradient descent, eta = h
RMSProp flow              :math:`\dot\theta = -\nabla L/\sqrt{G+\epsilon},`       RMSProp (eps inside root),
                          :math:`\dot G = c\,(\nabla L^2 - G)`                    eta = h, gamma = 1 - c h
sign flow                 :math:`\dot\theta = -\operatorname{sign}\nabla L`       sign descent, step h
heavy ball                :math:`\ddot\theta + a\dot\theta = -\nabla L`           semi-implicit Euler
                                                                                  (= momentum, see
                                                                                  ``optheory.symbolic.ode``)
========================  ======================================================  ==========================

RMSProp's update :math:`G_{n+1} = G_n + c h (g_n^2 - G_n)`,
:math:`\theta_{n+1} = \theta_n - h g_n/\sqrt{G_{n+1}+\epsilon}` is the Euler
scheme of the RMSProp flow except that the root uses the new :math:`G_{n+1}`,
which differs from :math:`G_n` by :math:`O(h)`: the local error stays
:math:`O(h^2)` and the global error :math:`O(h)`.
:func:`convergence_order` fits that order from measured errors.

Source: seed 004 (Su Jianlin) for the gradient / sign / RMSProp flows;
conventions.md for the heavy-ball ODE.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from optheory._checks import check_choice, check_finite, check_positive, check_positive_int

__all__ = [
    "ATOL",
    "RTOL",
    "SYSTEMS",
    "convergence_order",
    "discretisation_errors",
    "error_controlled_euler",
    "gd_euler",
    "gradient_flow",
    "heavy_ball_euler",
    "heavy_ball_flow",
    "rmsprop_euler",
    "rmsprop_flow",
    "sign_euler",
    "sign_flow",
]

Grad = Callable[[np.ndarray], np.ndarray]

RTOL = 1e-10
ATOL = 1e-12
METHOD = "DOP853"
MAX_STEPS = 10_000_000
SYSTEMS = ("gradient", "rmsprop", "heavy_ball")
_PARAMS: dict[str, set[str]] = {"gradient": set(), "rmsprop": {"c", "eps", "G0"},
                                "heavy_ball": {"a", "v0"}}


# ----------------------------------------------------------------- checking
def _vector(name: str, value: Any) -> np.ndarray:
    arr = np.array(value, dtype=float, copy=True)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must have finite entries, got {value!r}")
    return arr


def _grad_of(grad: Grad, d: int) -> Grad:
    if not callable(grad):
        raise ValueError(f"grad must be a callable mapping a (d,) array to a (d,) array, got {grad!r}")

    def g(theta: np.ndarray) -> np.ndarray:
        out = np.asarray(grad(theta), dtype=float)
        if out.shape != (d,):
            raise ValueError(f"grad returned shape {out.shape}; expected ({d},)")
        return out

    return g


def _state(name: str, value: Any, d: int, default: float = 0.0) -> np.ndarray:
    if value is None:
        return np.full(d, default)
    arr = _vector(name, np.broadcast_to(np.asarray(value, dtype=float), (d,)))
    return arr


def _rmsprop_params(c: Any, eps: Any, big_g0: np.ndarray) -> tuple[float, float]:
    c_f = check_positive("c", c)
    eps_f = check_finite("eps", eps)
    if eps_f < 0:
        raise ValueError(f"eps must be >= 0, got {eps!r}")
    if np.any(big_g0 < 0):
        raise ValueError("G0 must be >= 0 (it averages squared gradients)")
    if np.any(big_g0 + eps_f <= 0):
        raise ValueError("G0 + eps must be > 0 in every coordinate; raise eps or G0")
    return c_f, eps_f


def _solve(rhs: Callable[[float, np.ndarray], np.ndarray], y0: np.ndarray, T: float,
           **kw: Any) -> Any:
    from scipy.integrate import solve_ivp

    # A stiff or singular system may step into G < 0 or a zero root; the solver
    # then fails and we raise instead of letting numpy warn.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        sol = solve_ivp(rhs, (0.0, T), y0, method=METHOD, rtol=RTOL, atol=ATOL, **kw)
    if sol.status < 0 or not np.all(np.isfinite(sol.y)):
        raise ArithmeticError(f"solve_ivp ({METHOD}) failed: {sol.message}")
    return sol


# -------------------------------------------------------------------- flows
def gradient_flow(grad: Grad, theta0: Any, T: Any) -> np.ndarray:
    r"""Solve :math:`\dot\theta = -\nabla L(\theta)`, :math:`\theta(0) = \theta_0`.

    Parameters
    ----------
    grad : callable
        :math:`\nabla L`, (d,) array to (d,) array.
    theta0 : array_like, shape (d,)
        Start.
    T : float or 1-D array of increasing times > 0
        Final time, or times at which to report the solution.

    Returns
    -------
    ndarray
        :math:`\theta(T)`, shape (d,), or (len(T), d) for an array of times.

    Raises
    ------
    ValueError
        Non-finite start, non-positive or unsorted times, a bad ``grad``.
    """
    x0 = _vector("theta0", theta0)
    g = _grad_of(grad, x0.size)
    times = np.atleast_1d(np.asarray(T, dtype=float))
    if times.ndim != 1 or not np.all(np.isfinite(times)) or np.any(times <= 0):
        raise ValueError(f"T must be a positive time or a 1-D array of them, got {T!r}")
    if np.any(np.diff(times) <= 0):
        raise ValueError("the times in T must be strictly increasing")
    sol = _solve(lambda _t, y: -g(y), x0, float(times[-1]), t_eval=times)
    out = np.asarray(sol.y.T)
    return out if np.ndim(T) else out[-1]


def rmsprop_flow(
    grad: Grad, theta0: Any, T: Any, *, c: float, eps: float, G0: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    r"""Solve the RMSProp flow per coordinate.

    .. math:: \dot\theta = -\frac{\nabla L(\theta)}{\sqrt{G + \epsilon}}, \qquad
              \dot G = c\,\big(\nabla L(\theta)^{2} - G\big).

    It is the limit :math:`h \to 0` of RMSProp with :math:`\eta = h` and
    :math:`\gamma = 1 - c h`.

    Parameters
    ----------
    grad, theta0, T
        As :func:`gradient_flow` (``T`` a single time).
    c : float
        Relaxation rate of ``G`` (> 0).
    eps : float
        :math:`\epsilon \ge 0` inside the root.
    G0 : array_like, optional
        Initial average of squared gradients (0 by default, as RMSProp).

    Returns
    -------
    (theta(T), G(T))

    Raises
    ------
    ValueError
        Bad parameters, or :math:`G_0 + \epsilon \le 0` somewhere.
    """
    x0 = _vector("theta0", theta0)
    d = x0.size
    g = _grad_of(grad, d)
    big_g0 = _state("G0", G0, d)
    c_f, eps_f = _rmsprop_params(c, eps, big_g0)
    t_end = check_positive("T", T)

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        theta, big_g = y[:d], y[d:]
        gr = g(theta)
        return np.concatenate([-gr / np.sqrt(np.maximum(big_g, 0.0) + eps_f),
                               c_f * (gr * gr - big_g)])

    sol = _solve(rhs, np.concatenate([x0, big_g0]), t_end)
    y = sol.y[:, -1]
    return y[:d], y[d:]


def sign_flow(grad: Grad, theta0: Any, T: Any) -> tuple[float, np.ndarray]:
    r"""Solve :math:`\dot\theta = -\operatorname{sign}\nabla L(\theta)` up to ``T``.

    The right-hand side jumps where a gradient coordinate changes sign; past
    that point the classical solution stops existing (it becomes a sliding
    motion), so the integration stops at the first time a gradient
    coordinate reaches zero.

    Returns
    -------
    (t_end, theta(t_end))
        ``t_end = T`` unless a gradient coordinate vanished earlier.

    Raises
    ------
    ValueError
        As :func:`gradient_flow`, or a start where a gradient coordinate is 0.
    """
    x0 = _vector("theta0", theta0)
    g = _grad_of(grad, x0.size)
    t_end = check_positive("T", T)
    start_sign = np.sign(g(x0))
    if np.any(start_sign == 0):
        raise ValueError("sign_flow needs a start where no gradient coordinate is 0")

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        # the sign frozen at the start: valid until the event below fires
        return -start_sign

    def hits_zero(_t: float, y: np.ndarray) -> float:
        return float(np.min(start_sign * g(y)))

    hits_zero.terminal = True  # type: ignore[attr-defined]
    hits_zero.direction = -1  # type: ignore[attr-defined]
    sol = _solve(rhs, x0, t_end, events=hits_zero)
    return float(sol.t[-1]), np.asarray(sol.y[:, -1])


def heavy_ball_flow(
    grad: Grad, theta0: Any, T: Any, *, a: float, v0: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    r"""Solve :math:`\ddot\theta + a\dot\theta = -\nabla L(\theta)` as a first-order system.

    State :math:`(\theta, v)` with :math:`\dot\theta = v`,
    :math:`\dot v = -a v - \nabla L(\theta)`.

    Parameters
    ----------
    a : float
        Friction :math:`a \ge 0`.
    v0 : array_like, optional
        Initial velocity (0 by default).

    Returns
    -------
    (theta(T), v(T))
    """
    x0 = _vector("theta0", theta0)
    d = x0.size
    g = _grad_of(grad, d)
    a_f = check_finite("a", a)
    if a_f < 0:
        raise ValueError(f"a must be >= 0 (friction), got {a!r}")
    vel0 = _state("v0", v0, d)
    t_end = check_positive("T", T)

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        theta, v = y[:d], y[d:]
        return np.concatenate([v, -a_f * v - g(theta)])

    sol = _solve(rhs, np.concatenate([x0, vel0]), t_end)
    y = sol.y[:, -1]
    return y[:d], y[d:]


# --------------------------------------------------------- discrete schemes
def _steps(h: Any, steps: Any) -> tuple[float, int]:
    return check_positive("h", h), check_positive_int("steps", steps, maximum=MAX_STEPS)


def _explicit_steps(
    grad: Grad, theta0: Any, h: float, steps: int, direction: Callable[[np.ndarray], Any]
) -> np.ndarray:
    r"""Iterates of :math:`\theta \leftarrow \theta - h\,\mathrm{direction}(\nabla L(\theta))`."""
    x = _vector("theta0", theta0)
    g = _grad_of(grad, x.size)
    h_f, n = _steps(h, steps)
    out = np.empty((n + 1, x.size))
    out[0] = x
    for k in range(n):
        x = x - h_f * direction(g(x))
        out[k + 1] = x
    return out


def gd_euler(grad: Grad, theta0: Any, h: float, steps: int) -> np.ndarray:
    r"""Euler for the gradient flow = gradient descent: :math:`\theta \leftarrow \theta - h\nabla L`.

    Returns
    -------
    ndarray
        Iterates, shape (steps + 1, d).
    """
    return _explicit_steps(grad, theta0, h, steps, lambda g: g)


def rmsprop_euler(
    grad: Grad, theta0: Any, h: float, steps: int, *, c: float, eps: float, G0: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    r"""RMSProp as a scheme for :func:`rmsprop_flow` (step ``h``).

    Algorithm
    ---------
    .. math:: G_{n+1} = G_n + c h\,(g_n^2 - G_n), \qquad
              \theta_{n+1} = \theta_n - \frac{h\, g_n}{\sqrt{G_{n+1} + \epsilon}},

    i.e. textbook RMSProp with :math:`\eta = h`, :math:`\gamma = 1 - c h`.

    Returns
    -------
    (thetas, Gs)
        Both of shape (steps + 1, d).

    Raises
    ------
    ValueError
        Bad parameters or :math:`c h \ge 1` (then :math:`\gamma \le 0`).
    """
    x = _vector("theta0", theta0)
    d = x.size
    g = _grad_of(grad, d)
    h_f, n = _steps(h, steps)
    big_g = _state("G0", G0, d)
    c_f, eps_f = _rmsprop_params(c, eps, big_g)
    if c_f * h_f >= 1:
        raise ValueError(f"c * h must be < 1 (gamma = 1 - c h > 0), got c={c!r}, h={h!r}")
    xs, gs = np.empty((n + 1, d)), np.empty((n + 1, d))
    xs[0], gs[0] = x, big_g
    for k in range(n):
        gr = g(x)
        big_g = big_g + c_f * h_f * (gr * gr - big_g)
        x = x - h_f * gr / np.sqrt(big_g + eps_f)
        xs[k + 1], gs[k + 1] = x, big_g
    return xs, gs


def sign_euler(grad: Grad, theta0: Any, h: float, steps: int) -> np.ndarray:
    r"""Euler for the sign flow: :math:`\theta \leftarrow \theta - h\,\operatorname{sign}\nabla L`.

    Returns
    -------
    ndarray
        Iterates, shape (steps + 1, d).
    """
    return _explicit_steps(grad, theta0, h, steps, np.sign)


def heavy_ball_euler(
    grad: Grad, theta0: Any, h: float, steps: int, *, a: float, v0: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    r"""Semi-implicit Euler for the heavy-ball ODE.

    Algorithm
    ---------
    .. math:: v_{n+1} = v_n + h\,(-a v_n - \nabla L(\theta_n)), \qquad
              \theta_{n+1} = \theta_n + h\, v_{n+1}.

    Returns
    -------
    (thetas, vs)
        Both of shape (steps + 1, d).
    """
    x = _vector("theta0", theta0)
    d = x.size
    g = _grad_of(grad, d)
    h_f, n = _steps(h, steps)
    a_f = check_finite("a", a)
    if a_f < 0:
        raise ValueError(f"a must be >= 0 (friction), got {a!r}")
    v = _state("v0", v0, d)
    xs, vs = np.empty((n + 1, d)), np.empty((n + 1, d))
    xs[0], vs[0] = x, v
    for k in range(n):
        v = v + h_f * (-a_f * v - g(x))
        x = x + h_f * v
        xs[k + 1], vs[k + 1] = x, v
    return xs, vs


def error_controlled_euler(
    grad: Grad, theta0: Any, gamma_tilde: float, steps: int
) -> tuple[np.ndarray, np.ndarray]:
    r"""Euler for the gradient flow with the error-controlled step (seed eqs. 10-11).

    Algorithm
    ---------
    .. math:: \gamma_n = \tilde\gamma / \|\nabla L(\theta_n)\|, \quad
              \theta_{n+1} = \theta_n - \gamma_n \nabla L(\theta_n), \quad
              t_{n+1} = t_n + \gamma_n.

    In 1-D the iterate moves by exactly :math:`\tilde\gamma` (a sign step)
    while the flow time advances by :math:`\gamma_n`.

    Returns
    -------
    (times, thetas)
        Shapes (steps + 1,) and (steps + 1, d).

    Raises
    ------
    ValueError
        Bad parameters, or a zero gradient on the way (the step is undefined).
    """
    x = _vector("theta0", theta0)
    g = _grad_of(grad, x.size)
    gt, n = _steps(gamma_tilde, steps)
    times, xs = np.zeros(n + 1), np.empty((n + 1, x.size))
    xs[0] = x
    for k in range(n):
        gr = g(x)
        norm = float(np.linalg.norm(gr))
        if norm == 0.0:
            raise ValueError(f"zero gradient at step {k}; the error-controlled step is undefined")
        step = gt / norm
        x = x - step * gr
        times[k + 1], xs[k + 1] = times[k] + step, x
    return times, xs


# -------------------------------------------------------- order of accuracy
def convergence_order(step_sizes: Sequence[float], errors: Sequence[float]) -> float:
    r"""Least-squares slope ``p`` of :math:`\log e = p \log h + c`.

    Parameters
    ----------
    step_sizes, errors : sequences of positive finite floats, same length >= 2

    Returns
    -------
    float
        The fitted order ``p``.

    Raises
    ------
    ValueError
        Length mismatch, fewer than two points, non-positive / non-finite
        entries, or all step sizes equal.
    """
    h = np.asarray(step_sizes, dtype=float)
    e = np.asarray(errors, dtype=float)
    if h.ndim != 1 or e.ndim != 1 or h.size != e.size or h.size < 2:
        raise ValueError("step_sizes and errors must be 1-D of one length >= 2")
    for name, arr in (("step_sizes", h), ("errors", e)):
        if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
            raise ValueError(f"{name} must be positive and finite")
    if np.ptp(np.log(h)) == 0:
        raise ValueError("step_sizes must not all be equal")
    slope, _ = np.polyfit(np.log(h), np.log(e), 1)
    return float(slope)


def discretisation_errors(
    system: str, grad: Grad, theta0: Any, T: float, steps: Sequence[int], **params: Any
) -> tuple[np.ndarray, np.ndarray]:
    r"""Global errors :math:`\max_i |\theta^{(h)}_N - \theta(T)|_i` for ``h = T/N``.

    Parameters
    ----------
    system : {"gradient", "rmsprop", "heavy_ball"}
        Flow and matching scheme (see the module table).
    grad, theta0, T
        Problem, start and final time.
    steps : sequence of int
        Step counts ``N``; ``h = T / N``.
    **params
        ``c``, ``eps`` (and optionally ``G0``) for ``"rmsprop"``; ``a`` (and
        ``v0``) for ``"heavy_ball"``.

    Returns
    -------
    (step_sizes, errors)
        Feed them to :func:`convergence_order`.

    Raises
    ------
    ValueError
        Unknown system, bad parameters, or fewer than two step counts.
    """
    check_choice("system", system, SYSTEMS)
    t_end = check_positive("T", T)
    counts = [check_positive_int("steps", n, maximum=MAX_STEPS) for n in steps]
    if len(counts) < 2:
        raise ValueError("steps must list at least two step counts")
    unknown = sorted(set(params) - _PARAMS[system])
    if unknown:
        raise ValueError(
            f"system {system!r} takes parameters {sorted(_PARAMS[system])}, got unknown {unknown}"
        )
    if system == "gradient":
        exact = gradient_flow(grad, theta0, t_end)

        def final(h: float, n: int) -> np.ndarray:
            return gd_euler(grad, theta0, h, n)[-1]
    elif system == "rmsprop":
        exact, _ = rmsprop_flow(grad, theta0, t_end, **params)

        def final(h: float, n: int) -> np.ndarray:
            return rmsprop_euler(grad, theta0, h, n, **params)[0][-1]
    else:
        exact, _ = heavy_ball_flow(grad, theta0, t_end, **params)

        def final(h: float, n: int) -> np.ndarray:
            return heavy_ball_euler(grad, theta0, h, n, **params)[0][-1]

    hs = np.array([t_end / n for n in counts])
    errors = np.array([float(np.max(np.abs(final(h, n) - exact)))
                       for h, n in zip(hs, counts, strict=True)])
    return hs, errors
