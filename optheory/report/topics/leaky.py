"""Report topic: leaky (exponential moving) averages.

The closed forms (weights, finite and infinite weight sums, bias correction,
effective weight, half-life, mean lag, variance, effective sample size) come
from :mod:`optheory.symbolic.leaky`, which derives them with ``rsolve``,
``summation`` and ``solve``.  The measured column reads the state buffers of
``torch.optim.SGD(momentum)``, ``RMSprop`` and ``Adam`` fed with impulse,
constant and random gradients.  Textbook: "Dive into Deep Learning", sections
"Momentum" (leaky averages), "RMSProp", "Adadelta" and "Adam".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import sympy as sp

from optheory.report.document import (
    Block,
    Figure,
    Heading,
    InlineMath,
    Math,
    Page,
    Table,
    Text,
    Verification,
    VerificationRow,
)
from optheory.report.topics._common import row as _row
from optheory.report.topics._common import tex as _tex
from optheory.report.topics._common import torch_or_none, verdict_phrase
from optheory.reproducible import gap_text
from optheory.symbolic._exact import to_exact

#: what the leaky-average page says for each verdict of a half-life claim
_HALF_LIFE_PHRASES = {
    "holds": "matches the derived half-life",
    "conditional": "matches the derived half-life only under conditions it does not state",
    "refuted": "does not match the derived half-life",
}

__all__ = ["build"]

_BETA = sp.Symbol("beta", real=True)
_I = sp.Symbol("i", integer=True, nonnegative=True)
_T = sp.Symbol("t", integer=True, positive=True)
_SIGMA2 = sp.Symbol("sigma^2", positive=True)
_TABLE_BETAS = ("0.5", "0.9", "0.95", "0.99")
_PLOT_BETAS = (0.95, 0.9, 0.6, 0.0)
_SEED = 0
# float64 buffers after at most a few hundred multiply-adds of numbers in [0, 10]:
# rounding stays below ~1e-13, so 1e-12 leaves an order of margin.
_TOL = 1e-12


def _drive(torch: Any, make_opt: Callable[[list[Any]], Any], grads: Sequence[Any],
           shape: tuple[int, ...] = (1,)) -> Iterator[tuple[dict[str, Any], Any]]:
    """Feed ``grads`` to a fresh optimizer on one float64 parameter; yield (state, param)."""
    p = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    opt = make_opt([p])
    for g in grads:
        p.grad = torch.as_tensor(np.broadcast_to(np.asarray(g, dtype=float), shape).copy())
        opt.step()
        yield opt.state[p], p.detach().clone()


def _buffers(torch: Any, make_opt: Callable[[list[Any]], Any], grads: Sequence[float],
             key: str) -> np.ndarray:
    return np.array([float(state[key].item()) for state, _ in _drive(torch, make_opt, grads)])


def build() -> Page:
    from optheory.figures import bias_correction_curves, weight_curves
    from optheory.symbolic import leaky

    blocks: list[Block] = []
    rows: list[VerificationRow] = []

    # ---- derivation, symbolic in beta
    v4, gs = leaky.ema_expansion(_BETA, 4)
    v4 = sp.collect(v4, gs, sp.factor)
    weight = leaky.ema_weights(_BETA, _I)
    finite_sum = leaky.ema_weight_sum(_BETA, _T)
    total = leaky.ema_weight_sum(_BETA, sp.oo)
    correction = leaky.bias_correction(_BETA, _T)
    eff_weight = leaky.effective_weight(_BETA)
    halflife = leaky.half_life(_BETA)
    lag = leaky.mean_lag(_BETA)
    var_inf = leaky.average_variance(_BETA, _SIGMA2)
    var_t = leaky.average_variance(_BETA, _SIGMA2, _T)
    ess = leaky.effective_sample_size(_BETA)
    undamped = sp.simplify(weight / (1 - _BETA))
    blocks += [
        Text(
            "A leaky average keeps $v_t = \\beta v_{t-1} + (1 - \\beta) g_t$ from $v_0 = 0$. "
            "RMSProp averages squared gradients this way ($\\beta = \\gamma$), Adadelta with "
            "$\\beta = \\rho$, Adam with $\\beta_1$ and $\\beta_2$; momentum uses the undamped "
            "$v_t = \\beta v_{t-1} + g_t$, whose weights are those below divided by "
            "$1 - \\beta$. sympy unrolls and solves the recurrence:"
        ),
        Math(f"v_4 = {_tex(v4)}", label="unrolled four steps"),
        Math(f"w_i = {_tex(weight)}", label="weight of $g_{t-i}$ (impulse response, rsolve)"),
        Math(f"\\sum_{{i=0}}^{{t-1}} w_i = {_tex(finite_sum)}, \\quad "
             f"\\sum_{{i=0}}^{{\\infty}} w_i = {_tex(total)}",
             label="weight sums (summation, convergent branch for $0 \\le \\beta < 1$)"),
        Math(f"\\hat v_t = {_tex(correction)} \\, v_t", label="bias correction: weights sum to one"),
        Math(f"\\sum_{{i \\ge 0}} \\beta^i = {_tex(eff_weight)}, \\quad w_i / (1 - \\beta) = "
             f"{_tex(undamped)}",
             label="undamped sum (momentum): effective step $\\eta / (1 - \\beta)$"),
        Math(f"h = {_tex(halflife)}", label="half-life: solve $w_h / w_0 = 1/2$"),
        Math(f"\\sum_i i \\, w_i = {_tex(lag)}", label="mean lag (average age of the inputs)"),
        Math(f"\\operatorname{{Var}} v_t = {_tex(var_t)}, \\quad "
             f"\\operatorname{{Var}} v_\\infty = {_tex(var_inf)}",
             label="variance for i.i.d. inputs of variance $\\sigma^2$"),
        Math(f"n_{{\\mathrm{{eff}}}} = \\frac{{(\\sum w_i)^2}}{{\\sum w_i^2}} = {_tex(ess)}",
             label="effective sample size (Kish)"),
    ]

    table_rows = []
    for text in _TABLE_BETAS:
        b = sp.Rational(text)
        table_rows.append((
            text,
            InlineMath(_tex(leaky.effective_weight(b))),
            float(leaky.half_life(b)),
            InlineMath(_tex(leaky.mean_lag(b))),
            InlineMath(_tex(sp.simplify(ess.subs(_BETA, b)))),
        ))
    b09 = sp.Rational(9, 10)
    h09 = float(leaky.half_life(b09))
    blocks += [
        Table(("$\\beta$", "$1/(1-\\beta)$", "half-life", "mean lag", "$n_{\\mathrm{eff}}$"),
              tuple(table_rows), caption="The derived quantities at a few values of $\\beta$."),
        Text(
            f"For $\\beta = 0.9$ the total undamped weight is {_tex(leaky.effective_weight(b09))}, "
            f"but an input's weight halves after {h09:.2f} steps, the average input is "
            f"{_tex(leaky.mean_lag(b09))} steps old, and the variance matches a plain mean of "
            f"{_tex(sp.simplify(ess.subs(_BETA, b09)))} inputs. The textbook's "
            "\"half-life $\\gamma^{-1}$\" (RMSProp) "
            + verdict_phrase("rmsprop.half-life", _HALF_LIFE_PHRASES)
            + ", and its \"$\\rho = 0.9$ means a half-life of 10\" (Adadelta) "
            + verdict_phrase("adadelta.half-life", _HALF_LIFE_PHRASES)
            + "; see the claims page.",
            values={"total": str(leaky.effective_weight(b09)), "half_life": h09,
                    "mean_lag": str(leaky.mean_lag(b09)),
                    "kish": str(sp.simplify(ess.subs(_BETA, b09)))},
            inputs={"beta": b09, "textbook_half_life": 10},
        ),
    ]

    # ---- figures
    lags = np.arange(40)
    weight_fn = sp.lambdify((_BETA, _I), undamped, "numpy")
    curves = {f"beta = {b:.2f}": np.asarray(weight_fn(b, lags), dtype=float) for b in _PLOT_BETAS}
    blocks.append(Figure(
        "weights", weight_curves(lags, curves, title="undamped weights of past gradients"),
        "Weight of the gradient $\\tau$ steps back in momentum's $v_t = \\beta v_{t-1} + g_t$, "
        "from the derived closed form, over 40 steps."))

    torch = torch_or_none()
    rng = np.random.default_rng(_SEED)
    steps_plot = 60
    noisy = 1.0 + 0.5 * rng.standard_normal(steps_plot)
    t_axis = np.arange(1, steps_plot + 1)
    corr_fn = sp.lambdify((_BETA, _T), correction, "numpy")
    est: dict[str, np.ndarray] = {}
    source = "torch.optim.Adam exp_avg" if torch is not None else "the recurrence"
    for b1 in (0.9, 0.99):
        raw = _adam_first_moment(torch, noisy, b1)
        est[f"raw, beta1 = {b1:g}"] = raw
        est[f"corrected, beta1 = {b1:g}"] = raw * np.asarray(corr_fn(b1, t_axis), dtype=float)
    blocks.append(Figure(
        "bias-correction",
        bias_correction_curves(t_axis, est, reference=1.0, ylabel="estimate of the mean gradient",
                               title="gradients 1 + 0.5 N(0, 1), seed 0"),
        f"First-moment estimate read from {source}, raw and multiplied by the derived "
        "correction $1/(1-\\beta^t)$: the raw estimates start near 0, the corrected ones "
        "are unbiased from the first step."))

    # ---- verification against torch.optim state
    if torch is None:  # pragma: no cover
        rows.append(_row("torch.optim state buffers", "-", "torch missing", "-", False))
    else:
        rows += _torch_rows(torch, leaky)
    rows += _variance_rows(torch, leaky, float(ess.subs(_BETA, sp.Rational(4, 5))))

    blocks += [
        Heading("Verification against torch.optim"),
        Text(
            "Measured values are the state buffers of the real optimizers: "
            "`momentum_buffer` of SGD (dampening 0), `square_avg` of RMSprop, "
            "`exp_avg` / `exp_avg_sq` of Adam, fed an impulse (1 then zeros), a constant 1, "
            "or random gradients; all in float64 with `foreach=False`."
        ),
        Verification(tuple(rows), caption="Derived closed forms against optimizer state."),
    ]
    return Page("leaky", "Leaky averages", tuple(blocks),
                summary="Weights, sums, bias correction, half-life, lag and variance of "
                        "exponential moving averages, read back from torch.optim state.")


def _adam_first_moment(torch: Any, grads: np.ndarray, beta1: float) -> np.ndarray:
    """Adam's raw first moment after each gradient (torch.optim state, or the recurrence)."""
    if torch is None:  # pragma: no cover
        out, v = [], 0.0
        for g in grads:
            v = beta1 * v + (1 - beta1) * float(g)
            out.append(v)
        return np.array(out)

    def make(ps: list[Any]) -> Any:
        return torch.optim.Adam(ps, lr=0.01, betas=(beta1, 0.999), foreach=False)

    return _buffers(torch, make, list(grads), "exp_avg")


