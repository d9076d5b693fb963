r"""Claims about leaky averages in the sections "RMSProp", "Adadelta" and "Adam"
(textbook; seed 000 and seed 002).

Closed forms come from :mod:`optheory.symbolic.leaky` (``rsolve`` /
``summation`` / ``solve`` on the recurrence :math:`v_t = \beta v_{t-1} +
(1-\beta) g_t`).  The witnesses feed prescribed gradient sequences to the
project's optimizers and to ``torch.optim`` (when installed) and read the
averages the optimizers keep in their state.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from optheory.numeric.backend import torch_available
from optheory.numeric.optimizers import get_method
from optheory.numeric.run import run
from optheory.reproducible import gap_bound, gap_text
from optheory.symbolic.leaky import (
    bias_correction,
    effective_sample_size,
    effective_weight,
    ema_coefficients,
    ema_expansion,
    ema_weight_sum,
    ema_weights,
    half_life,
    mean_lag,
)
from optheory.verification.claims._util import agree, exact, number, require
from optheory.verification.claims._witness import ConstantGradient, own_states, torch_states
from optheory.verification.registry import Mutant, Verdict, claim

TEXTBOOK = "textbook"
SEED_000 = "seed 000_2301ed2bba332f74"
SEED_002 = "seed 002_c6127514c01f65e3"
SEC_RMSPROP = "RMSProp, The Algorithm"

_G = sp.Symbol("gamma", real=True)
_B = sp.Symbol("beta", real=True)
_T = sp.Symbol("t", integer=True, positive=True)
# constants as the statements write them (defaults of the checks)
_NINE_TENTHS, _ONE_TENTH, _TEN = sp.Rational(9, 10), sp.Rational(1, 10), sp.Integer(10)


def _impulse(n: int) -> list[list[float]]:
    """Gradient 1 at the first step, 0 afterwards (squared: the same)."""
    return [[1.0]] + [[0.0]] * (n - 1)


def _rmsprop_s(grads: list[list[float]], gamma: float) -> dict[str, Any]:
    """RMSProp's squared-gradient average after each step: own (textbook) and torch."""
    _, states = own_states("rmsprop", grads, [0.0], eta=0.01, gamma=gamma)
    out: dict[str, Any] = {"own": np.array([float(s.s[0]) for s in states])}
    if torch_available():
        _, buf = torch_states("RMSprop", grads, [0.0], "square_avg", lr=0.01, alpha=gamma)
        out["torch"] = np.array([float(b[0]) for b in buf])
    return out


def _measured_half_life(weights: np.ndarray) -> tuple[int, float]:
    """First lag where the weight has halved, and ln(1/2)/ln(ratio per step)."""
    rel = weights / weights[0]
    first = int(np.argmax(rel <= 0.5))
    per_step = float(np.mean(weights[1:6] / weights[:5]))
    return first, float(np.log(0.5) / np.log(per_step))


def _check_half_life(what: str, measured: dict[str, tuple[int, float]], derived: sp.Expr) -> None:
    """The impulse responses must halve where the derived half-life says."""
    first_lag = int(sp.ceiling(derived))
    for impl, (first, continuous) in measured.items():
        # the fitted per-step ratio is a quotient of exact powers of the decay (a few ulps),
        # so the fitted half-life matches to ~1e-15 relative
        agree(f"{what} half-life fitted to the {impl} impulse response", continuous,
              float(derived), 1e-12, relative=True)
        require(first == first_lag, f"{what}: the {impl} weight first halves at lag {first}, "
                                    f"derived ceil({derived}) = {first_lag}")


