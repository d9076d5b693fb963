r"""Closed forms of AdaGrad, RMSProp and Adam on the scalar quadratic :math:`f = \tfrac{\lambda}{2}x^2`.

All results are derived by sympy from the textbook's update rules
(conventions.md; :math:`\epsilon` inside the root for AdaGrad / RMSProp, outside
for Adam):

* :func:`lam_derivatives` - with :math:`\epsilon = 0` the iterates do not
  depend on :math:`\lambda` (the update is homogeneous of degree 0 in the
  gradient).
* :func:`rmsprop_two_cycle` - RMSProp's symmetric 2-cycle
  :math:`x \to -x`: its amplitude, the threshold on :math:`\eta` where it is
  born, the linearisation at the origin, and the 2-step Jacobian of the cycle.
* :func:`rmsprop_accumulator_series` / :func:`rmsprop_as_adagrad` - for
  :math:`\gamma \to 1` RMSProp is AdaGrad with rescaled rate and epsilon.
* :func:`adagrad_step_factor` / :func:`adagrad_accumulator_bounds` /
  :func:`adagrad_rate_exponent` - AdaGrad's per-step contraction given the
  accumulator, bounds on the accumulator summed from the update, and the growth
  exponent of its effective rate with and without gradient noise.

Numbers are read exactly (a float as the decimal it denotes) and results are
exact sympy expressions; call ``float()`` on them for a number.

Claims: ``adagrad.rate``, ``adagrad.to-zero``, ``rmsprop.demo`` (long-run
behaviour: the demo's eta = 0.4 ends in 2-cycles of amplitude about 0.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import sympy as sp

from optheory._checks import check_choice, check_in_range, check_positive, check_positive_int
from optheory.symbolic._exact import to_exact

__all__ = [
    "BETA1",
    "BETA2",
    "DELTA",
    "EPS",
    "ETA",
    "GAMMA",
    "LAM",
    "METHODS",
    "X0",
    "AccumulatorBounds",
    "TwoCycle",
    "adagrad_accumulator_bounds",
    "adagrad_rate_exponent",
    "adagrad_step_factor",
    "lam_derivatives",
    "rmsprop_accumulator_series",
    "rmsprop_as_adagrad",
    "rmsprop_two_cycle",
    "scalar_iterates",
]

METHODS = ("adagrad", "rmsprop", "adam")

X0 = sp.Symbol("x0", positive=True)
LAM = sp.Symbol("lam", positive=True)
ETA = sp.Symbol("eta", positive=True)
GAMMA = sp.Symbol("gamma", positive=True)
BETA1 = sp.Symbol("beta1", positive=True)
BETA2 = sp.Symbol("beta2", positive=True)
EPS = sp.Symbol("epsilon", nonnegative=True)
_EPS_POS = sp.Symbol("epsilon", positive=True)
_U = sp.Symbol("u", positive=True)  # eta * lam / sqrt(eps), the dimensionless step
_Z = sp.Symbol("z")


# ------------------------------------------------------------ input helpers
def _param(value: Any, name: str, kind: str) -> sp.Expr:
    """Exact sympy value; numbers checked by ``kind``: positive, nonneg, unit_open."""
    out = to_exact(value, name)
    if out.free_symbols:
        return out
    if kind == "positive":
        check_positive(name, value)
    elif kind == "nonneg":
        check_in_range(name, value, 0.0, float("inf"))
    else:
        check_in_range(name, value, 0.0, 1.0, low_open=True, high_open=True)
    return out


# ------------------------------------------------- (a) independence of lam
def scalar_iterates(
    method: str,
    steps: int = 3,
    *,
    x0: Any = X0,
    lam: Any = LAM,
    eta: Any = ETA,
    eps: Any = 0,
    gamma: Any = GAMMA,
    beta1: Any = BETA1,
    beta2: Any = BETA2,
) -> list[sp.Expr]:
    r"""Iterates :math:`x_1, \dots, x_{\rm steps}` of a textbook method on :math:`\tfrac{\lambda}{2}x^2`.

    Algorithm
    ---------
    ``g = lam x``, states start at 0, and

    * adagrad: :math:`s \leftarrow s + g^2`, :math:`x \leftarrow x - \eta g/\sqrt{s+\epsilon}`
    * rmsprop: :math:`s \leftarrow \gamma s + (1-\gamma) g^2`, same step
    * adam: :math:`v \leftarrow \beta_1 v + (1-\beta_1) g`,
      :math:`s \leftarrow \beta_2 s + (1-\beta_2) g^2`,
      :math:`x \leftarrow x - \eta \hat v/(\sqrt{\hat s} + \epsilon)` with the
      bias corrections :math:`1/(1-\beta^t)`.

    After each step the accumulators are rewritten with ``factor_terms``
    (an identity) so common factors such as :math:`\lambda^2` leave the roots.

    Parameters
    ----------
    method : {"adagrad", "rmsprop", "adam"}
    steps : int
        Number of steps (1..8; the expressions grow quickly).
    x0, lam, eta, eps, gamma, beta1, beta2 : number or sympy expression
        Start and hyperparameters (symbols by default, ``eps = 0``).

    Returns
    -------
    list of sympy.Expr

    Raises
    ------
    ValueError
        Unknown method, bad steps, hyperparameters out of range.
    """
    check_choice("method", method, METHODS)
    n = check_positive_int("steps", steps, maximum=8)
    x = to_exact(x0, "x0")
    lam_e = _param(lam, "lam", "positive")
    eta_e = _param(eta, "eta", "positive")
    eps_e = _param(eps, "eps", "nonneg")
    g_e = _param(gamma, "gamma", "unit_open")
    b1 = _param(beta1, "beta1", "unit_open")
    b2 = _param(beta2, "beta2", "unit_open")
    if x == 0 and eps_e == 0:
        raise ValueError("x0 must be nonzero when eps = 0: the first step divides 0 by sqrt(0)")
    s: sp.Expr = sp.Integer(0)
    v: sp.Expr = sp.Integer(0)
    out = []
    for t in range(1, n + 1):
        g = lam_e * x
        if method == "adagrad":
            s = sp.factor_terms(s + g**2)
            x = x - eta_e * g / sp.sqrt(s + eps_e)
        elif method == "rmsprop":
            s = sp.factor_terms(g_e * s + (1 - g_e) * g**2)
            x = x - eta_e * g / sp.sqrt(s + eps_e)
        else:
            v = sp.factor_terms(b1 * v + (1 - b1) * g)
            s = sp.factor_terms(b2 * s + (1 - b2) * g**2)
            v_hat, s_hat = v / (1 - b1**t), s / (1 - b2**t)
            x = x - eta_e * v_hat / (sp.sqrt(s_hat) + eps_e)
        x = sp.factor_terms(x)
        out.append(x)
    return out


def lam_derivatives(method: str, steps: int = 3, eps: Any = 0) -> list[sp.Expr]:
    r""":math:`\partial x_k/\partial\lambda` for the first ``steps`` iterates, simplified.

    With :math:`\epsilon = 0` every entry is 0: the trajectory on
    :math:`\tfrac{\lambda}{2}x^2` does not depend on the curvature.  With
    :math:`\epsilon > 0` the dependence returns.

    Parameters
    ----------
    method : {"adagrad", "rmsprop", "adam"}
    steps : int
    eps : number or sympy expression

    Returns
    -------
    list of sympy.Expr
    """
    xs = scalar_iterates(method, steps, eps=eps)
    return [sp.simplify(sp.diff(x, LAM)) for x in xs]


# ------------------------------------------------- (b) RMSProp's 2-cycle
@dataclass(frozen=True)
class TwoCycle:
    r"""RMSProp's symmetric 2-cycle on :math:`\tfrac{\lambda}{2}x^2` (textbook form).

    Attributes
    ----------
    stationary_s : sympy.Expr or None
        Fixed point of the accumulator for a constant :math:`g^2` (:math:`= g^2`);
        None where the cycle does not exist (``exists`` False).
    amplitude : sympy.Expr or None
        :math:`|x|` on the cycle, :math:`\sqrt{\eta^2/4 - \epsilon/\lambda^2}`;
        None where the cycle does not exist.
    threshold_eta : sympy.Expr or None
        The cycle exists iff :math:`\eta >` this; None for :math:`\epsilon = 0`
        (it always exists).
    origin_factor : sympy.Expr or None
        Linearisation of the x-update at :math:`(x, s) = (0, 0)`; None for
        :math:`\epsilon = 0` (not differentiable there).
    origin_stable_below : sympy.Expr or None
        The origin is linearly stable iff :math:`0 < \eta <` this.
    cycle_charpoly : sympy.Expr or None
        Characteristic polynomial in ``z`` of the 2-step Jacobian at the cycle
        (None where the cycle does not exist).
    cycle_jury : tuple of sympy.Expr, or None
        Jury quantities :math:`(1 - a_0, 1 + a_1 + a_0, 1 - a_1 + a_0)` of
        that polynomial; the cycle is locally stable iff all are > 0.
    cycle_spectral_radius : float or None
        Spectral radius of the 2-step Jacobian when all inputs are numbers and
        the cycle exists; the distance to the cycle shrinks by about its square
        root per step.
    cycle_stable : bool or None
        All Jury quantities > 0 (numbers only, cycle existing).
    exists : bool or None
        Whether the cycle exists, :math:`\eta > \eta^*` (always for
        :math:`\epsilon = 0`); None while the inputs are symbols.  Below the
        threshold the amplitude would be imaginary, so the cycle's fields are None.
    """

    stationary_s: sp.Expr | None
    amplitude: sp.Expr | None
    threshold_eta: sp.Expr | None
    origin_factor: sp.Expr | None
    origin_stable_below: sp.Expr | None
    cycle_charpoly: sp.Expr | None
    cycle_jury: tuple[sp.Expr, sp.Expr, sp.Expr] | None
    cycle_spectral_radius: float | None
    cycle_stable: bool | None
    exists: bool | None = None


def _rmsprop_map(eps: sp.Expr) -> tuple[sp.Matrix, sp.Symbol, sp.Symbol]:
    x = sp.Symbol("x", real=True)
    s = sp.Symbol("s", nonnegative=True)
    s_next = GAMMA * s + (1 - GAMMA) * (LAM * x) ** 2
    return sp.Matrix([x - ETA * LAM * x / sp.sqrt(s_next + eps), s_next]), x, s


@cache
def _two_cycle_general(eps_zero: bool) -> dict[str, Any]:
    eps = sp.Integer(0) if eps_zero else _EPS_POS
    x = sp.Symbol("x", positive=True)
    s = sp.Symbol("s", nonnegative=True)
    g = LAM * x
    (s_star,) = sp.solve(sp.Eq(s, GAMMA * s + (1 - GAMMA) * g**2), s)
    roots = sp.solve(sp.Eq(x - ETA * g / sp.sqrt(s_star + eps), -x), x)
    (amp,) = [r for r in roots if r.is_positive is not False]
    out: dict[str, Any] = {"s_star": s_star.subs(x, amp), "amp": amp}
    if eps_zero:
        out.update(threshold=None, origin=None, stable_below=None)
    else:
        # In u = eta lam / sqrt(eps) both conditions are parameter-free.
        to_u = {ETA: _U * sp.sqrt(eps) / LAM}
        amp2_u = sp.simplify((amp**2).subs(to_u) * LAM**2 / eps)
        exists = sp.solve_univariate_inequality(amp2_u > 0, _U, relational=False)
        exists = exists.intersect(sp.Interval.open(0, sp.oo))
        fmap, xr, sr = _rmsprop_map(eps)
        jac0 = sp.simplify(fmap.jacobian([xr, sr]).subs({xr: 0, sr: 0}))
        factor = jac0[0, 0]
        stable = sp.solve_univariate_inequality(
            sp.Abs(sp.simplify(factor.subs(to_u))) < 1, _U, relational=False
        )
        if not (isinstance(exists, sp.Interval) and isinstance(stable, sp.Interval)):
            raise ArithmeticError(f"unexpected regions: exists {exists}, stable {stable}")
        from_u = sp.sqrt(eps) / LAM
        out.update(
            threshold=exists.start * from_u,
            origin=factor,
            stable_below=stable.end * from_u,
            jac0=jac0,
        )
    fmap, xr, sr = _rmsprop_map(eps)
    jac = fmap.jacobian([xr, sr])
    point = {sr: out["s_star"]}
    two_step = (jac.subs({xr: -amp, **point}) * jac.subs({xr: amp, **point})).applyfunc(
        sp.simplify
    )
    charpoly = sp.collect(sp.simplify(two_step.charpoly(_Z).as_expr()), _Z)
    poly = sp.Poly(charpoly, _Z)
    _, a1, a0 = (sp.simplify(c / poly.LC()) for c in poly.all_coeffs())
    out["charpoly"] = charpoly
    out["jury"] = (sp.simplify(1 - a0), sp.factor(1 + a1 + a0), sp.factor(1 - a1 + a0))
    return out


def rmsprop_two_cycle(
    eta: Any = ETA, lam: Any = LAM, eps: Any = EPS, gamma: Any = GAMMA
) -> TwoCycle:
    r"""Derive RMSProp's symmetric 2-cycle and the stability of the origin.

    Algorithm
    ---------
    On the cycle :math:`x_{t+1} = -x_t` the squared gradient
    :math:`\lambda^2 x^2` is constant, so the accumulator sits at the fixed
    point of :math:`s = \gamma s + (1-\gamma) g^2` (solved: :math:`s = g^2`).
    Solving :math:`x - \eta\lambda x/\sqrt{s + \epsilon} = -x` for
    :math:`x > 0` gives the amplitude; the region where it is real is solved in
    the dimensionless step :math:`u = \eta\lambda/\sqrt\epsilon`.  The origin's
    Jacobian of the map :math:`(x, s) \mapsto (x', s')` (textbook order: ``s``
    first) gives the factor :math:`1 - \eta\lambda/\sqrt\epsilon`, stable iff
    :math:`u < 2`.  The cycle's stability comes from the product of the
    Jacobians at :math:`(\pm x^*, s^*)` and the degree-2 Jury conditions.

    Parameters
    ----------
    eta, lam : number or sympy expression (> 0)
    eps : number or sympy expression (>= 0)
    gamma : number or sympy expression in (0, 1)

    Returns
    -------
    TwoCycle

    Raises
    ------
    ValueError
        Out-of-range numbers.
    """
    eta_e = _param(eta, "eta", "positive")
    lam_e = _param(lam, "lam", "positive")
    eps_e = _param(eps, "eps", "nonneg")
    gamma_e = _param(gamma, "gamma", "unit_open")
    eps_zero = not eps_e.free_symbols and eps_e == 0
    general = _two_cycle_general(eps_zero)
    subs = {ETA: eta_e, LAM: lam_e, GAMMA: gamma_e}
    if not eps_zero:
        subs[_EPS_POS] = eps_e

    def put(expr: sp.Expr | None) -> sp.Expr | None:
        return None if expr is None else sp.simplify(expr.subs(subs))

    threshold = put(general["threshold"])
    origin = (put(general["origin"]), put(general["stable_below"]))
    exists: bool | None = True if threshold is None else None
    if threshold is not None and not (eta_e - threshold).free_symbols:
        exists = bool(eta_e > threshold)
    if exists is False:
        # no real amplitude: nothing of a cycle to report, only the origin's side
        return TwoCycle(None, None, threshold, origin[0], origin[1], None, None, None, None,
                        exists=False)
    charpoly = sp.simplify(general["charpoly"].subs(subs))
    radius = None
    if charpoly.free_symbols <= {_Z}:
        radius = max(abs(complex(r)) for r in sp.Poly(charpoly, _Z).nroots(n=30))
    jury = tuple(sp.simplify(j.subs(subs)) for j in general["jury"])
    stable = None
    if all(not j.free_symbols for j in jury):
        stable = all(bool(j > 0) for j in jury)
    return TwoCycle(
        stationary_s=put(general["s_star"]),
        amplitude=put(general["amp"]),
        threshold_eta=threshold,
        origin_factor=origin[0],
        origin_stable_below=origin[1],
        cycle_charpoly=charpoly,
        cycle_jury=(jury[0], jury[1], jury[2]),
        cycle_spectral_radius=radius,
        cycle_stable=stable,
        exists=exists,
    )


# ---------------------------------------------- (c) RMSProp near gamma = 1
DELTA = sp.Symbol("delta", positive=True)  # 1 - gamma


def rmsprop_accumulator_series(t: int, order: int = 2) -> tuple[sp.Expr, tuple[sp.Symbol, ...]]:
    r"""RMSProp's accumulator :math:`s_t` as a series in :math:`\delta = 1 - \gamma`.

    Unrolls :math:`s \leftarrow (1-\delta) s + \delta g^2` from :math:`s_0 = 0`
    with squared gradients ``q_1..q_t`` and expands in :math:`\delta`.  The
    :math:`\delta^1` coefficient is AdaGrad's sum :math:`\sum_j q_j`; the next
    one, :math:`-\sum_j (t-j) q_j`, bounds the relative gap by :math:`\delta t`.

    Parameters
    ----------
    t : int
        Number of steps (1..50).
    order : int
        Highest power of :math:`\delta` kept (1..4).

    Returns
    -------
    (sympy.Expr, tuple of symbols)
        The truncated series and the symbols ``q_1..q_t``.
    """
    n = check_positive_int("t", t, maximum=50)
    k = check_positive_int("order", order, maximum=4)
    qs = sp.symbols(f"q_1:{n + 1}", nonnegative=True)
    s: sp.Expr = sp.Integer(0)
    for q in qs:
        s = (1 - DELTA) * s + DELTA * q
    series = sp.series(sp.expand(s), DELTA, 0, k + 1).removeO()
    return sp.expand(series), tuple(qs)


def rmsprop_as_adagrad(eta: Any = ETA, gamma: Any = GAMMA, eps: Any = EPS) -> dict[str, sp.Expr]:
    r"""AdaGrad hyperparameters that reproduce RMSProp's step when :math:`s = (1-\gamma) S`.

    Solves :math:`\eta/\sqrt{(1-\gamma)S + \epsilon} = \eta_a/\sqrt{S + \epsilon_a}`
    identically in ``S`` (compare the coefficients of the squared reciprocal).

    Returns
    -------
    dict
        ``{"eta": eta_a, "eps": eps_a}`` = :math:`\eta/\sqrt{1-\gamma}`,
        :math:`\epsilon/(1-\gamma)`.
    """
    eta_e = _param(eta, "eta", "positive")
    gamma_e = _param(gamma, "gamma", "unit_open")
    eps_e = _param(eps, "eps", "nonneg")
    big_s = sp.Symbol("S", positive=True)
    eta_a, eps_a = sp.symbols("eta_a epsilon_a", positive=True)
    # written in delta = 1 - gamma > 0 so that the positive root is the only one
    lhs = (DELTA * big_s + EPS) / ETA**2  # (step / g)^-2 for RMSProp
    rhs = (big_s + eps_a) / eta_a**2  # and for AdaGrad
    eqs = sp.Poly(sp.expand((lhs - rhs) * ETA**2 * eta_a**2), big_s).coeffs()
    (sol,) = sp.solve(eqs, [eta_a, eps_a], dict=True)
    subs = {ETA: eta_e, DELTA: 1 - gamma_e, EPS: eps_e}
    return {"eta": sp.simplify(sol[eta_a].subs(subs)), "eps": sp.simplify(sol[eps_a].subs(subs))}


# ------------------------------------------------------------ (d) AdaGrad
def adagrad_step_factor(eta: Any = ETA, lam: Any = LAM, s: Any = None, eps: Any = EPS) -> sp.Expr:
    r"""Contraction :math:`x_{t+1}/x_t` of AdaGrad on :math:`\tfrac{\lambda}{2}x^2` given :math:`s_{t+1}`.

    Derived from the update :math:`x - \eta\lambda x/\sqrt{s + \epsilon}`; with a
    bounded accumulator :math:`s_t \to s_\infty` the rate tends to
    :math:`1 - \eta\lambda/\sqrt{s_\infty + \epsilon}` (linear convergence).

    Returns
    -------
    sympy.Expr
    """
    x = sp.Symbol("x", positive=True)
    s_e = sp.Symbol("s", nonnegative=True) if s is None else _param(s, "s", "nonneg")
    eta_e = _param(eta, "eta", "positive")
    lam_e = _param(lam, "lam", "positive")
    eps_e = _param(eps, "eps", "nonneg")
    x_next = x - eta_e * lam_e * x / sp.sqrt(s_e + eps_e)
    return sp.simplify(x_next / x)


@dataclass(frozen=True)
class AccumulatorBounds:
    r"""Bounds on AdaGrad's accumulator on :math:`\tfrac{\lambda}{2}x^2`, derived from the update.

    Attributes
    ----------
    noisy : bool
        With gradient noise the bounds are on :math:`\mathbb E s_t`, else on :math:`s_t`.
    t : sympy.Symbol
        The step count (a positive integer).
    squared_gradient : sympy.Expr
        The summand: :math:`g_k^2` along the bounding geometric path (exact
        gradients), or :math:`\mathbb E g_k^2` in terms of ``m`` :math:`= \mathbb E x_k^2`.
    lower, upper : sympy.Expr
        :math:`\text{lower} \le s_t \le \text{upper}` (or :math:`\mathbb E s_t`) for all ``t``.
    lower_limit, upper_limit : sympy.Expr
        Their limits for :math:`t \to \infty` (finite: the accumulator is bounded).
    exponent : sympy.Expr
        ``p`` with :math:`\eta/\sqrt{s_t} \sim t^p`: the common value of
        :math:`\lim_{t\to\infty} \log(\eta/\sqrt{b_t})/\log t` for both bounds ``b``.
    """

    noisy: bool
    t: sp.Symbol
    squared_gradient: sp.Expr
    lower: sp.Expr
    upper: sp.Expr
    lower_limit: sp.Expr
    upper_limit: sp.Expr
    exponent: sp.Expr


#: the bound r on |x_{t+1}/x_t| (0 < r < 1), E x_t^2 = m and its bound M, the noise variance
RATIO_BOUND = sp.Symbol("r", positive=True)
SECOND_MOMENT, MOMENT_BOUND = sp.symbols("m M", nonnegative=True)
SIGMA2 = sp.Symbol("sigma2", positive=True)
_STEP_T = sp.Symbol("t", integer=True, positive=True)
_K = sp.Symbol("k", integer=True, nonnegative=True)


def _exponent(bound: sp.Expr) -> sp.Expr:
    """lim_{t -> oo} log(eta / sqrt(bound)) / log t, with t taken as a positive real."""
    t_real = sp.Symbol("t_real", positive=True)
    ratio = sp.log(ETA / sp.sqrt(bound.subs(_STEP_T, t_real))) / sp.log(t_real)
    return sp.limit(ratio, t_real, sp.oo)


@cache
def adagrad_accumulator_bounds(noisy: bool) -> AccumulatorBounds:
    r"""Derive bounds on AdaGrad's accumulator :math:`s_t = \sum_{k<t} g_k^2` and its exponent.

    Algorithm
    ---------
    *Exact gradients.*  Between steps AdaGrad multiplies :math:`x` by the factor
    of :func:`adagrad_step_factor`; while the accumulator stays bounded that
    factor has modulus at most some :math:`r < 1`, so :math:`|x_k|` is bounded by
    the solution of :math:`x_{k+1} = r x_k` (``rsolve``).  Summing its squared
    gradients :math:`(\lambda x_0 r^k)^2` (``summation``, with
    :math:`r = (1 + a)^{-1/2}`, :math:`a > 0`, so sympy knows :math:`r < 1`)
    gives an upper bound with a finite limit, which is consistent with the
    assumption; the first term :math:`g_0^2` is a lower bound.

    *Noisy gradients* :math:`g = \lambda x + \sigma\xi` with
    :math:`\mathbb E\xi = 0`, :math:`\mathbb E\xi^2 = 1`, :math:`\xi` independent
    of :math:`x_k`: the expectation of the expanded square gives
    :math:`\mathbb E g_k^2 = \lambda^2 m + \sigma^2` with :math:`m = \mathbb E x_k^2`,
    increasing in :math:`m`.  With :math:`0 \le m \le M` (a stable iteration),
    summing over :math:`k = 1..t` bounds :math:`\mathbb E s_t` between
    :math:`\sigma^2 t` and :math:`(\lambda^2 M + \sigma^2) t`.

    The exponent is the limit of :math:`\log(\eta/\sqrt{b_t})/\log t` for each
    bound :math:`b_t`; the two limits agree, which pins down the exponent of
    :math:`\eta/\sqrt{s_t}` between them.

    Parameters
    ----------
    noisy : bool
        Gradient noise of variance :math:`\sigma^2 > 0`, or exact gradients.

    Returns
    -------
    AccumulatorBounds

    Raises
    ------
    ArithmeticError
        If the two bounds gave different exponents (no conclusion).
    """
    if noisy:
        xi = sp.Symbol("xi", real=True)
        x = sp.Symbol("x", real=True)
        square = sp.Poly(sp.expand((LAM * x + sp.sqrt(SIGMA2) * xi) ** 2), xi)
        moments = {0: sp.Integer(1), 1: sp.Integer(0), 2: sp.Integer(1)}  # E xi^j
        expected = sum((c * moments[deg] for (deg,), c in square.terms()), sp.Integer(0))
        expected = sp.expand(expected).subs(x**2, SECOND_MOMENT)
        if expected.free_symbols & {x, xi} or not sp.diff(expected, SECOND_MOMENT).is_nonnegative:
            raise ArithmeticError(f"unexpected E g^2 = {expected}")
        j = sp.Symbol("j", integer=True, positive=True)
        lower = sp.summation(expected.subs(SECOND_MOMENT, 0), (j, 1, _STEP_T))
        upper = sp.summation(expected.subs(SECOND_MOMENT, MOMENT_BOUND), (j, 1, _STEP_T))
        upper_for_limits = upper
        upper_limit = sp.limit(upper, _STEP_T, sp.oo)
    else:
        a = sp.Symbol("a", positive=True)
        xf = sp.Function("x")
        path = sp.rsolve(xf(_K + 1) - RATIO_BOUND * xf(_K), xf(_K), {xf(0): X0})
        expected = sp.expand((LAM * path) ** 2)
        in_a = sp.powsimp(expected.subs(RATIO_BOUND, 1 / sp.sqrt(1 + a)), force=True)
        upper_a = sp.simplify(sp.summation(in_a, (_K, 0, _STEP_T - 1)))
        limit_a = sp.limit(upper_a, _STEP_T, sp.oo)
        if not limit_a.is_finite:
            raise ArithmeticError(f"the geometric bound did not converge: {limit_a}")
        back = {a: 1 / RATIO_BOUND**2 - 1}
        upper = sp.simplify(upper_a.subs(back))
        upper_limit = sp.factor(sp.simplify(limit_a.subs(back)))
        # limits of the upper bound are taken in a > 0, where sympy knows r < 1
        upper_for_limits = upper_a
        lower = expected.subs(_K, 0)
    exponents = (_exponent(lower), _exponent(upper_for_limits))
    if sp.simplify(exponents[0] - exponents[1]) != 0:
        raise ArithmeticError(f"the bounds give different exponents {exponents}")
    return AccumulatorBounds(
        noisy=noisy,
        t=_STEP_T,
        squared_gradient=expected,
        lower=sp.factor(lower),
        upper=sp.factor(upper),
        lower_limit=sp.limit(lower, _STEP_T, sp.oo),
        upper_limit=upper_limit,
        exponent=exponents[0],
    )


def adagrad_rate_exponent(noisy: bool) -> sp.Expr:
    r"""Exponent ``p`` in :math:`\eta/\sqrt{\mathbb E s_t} \sim t^{p}` for AdaGrad.

    Read off :func:`adagrad_accumulator_bounds`: with gradient noise of variance
    :math:`\sigma^2 > 0` the expected accumulator grows linearly between two
    derived bounds; with exact gradients on a quadratic it stays bounded.

    Returns
    -------
    sympy.Expr
        The derived exponent (-1/2 with noise, 0 without).
    """
    return adagrad_accumulator_bounds(bool(noisy)).exponent