def _torch_rows(torch: Any, leaky: Any) -> list[VerificationRow]:
    rows: list[VerificationRow] = []
    beta, gamma, steps = 0.9, 0.9, 40
    impulse = [1.0] + [0.0] * (steps - 1)
    ones = [1.0] * steps
    k = np.arange(steps)

    def sgd(ps: list[Any]) -> Any:
        return torch.optim.SGD(ps, lr=0.1, momentum=beta, dampening=0, foreach=False)

    def rms(ps: list[Any]) -> Any:
        return torch.optim.RMSprop(ps, lr=0.01, alpha=gamma, foreach=False)

    def adam(ps: list[Any]) -> Any:
        return torch.optim.Adam(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-8, foreach=False)

    w = np.array([float(leaky.ema_weights(beta, int(i))) for i in k])
    sums = np.array([float(leaky.ema_weight_sum(beta, int(i) + 1)) for i in k])
    b = _BETA
    weight = leaky.ema_weights(b, _I)
    undamped = sp.simplify(weight / (1 - b))
    wsum = leaky.ema_weight_sum(b, _T)
    checks = [
        ("SGD momentum buffer after an impulse ($\\beta = 0.9$, 40 steps)", undamped,
         _buffers(torch, sgd, impulse, "momentum_buffer"), w / (1 - beta)),
        ("SGD momentum buffer for constant gradients", sp.simplify(wsum / (1 - b)),
         _buffers(torch, sgd, ones, "momentum_buffer"), sums / (1 - beta)),
        ("RMSprop square_avg after an impulse ($\\gamma = 0.9$)", weight,
         _buffers(torch, rms, impulse, "square_avg"), w),
        ("RMSprop square_avg for constant gradients", wsum,
         _buffers(torch, rms, ones, "square_avg"), sums),
    ]
    w1 = np.array([float(leaky.ema_weights(0.9, int(i))) for i in k])
    w2 = np.array([float(leaky.ema_weights(0.999, int(i))) for i in k])
    s1 = np.array([float(leaky.ema_weight_sum(0.9, int(i) + 1)) for i in k])
    s2 = np.array([float(leaky.ema_weight_sum(0.999, int(i) + 1)) for i in k])
    checks += [
        ("Adam exp_avg and exp_avg_sq after an impulse ($\\beta_1 = 0.9$, $\\beta_2 = 0.999$)",
         weight, np.concatenate([_buffers(torch, adam, impulse, "exp_avg"),
                                 _buffers(torch, adam, impulse, "exp_avg_sq")]),
         np.concatenate([w1, w2])),
        ("Adam exp_avg and exp_avg_sq for constant gradients", wsum,
         np.concatenate([_buffers(torch, adam, ones, "exp_avg"),
                         _buffers(torch, adam, ones, "exp_avg_sq")]), np.concatenate([s1, s2])),
    ]
    for claim, formula, got, want in checks:
        gap = float(np.max(np.abs(got - want)))
        rows.append(_row(claim, InlineMath(_tex(formula)), f"max gap {gap_text(gap, _TOL)}", _TOL, gap < _TOL))

    # effective weight: the buffer tends to 1/(1-beta); after n steps the gap is the tail
    n = 200
    buf = _buffers(torch, sgd, [1.0] * n, "momentum_buffer")[-1]
    b_exact = to_exact(beta, "beta")
    limit = float(leaky.effective_weight(beta))
    # the undamped buffer after n constant gradients is the damped weight sum over (1 - beta)
    tail = float(leaky.effective_weight(b_exact) - leaky.ema_weight_sum(b_exact, n) / (1 - b_exact))
    rows.append(_row(
        "SGD momentum buffer tends to the effective weight $\\sum_i \\beta^i$ (200 steps)",
        InlineMath(_tex(leaky.effective_weight(sp.Rational(9, 10)))),
        f"{buf:.12f} (gap {limit - buf:.2e}, tail {tail:.2e})", _TOL,
        abs((limit - buf) - tail) < _TOL))

    # bias-corrected Adam step for a constant gradient g = 1: both moments are their weight
    # sums times g (or g^2) and the corrections undo them, derived for every step t
    lr, eps = 0.01, 1e-8
    params = [p.item() for _, p in _drive(torch, adam, [1.0] * steps)]
    moves = np.abs(np.diff([0.0, *params]))
    step_expr = _adam_constant_step(leaky)
    step_value = float(step_expr.subs({_ETA: to_exact(lr, "lr"), _EPS: to_exact(eps, "eps")}))
    gap = float(np.max(np.abs(moves - step_value)))
    # each move is a difference of O(0.4) parameters: cancellation leaves ~1e-16 relative error
    rows.append(_row(
        "Adam's corrected step for a constant gradient is the same at every step",
        InlineMath(f"\\eta \\hat m_t / (\\sqrt{{\\hat s_t}} + \\epsilon) = {_tex(step_expr)}"),
        f"max gap {gap_text(gap, 1e-14)}", 1e-14, gap < 1e-14))

    # half-life and mean lag read from RMSprop's impulse response
    n_long = 400
    resp = _buffers(torch, rms, [1.0] + [0.0] * (n_long - 1), "square_avg")
    ratio = resp / resp[0]
    j = int(np.argmax(ratio < 0.5))
    # log-linear interpolation between lags j-1 and j is exact for a geometric response
    h_meas = (j - 1) + np.log(0.5 / ratio[j - 1]) / np.log(ratio[j] / ratio[j - 1])
    h_der = float(leaky.half_life(gamma))
    rows.append(_row("half-life of RMSprop's square_avg ($\\gamma = 0.9$)",
                     h_der, float(h_meas), 1e-9, abs(h_meas - h_der) < 1e-9))
    lag_meas = float(np.sum(np.arange(n_long) * resp))
    lag_der = float(leaky.mean_lag(gamma))
    # the truncated tail sum_{i >= 400} i w_i is below 400 * 0.9^400 ~ 2e-16
    rows.append(_row("mean lag of RMSprop's square_avg ($\\gamma = 0.9$, 400 steps)",
                     lag_der, lag_meas, 1e-9, abs(lag_meas - lag_der) < 1e-9))

    # unrolled expansion: random gradients through RMSprop
    grads = np.random.default_rng(_SEED + 1).standard_normal(12)
    (state, _), *_ = reversed(list(_drive(torch, rms, list(grads))))
    coeffs = leaky.ema_coefficients(gamma, grads.size)
    predicted = float(sum(c * g**2 for c, g in zip(coeffs, grads[::-1], strict=True)))
    gap = abs(float(state["square_avg"].item()) - predicted)
    rows.append(_row("RMSprop square_avg equals the unrolled sum for 12 random gradients",
                     predicted, float(state["square_avg"].item()), _TOL, gap < _TOL))
    return rows