# --------------------------------------------------------------- RMSProp
@claim(
    "rmsprop.expansion",
    source=TEXTBOOK,
    section=SEC_RMSPROP,
    statement=r"s_t = (1 - \gamma)\left(g_t^2 + \gamma g_{t-1}^2 + \gamma^2 g_{t-2} + \ldots\right)",
    mutants=[Mutant(r"s_t = (1 - \gamma)\left(g_t^2 + \gamma g_{t-1}^2 + \gamma^2 g_{t-2}^2 + "
                    r"\ldots\right)", {"third_power": 2}, "holds")],
)
def rmsprop_expansion(third_power: int = 1) -> Verdict:
    """The stated series, whose third term is ``gamma^2 g_{t-2}^third_power``."""
    t = 3  # the statement writes three terms
    avg, inputs = ema_expansion(_G, t)
    gs = sp.symbols(f"g_1:{t + 1}", real=True)  # g_1 oldest, g_3 = g_t
    derived = sp.expand(avg.subs(dict(zip(inputs, [g**2 for g in gs], strict=True))))
    g_t, g_t1, g_t2 = gs[2], gs[1], gs[0]
    stated = sp.expand((1 - _G) * (g_t**2 + _G * g_t1**2 + _G**2 * g_t2**third_power))
    residual = sp.factor(derived - stated)
    if residual == 0:
        return Verdict("holds", {"residual": "0"}, "unrolling s_t gives the stated series")
    value = next(v for v in range(0, 10) if residual.subs({g_t2: v, _G: sp.Rational(9, 10)}) != 0)
    gamma = 0.9
    grads = [[float(value)], [0.0], [0.0]]
    s = _rmsprop_s(grads, gamma)
    at = {g_t2: value, g_t1: 0, g_t: 0, _G: sp.Rational(9, 10)}
    derived_value = derived.subs(at)
    for impl, values in s.items():
        # three multiply-adds of numbers <= 4 in float64: a few ulps
        agree(f"s_3 of the {impl} RMSProp", values[-1], float(derived_value), 1e-14)
    evidence: dict[str, Any] = {
        "derived_s_3": str(sp.factor(derived)),
        "stated_s_3": str(sp.factor(stated)),
        "residual": str(residual),
        "gradients_oldest_first": [value, 0, 0],
        "gamma": gamma,
        "derived_value": number(derived_value),
        "stated_value": number(stated.subs(at)),
        "own_rmsprop_s_3": float(s["own"][-1]),
        "torch_square_avg_3": float(s["torch"][-1]) if "torch" in s else "torch not installed",
    }
    # the corrected series from the derived weights: (1 - gamma) times gamma^i g_{t-i}^2
    coeffs = ema_coefficients(_G, t)
    lags = [sp.Symbol("g_t", real=True)] + [sp.Symbol(f"g_{{t-{i}}}", real=True) for i in range(1, t)]
    lead = coeffs[0]
    factors = [sp.simplify(c / lead) for c in coeffs]
    terms = " + ".join(
        (f"{sp.latex(f)} " if f != 1 else "") + sp.latex(g**2)
        for f, g in zip(factors, lags, strict=True)
    )
    return Verdict(
        "refuted",
        evidence,
        f"the third term must be squared: with gradients ({value}, 0, 0) and gamma = 0.9, "
        f"s_3 = {float(derived_value):g} (RMSProp's state: {s['own'][-1]:.6g}) but the series "
        f"gives {float(stated.subs(at)):g}",
        rf"s_t = \left({sp.latex(lead)}\right)\left({terms} + \ldots\right)",
    )


@claim(
    "rmsprop.weights-sum",
    source=TEXTBOOK,
    section=SEC_RMSPROP,
    statement=r"1 + \gamma + \gamma^2 + \ldots = \frac{1}{1-\gamma} \text{ so the weights sum to } 1",
    mutants=[Mutant(r"1 + \gamma + \gamma^2 + \ldots = \frac{1}{1+\gamma} \text{ so the weights "
                    r"sum to } 1", {"stated_sum": 1 / (1 + _G)}, "fails")],
)
def rmsprop_weights_sum(stated_sum: sp.Expr = 1 / (1 - _G)) -> Verdict:
    """The stated value ``stated_sum`` of the geometric series against ``summation``."""
    geometric = effective_weight(_G)
    same = sp.simplify(geometric - stated_sum) == 0
    total = ema_weight_sum(_G, sp.oo)
    finite = ema_weight_sum(_G, _T)
    gamma, steps = 0.9, 400
    s = _rmsprop_s([[1.0]] * steps, gamma)
    first = {k: v[:5].tolist() for k, v in s.items()}
    at = {_G: sp.Rational(9, 10)}
    predicted = [float(finite.subs({**at, _T: k})) for k in range(1, 6)]
    predicted_end = float(finite.subs({**at, _T: steps}))
    # s_t = 1 - gamma^t in float64: a few ulps
    tol = 1e-12
    err = 0.0
    for impl, v in s.items():
        err = max(err, agree(f"{impl} RMSProp's s_1..s_5 for a unit gradient", v[:5], predicted, tol),
                  agree(f"{impl} RMSProp's s_{steps}", v[-1], predicted_end, tol))
    ends = {k: float(v[-1]) for k, v in s.items()}
    ok = same and total == 1
    return Verdict(
        "holds" if ok else "refuted",
        {
            "geometric_sum": str(geometric),
            "stated_sum": str(stated_sum),
            "weights_sum_all": number(total),
            "weights_sum_first_t": str(finite),
            "constant_unit_gradient_s_1_to_5": first,
            "predicted_1_to_5": predicted,
            "s_after_400": ends,
            "max_error": err,
            "tolerance": tol,
        },
        f"summation: sum gamma^i = {geometric}, sum (1-gamma) gamma^i = {total}; a constant "
        f"g^2 = 1 drives RMSProp's s to {ends['own']:.15g}",
        None if ok else rf"\sum_i \gamma^i = {sp.latex(geometric)},\ \sum_i (1-\gamma)\gamma^i = "
        rf"{sp.latex(total)}",
    )


@claim(
    "rmsprop.half-life",
    source=TEXTBOOK,
    section=SEC_RMSPROP,
    statement=r"\text{the half-life time of an observation is } \gamma^{-1}",
    mutants=[Mutant(r"\text{the half-life time of an observation is } \frac{\ln 2}{\ln(1/\gamma)}",
                    {"stated_expr": sp.log(2) / sp.log(1 / _G)}, "holds")],
)
def rmsprop_half_life(stated_expr: sp.Expr = 1 / _G) -> Verdict:
    """The stated half-life ``stated_expr`` (in gamma) against the solution of gamma^h = 1/2."""
    derived = half_life(_G)
    gamma = sp.Rational(9, 10)
    value = float(derived.subs(_G, gamma))
    stated = float(stated_expr.subs(_G, gamma))
    s = _rmsprop_s(_impulse(30), float(gamma))
    measured = {k: _measured_half_life(v) for k, v in s.items()}
    _check_half_life("RMSProp's s", measured, derived.subs(_G, gamma))
    first, continuous = measured.get("torch", measured["own"])
    lag = int(np.ceil(stated))
    ratio_at_stated = float(s["own"][lag] / s["own"][0])
    evidence = {
        "derived_half_life": str(derived),
        "weight_fraction": 0.5,
        "gamma": number(gamma),
        "derived_value": value,
        "stated_value": stated,
        "measured_first_lag_at_or_below_half": {k: m[0] for k, m in measured.items()},
        "measured_half_life": {k: m[1] for k, m in measured.items()},
        f"weight_ratio_at_lag_{lag}": ratio_at_stated,
    }
    evidence["stated_half_life"] = str(stated_expr)
    if sp.simplify(sp.expand_log(derived - stated_expr, force=True)) == 0:
        return Verdict("holds", evidence,
                       f"solve gamma^h = 1/2: h = {derived} = {stated_expr} ({value:.4g} for gamma "
                       f"= {gamma}); RMSProp's s after an impulse halves at lag {first}")
    return Verdict(
        "refuted",
        evidence,
        f"solve gamma^h = 1/2: h = {derived} = {value:.4g} for gamma = {gamma}, not "
        f"{stated_expr} = {stated:.4g}; RMSProp's s after an impulse halves at lag {first} "
        f"(fit {continuous:.4g}); at lag {lag} it still holds {ratio_at_stated:.2f}",
        rf"t_{{1/2}} = {sp.latex(derived)} \approx {value:.2f} \text{{ for }} \gamma = "
        rf"{sp.latex(gamma)}",
    )