def _variance_rows(torch: Any, leaky: Any, ess_der: float) -> list[VerificationRow]:
    """Monte Carlo: leaky averages of 4000 independent N(0, 1) streams, 200 steps."""
    beta, streams, steps = 0.8, 4000, 200
    g = np.random.default_rng(_SEED).standard_normal((steps, streams))
    if torch is not None:
        def make(ps: list[Any]) -> Any:
            return torch.optim.Adam(ps, lr=0.0, betas=(beta, 0.999), foreach=False)

        *_, (state, _) = _drive(torch, make, list(g), shape=(streams,))
        v = state["exp_avg"].numpy()
        where = "Adam exp_avg"
    else:  # pragma: no cover
        v = np.zeros(streams)
        for row in g:
            v = beta * v + (1 - beta) * row
        where = "the recurrence"
    var_der = float(leaky.average_variance(beta, 1.0, steps))
    var_meas = float(v.var())
    # sample variance of 4000 normals: relative standard error sqrt(2/4000) = 2.2%, so 10%
    # is a 4.5-sigma bound (the same bound holds for its reciprocal, n_eff)
    return [
        _row(f"variance of a leaky average ($\\beta = 0.8$, 4000 streams, {where})",
             var_der, var_meas, "10%", abs(var_meas / var_der - 1) < 0.1),
        _row("effective sample size $1/\\operatorname{Var}$ (same runs, stationary)",
             ess_der, 1 / var_meas, "10%", abs((1 / var_meas) / ess_der - 1) < 0.1),
    ]


_ETA = sp.Symbol("eta", positive=True)
_EPS = sp.Symbol("epsilon", positive=True)


def _adam_constant_step(leaky: Any) -> sp.Expr:
    r"""Adam's step :math:`\eta \hat m_t / (\sqrt{\hat s_t} + \epsilon)` for the gradient 1.

    The raw moments of a constant gradient ``g`` are the weight sums
    (:func:`optheory.symbolic.leaky.ema_weight_sum`) times ``g`` and ``g^2``; the
    bias corrections (:func:`optheory.symbolic.leaky.bias_correction`) multiply
    them back.  Simplified for symbolic ``beta1``, ``beta2`` and ``t``.
    """
    b1, b2 = sp.symbols("beta1 beta2", positive=True)
    g = sp.Integer(1)
    m_hat = leaky.bias_correction(b1, _T) * leaky.ema_weight_sum(b1, _T) * g
    s_hat = leaky.bias_correction(b2, _T) * leaky.ema_weight_sum(b2, _T) * g**2
    step = sp.simplify(_ETA * m_hat / (sp.sqrt(s_hat) + _EPS))
    if step.has(b1, b2, _T):
        raise ArithmeticError(f"the corrected step depends on beta or t: {step}")
    return step