@claim(
    "rmsprop.window",
    source=TEXTBOOK,
    section="RMSProp, Implementation from Scratch",
    statement=r"\gamma = 0.9:\ s \text{ aggregates on average the past } 1/(1-\gamma) = 10 "
    r"\text{ squared gradients}",
    mutants=[Mutant(r"\gamma = 0:\ s \text{ aggregates on average the past } 1/(1-\gamma) = 1 "
                    r"\text{ squared gradient}", {"gamma": sp.Integer(0)}, "holds")],
)
def rmsprop_window(gamma: sp.Rational = _NINE_TENTHS) -> Verdict:
    """Whether ``s`` with leak ``gamma`` is an average of the last ``1/(1-gamma)`` squared gradients."""
    total = effective_weight(gamma)
    window = int(total)
    share = ema_weight_sum(gamma, window)
    lag = mean_lag(gamma)
    n = sp.Symbol("n", positive=True)
    (uniform,) = sp.solve(sp.Eq((n - 1) / 2, lag), n)  # uniform window of n with that mean age
    kish = effective_sample_size(gamma)
    # witness 1: 40 zero gradients then `window` unit ones: a 10-window average would be 1
    s_recent = _rmsprop_s([[0.0]] * 40 + [[1.0]] * window, float(gamma))
    # witness 2: `window` unit ones then `window` zeros: a 10-window average would be 0
    s_old = _rmsprop_s([[1.0]] * window + [[0.0]] * window, float(gamma))
    # the weight the last `window` steps carry, and the one of the `window` steps before them
    old_share = ema_weight_sum(gamma, 2 * window) - share
    for impl in s_recent:
        # 50 (resp. 20) multiply-adds of numbers <= 1 in float64: a few ulps
        agree(f"{impl} RMSProp's s after {window} unit gradients", s_recent[impl][-1],
              float(share), 1e-14)
        agree(f"{impl} RMSProp's s {window} steps after {window} unit gradients", s_old[impl][-1],
              float(old_share), 1e-14)
    key = "torch" if "torch" in s_recent else "own"
    recent, old = float(s_recent[key][-1]), float(s_old[key][-1])
    evidence = {
        "total_weight_sum_gamma_i": number(total),
        f"weight_share_of_last_{window}": number(share),
        f"weight_share_of_the_{window}_before": number(old_share),
        "mean_lag": number(lag),
        "uniform_window_with_same_mean_lag": number(uniform),
        "kish_effective_sample_size": number(kish),
        f"s_after_{window}_unit_gradients": {k: float(v[-1]) for k, v in s_recent.items()},
        f"s_{window}_steps_after_{window}_unit_gradients": {k: float(v[-1]) for k, v in s_old.items()},
    }
    if share == 1:
        return Verdict("holds", evidence,
                       f"the last {window} squared gradients carry all weight (s = {recent:g} after "
                       f"{window} unit gradients, {old:g} {window} steps after them)")
    return Verdict(
        "conditional",
        evidence,
        f"1/(1-gamma) = {total} is the total weight of sum gamma^i; the last {window} squared "
        f"gradients carry {float(share):.3f} of s (measured s = {recent:.4f} after {window} unit "
        f"gradients, {old:.4f} {window} steps after them); mean lag {lag}, Kish size {kish}",
        rf"1/(1-\gamma) = {total} \text{{ is the total weight of }} \sum_i \gamma^i\text{{; }} s "
        rf"\text{{ weighs all past }} g^2\text{{; the last {window} carry }} "
        rf"{float(share) * 100:.0f}\%\text{{, and its variance equals a mean of }} {kish} "
        rf"\text{{ samples}}",
    )


# ------------------------------------------------------------------ Adam
def _branch_for_unit_interval(expr: sp.Expr) -> sp.Expr:
    """Replace each Piecewise of ``summation`` by its branch for 0 < beta < 1 (tested at 1/2)."""

    def pick(pw: sp.Piecewise) -> sp.Expr:
        for branch, cond in pw.args:
            if bool(cond.subs(_B, sp.Rational(1, 2))):
                return branch
        raise ArithmeticError(f"no branch of {pw} holds at beta = 1/2")

    return sp.simplify(expr.replace(lambda e: isinstance(e, sp.Piecewise), pick))


def _adam_buffers(grads: list[list[float]], key_own: str, key_torch: str) -> dict[str, np.ndarray]:
    _, states = own_states("adam", grads, [0.0], eta=0.01)
    out = {"own": np.array([float(getattr(s, key_own)[0]) for s in states])}
    if torch_available():
        _, buf = torch_states("Adam", grads, [0.0], key_torch, lr=0.01)
        out["torch"] = np.array([float(b[0]) for b in buf])
    return out


@claim(
    "adam.weights-sum",
    source=SEED_002,
    section="Adam, 1. Algorithm",
    statement=r"v_0 = 0 \Rightarrow v_t = (1-\beta_1)\sum_{i=1}^t \beta_1^{t-i} g_i,\ "
    r"\text{weights summing to } 1 - \beta_1^t",
    mutants=[Mutant(r"v_0 = 0 \Rightarrow v_t = (1-\beta_1)\sum_{i=1}^t \beta_1^{t-i+1} g_i,\ "
                    r"\text{weights summing to } 1 - \beta_1^t", {"lag_shift": 1}, "fails")],
)
def adam_weights_sum(lag_shift: int = 0) -> Verdict:
    """The stated weights ``(1 - beta) beta^(t - i + lag_shift)`` against the unrolled recurrence."""
    i = sp.Symbol("i", integer=True, positive=True)
    coeff_ok = True
    for t in range(1, 7):
        coeffs = ema_coefficients(_B, t)  # lag 0 .. t-1  <->  g_t .. g_1
        stated = [(1 - _B) * _B ** (t - k + lag_shift) for k in range(t, 0, -1)]
        coeff_ok = coeff_ok and all(sp.expand(c - s) == 0 for c, s in zip(coeffs, stated, strict=True))
    derived_sum = ema_weight_sum(_B, _T)
    stated_sum = _branch_for_unit_interval(
        sp.summation((1 - _B) * _B ** (_T - i + lag_shift), (i, 1, _T)))
    sums_ok = sp.simplify(derived_sum - (1 - _B**_T)) == 0 and sp.simplify(stated_sum - derived_sum) == 0
    m = _adam_buffers([[1.0]] * 8, "m", "exp_avg")
    beta1 = exact(get_method("adam", "textbook").resolve({"eta": 0.01})["beta1"])
    predicted = np.array([float(derived_sum.subs({_B: beta1, _T: k})) for k in range(1, 9)])
    # exp_avg of a unit gradient: 8 multiply-adds of numbers <= 1 in float64, a few ulps
    tol = 1e-14
    err = {k: agree(f"{k} Adam's first moment of a unit gradient", v, predicted, tol)
           for k, v in m.items()}
    ok = coeff_ok and sums_ok
    return Verdict(
        "holds" if ok else "refuted",
        {
            "coefficients_match_t_1_to_6": coeff_ok,
            "derived_weight_sum": str(derived_sum),
            "stated_sum_by_summation": str(sp.simplify(stated_sum)),
            "beta1": number(beta1),
            "unit_gradient_first_moment_1_to_8": {k: v.tolist() for k, v in m.items()},
            "predicted_1_to_8": predicted.tolist(),
            "max_error_vs_1_minus_beta1_t": err,
            "tolerance": tol,
            "gap_printed_below": (gap_bound(tol) if max(err.values()) <= gap_bound(tol)
                                  else tol),
        },
        f"unrolled coefficients are (1-beta) beta^(t-i); weights sum to {derived_sum}; Adam's "
        f"first moment of a unit gradient follows {derived_sum.subs(_B, beta1)} with a gap "
        f"{gap_text(max(err.values()), tol)}",
        None if ok else rf"v_t = \sum_{{i=1}}^t {sp.latex(ema_weights(_B, _T - sp.Symbol('i')))} g_i,"
        rf"\ \sum = {sp.latex(derived_sum)}",
    )


@claim(
    "adam.bias-correction",
    source=SEED_002,
    section="Adam, 1. Algorithm",
    statement=r"\hat v_t = \frac{v_t}{1-\beta_1^t},\ \hat s_t = \frac{s_t}{1-\beta_2^t} "
    r"\text{ make the weights of past gradients sum to } 1",
    mutants=[Mutant(r"\hat v_t = \frac{v_t}{1-\beta_1},\ \hat s_t = \frac{s_t}{1-\beta_2} "
                    r"\text{ make the weights of past gradients sum to } 1",
                    {"stated_correction": 1 / (1 - _B)}, "fails")],
)
def adam_bias_correction(stated_correction: sp.Expr = 1 / (1 - _B**_T)) -> Verdict:
    """The stated correction factor times the derived weight sum must be 1 for every t."""
    derived_correction = bias_correction(_B, _T)
    product = sp.simplify(stated_correction * ema_weight_sum(_B, _T))
    # witness: a constant gradient c.  The corrected moments are product * c and product * c^2,
    # so the step over eta is v_hat / (sqrt(s_hat) + eps); without the correction the first
    # step would use the raw weights of lag 0
    cs, es = sp.Symbol("c", positive=True), sp.Symbol("epsilon", positive=True)
    derived_product = sp.simplify(derived_correction * ema_weight_sum(_B, _T))
    step_expr = sp.simplify(derived_product * cs / (sp.sqrt(derived_product * cs**2) + es))
    c, eta, eps, steps = 3.0, 0.01, 1e-8, 6
    defaults = get_method("adam", "torch").resolve({"eta": eta})
    b1, b2 = float(defaults["beta1"]), float(defaults["beta2"])
    problem = ConstantGradient([c])
    own = run("adam", problem, [0.0], steps, convention="torch", eta=eta, eps=eps).x[:, 0]
    per_step = {"own_torch_convention": (-np.diff(own) / eta).tolist()}
    if torch_available():
        tx = run("adam", problem, [0.0], steps, impl="torch", eta=eta, eps=eps).x[:, 0]
        per_step["torch"] = (-np.diff(tx) / eta).tolist()
    predicted = float(step_expr.subs({cs: exact(c), es: exact(eps)}))
    (w1,), (w2,) = ema_coefficients(b1, 1), ema_coefficients(b2, 1)
    uncorrected_first = float(w1 * c / np.sqrt(w2 * c * c))
    # the corrected quotient, read as a difference of iterates <= 0.06 over eta: a few ulps
    # of 0.06 / 0.01, i.e. ~1e-15
    tol = 1e-12
    err = max(agree(f"{k} Adam's step over eta for a constant gradient", v, predicted, tol)
              for k, v in per_step.items())
    ok = product == 1
    return Verdict(
        "holds" if ok else "refuted",
        {
            "derived_correction": str(derived_correction),
            "stated_correction": str(stated_correction),
            "correction_times_weight_sum": str(product),
            "derived_step_over_eta": str(step_expr),
            "constant_gradient": c, "eta": eta, "eps": eps, "beta1": b1, "beta2": b2,
            "step_over_eta": per_step,
            "predicted_step_over_eta": predicted,
            "uncorrected_first_step_over_eta": uncorrected_first,
            "max_error": err, "tolerance": tol,
        },
        f"({stated_correction}) * sum of the first t weights = {product} for any beta (v and s "
        f"alike); with a constant gradient Adam steps eta * {predicted:.10f} from step 1",
        None if ok else rf"{sp.latex(derived_correction)} \sum_{{i<t}} (1-\beta)\beta^i = 1,\ "
        rf"\text{{while }} {sp.latex(stated_correction)} \sum_{{i<t}} (1-\beta)\beta^i = "
        rf"{sp.latex(product)}",
    )


@claim(
    "adam.example",
    source=SEED_002,
    section="Adam, 1. Algorithm",
    statement=r"\beta_1 = 0.9 \Rightarrow v_1 = 0.1\, g_1",
    mutants=[Mutant(r"\beta_1 = 0.9 \Rightarrow v_1 = 0.9\, g_1", {"stated": sp.Rational(9, 10)},
                    "fails")],
)
def adam_example(stated: sp.Rational = _ONE_TENTH) -> Verdict:
    """The stated coefficient of g_1 in v_1 against the unrolled recurrence."""
    (coeff,) = ema_coefficients(sp.Rational(9, 10), 1)
    g1 = 7.0
    m = _adam_buffers([[g1]], "m", "exp_avg")
    measured = {k: float(v[0]) for k, v in m.items()}
    # one multiply(-add) in float64: exact to an ulp of 0.7
    tol = 1e-15
    for k, v in measured.items():
        agree(f"{k} Adam's first moment after g_1 = {g1:g}", v, float(coeff) * g1, tol)
    ok = coeff == stated
    return Verdict(
        "holds" if ok else "refuted",
        {"derived_coefficient": number(coeff), "g_1": g1, "first_moment_after_step_1": measured},
        f"unrolling gives v_1 = {coeff} g_1 (stated {stated} g_1); Adam's first moment after "
        f"g_1 = {g1:g} is {measured}",
        None if ok else rf"v_1 = {sp.latex(coeff)}\, g_1",
    )


# -------------------------------------------------------------- Adadelta
@claim(
    "adadelta.half-life",
    source=TEXTBOOK,
    section="Adadelta, The Algorithm",
    statement=r"\rho = 0.9 \text{ amounts to a half-life time of } 10",
    mutants=[Mutant(r"\rho = 0.9 \text{ amounts to a half-life time of } \ln 2 / \ln(10/9)",
                    {"stated": sp.log(2) / sp.log(sp.Rational(10, 9))}, "holds")],
)
def adadelta_half_life(stated: sp.Expr = _TEN) -> Verdict:
    """The stated half-life for rho = 0.9 against the solution of rho^h = 1/2."""
    rho = sp.Rational(9, 10)  # as the statement writes it
    derived = half_life(rho)
    value = float(derived)
    total = effective_weight(rho)
    grads = _impulse(30)
    _, states = own_states("adadelta", grads, [0.0], rho=float(rho))
    weights = {"own": np.array([float(s.s[0]) for s in states])}
    if torch_available():
        _, buf = torch_states("Adadelta", grads, [0.0], "square_avg", rho=float(rho))
        weights["torch"] = np.array([float(b[0]) for b in buf])
    measured = {k: _measured_half_life(v) for k, v in weights.items()}
    _check_half_life("Adadelta's s", measured, derived)
    at_10 = float(weights["own"][10] / weights["own"][0])
    # the weight of lag 10 relative to lag 0
    agree("Adadelta's weight ratio at lag 10", at_10, float(ema_weights(rho, 10) / ema_weights(rho, 0)),
          1e-14)
    evidence = {
        "derived_half_life": str(derived),
        "weight_fraction": 0.5,
        "derived_value": value,
        "stated_value": str(stated),
        "total_weight_1_over_1_minus_rho": number(total),
        "measured_first_lag_at_or_below_half": {k: m[0] for k, m in measured.items()},
        "measured_half_life": {k: m[1] for k, m in measured.items()},
        "weight_ratio_at_lag_10": at_10,
    }
    if sp.simplify(sp.expand_log(derived - stated, force=True)) == 0:
        return Verdict("holds", evidence,
                       f"rho^h = 1/2 gives h = {value:.4g} = {stated}; Adadelta's squared-gradient "
                       f"average halves at lag {measured['own'][0]}")
    return Verdict(
        "refuted",
        evidence,
        f"rho^h = 1/2 gives h = {value:.4g}; Adadelta's squared-gradient average halves at lag "
        f"{measured['own'][0]} and keeps {at_10:.3f} of an observation at lag 10; "
        f"{total} = 1/(1-rho) is the total weight",
        rf"\rho = {sp.latex(rho)}:\ t_{{1/2}} = {sp.latex(derived)} \approx {value:.2f};\ "
        rf"1/(1-\rho) = {total} \text{{ is the total weight}}",
    )
