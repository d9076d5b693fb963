r"""Exercises of the section "Adam".

1. the learning rate;
2. momentum and second moment without bias correction (time-varying betas);
3. why eta must shrink near convergence (the noise floor scales with eta);
4. a case where Adam fails and Yogi converges.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import sympy as sp

from optheory.analysis.regression import regression_data, train
from optheory.exercises._common import latex_eq, limit_in_unit_interval
from optheory.exercises._registry import Context, Draft, exercise
from optheory.exercises.minibatch_sgd import data_inputs, data_note
from optheory.exercises.momentum import stationary_variance
from optheory.numeric.noisy import NoisyQuadratic
from optheory.numeric.problems import textbook_2d
from optheory.numeric.reddi import reddi_gradient, run_reddi
from optheory.numeric.run import run
from optheory.symbolic.leaky import bias_correction


# --------------------------------------------------------------------------- 1
@exercise("adam", 1, "The learning rate of Adam")
def learning_rate(ctx: Context) -> Draft:
    etas = [0.01, 0.1, 0.5, 2.0]
    traj = run("adam", textbook_2d(), [-5.0, -2.0], 400, eta=etas)
    dist = np.linalg.norm(traj.x, axis=2)
    toy = [{"eta": e, "after_20": float(dist[20, k]), "after_100": float(dist[100, k]),
            "late_max": float(np.max(dist[-100:, k]))} for k, e in enumerate(etas)]
    data = regression_data(ctx.data_path)
    reg_etas = [0.001, 0.01, 0.03, 0.1]
    res = train(data, "adam", batch=10, epochs=2, hyper={"eta": reg_etas}, replicas=4,
                seed=17)
    reg = [{"eta": e, "loss_epoch1": float(res.loss[len(res.examples) // 2, k].mean()),
            "excess_loss": float(res.final[k].mean() - data.min_loss())}
           for k, e in enumerate(reg_etas)]
    best = min(reg, key=lambda r: r["excess_loss"])
    answer = (
        "Adam's step is eta times m_hat/(sqrt(s_hat) + eps), a ratio of order one per "
        "coordinate, so eta is roughly the distance a coordinate moves per step. On "
        "f = 0.1 x1^2 + 2 x2^2 from (-5, -2), distance after 20 / 100 steps and the largest "
        "distance over the last 100 of 400 steps: "
        + "; ".join(f"eta = {r['eta']}: {r['after_20']:.3g} / {r['after_100']:.3g} / "
                    f"{r['late_max']:.3g}" for r in toy)
        + ". A small eta crawls: at about eta per step it needs ~5/eta steps just to cover "
        "the distance. "
        + ("On this noiseless problem every larger rate ends close to the minimizer (the "
           f"largest late distance is {max(r['late_max'] for r in toy[1:]):.1e}): s "
           "remembers the larger earlier gradients for ~1/(1 - beta2) steps, so the late "
           "steps are small, gradient-descent-like ones, and eta mainly decides how fast "
           "the minimum is reached. "
           if all(r["late_max"] < 1e-3 for r in toy[1:]) else
           "Larger rates reach the minimizer's neighbourhood quickly but keep oscillating. ")
        + "With gradient noise the steps stay of size ~eta near the minimum and the rate "
        f"also sets the floor: on {data.describe()} (b = 10, two epochs) the excess loss is "
        + ", ".join(f"eta = {r['eta']}: {r['excess_loss']:.2e}" for r in reg)
        + f"; the best is eta = {best['eta']}. "
        + ("Too small is slow, too large settles at a high noise floor; "
           if best is not reg[0] and best is not reg[-1] else
           "The best rate is at the end of the range tried; ")
        + ("the largest rate does not diverge because Adam's step is bounded (exercise 4)."
           if np.isfinite(reg[-1]["excess_loss"]) else "the largest rate diverges.")
    )
    numbers = {"quadratic": toy, "regression": reg, "data": data.source}
    return Draft(answer, [], numbers, None, data_note(data),
                 inputs={**data_inputs(data), "start": [-5, -2], "objective": [0.1, 2],
                         "checkpoints": [20, 100, 400], "batch": 10, "exercise": 4})


# --------------------------------------------------------------------------- 2
_BETA, _T = sp.symbols("beta t", positive=True)
_V_PREV, _G = sp.symbols("v_{t-1} g_t", real=True)


@cache
def derived_beta_schedule() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    r"""The time-varying :math:`\beta_t` that turns a plain leaky average into Adam's
    bias-corrected one, solved by sympy.

    With the raw average :math:`v_{t-1}` and the bias correction
    :math:`c_t` of :func:`optheory.symbolic.leaky.bias_correction`, the corrected
    averages are :math:`\hat v_{t-1} = c_{t-1} v_{t-1}` and
    :math:`\hat v_t = c_t (\beta v_{t-1} + (1-\beta) g_t)`; solving
    :math:`\beta_t \hat v_{t-1} + (1-\beta_t) g_t = \hat v_t` for :math:`\beta_t`
    must give a value free of :math:`v_{t-1}` and :math:`g_t`.

    Returns
    -------
    (beta_t, corrected_prev, corrected)
        The schedule in the symbols ``beta``, ``t`` and the two corrected averages.

    Raises
    ------
    ArithmeticError
        If the solution depended on the averaged values (no schedule exists).
    """
    bt = sp.Symbol("beta_t")
    corrected_prev = bias_correction(_BETA, _T - 1) * _V_PREV
    corrected = bias_correction(_BETA, _T) * (_BETA * _V_PREV + (1 - _BETA) * _G)
    (solution,) = sp.solve(bt * corrected_prev + (1 - bt) * _G - corrected, bt)
    solution = sp.factor(sp.simplify(solution))
    if solution.free_symbols - {_BETA, _T}:
        raise ArithmeticError(f"beta_t depends on the averaged values: {solution}")
    return solution, corrected_prev, corrected


@cache
def _beta_schedule_numeric() -> Any:
    return sp.lambdify((_BETA, _T), derived_beta_schedule()[0], "math")


def beta_schedule(beta: Any, t: Any) -> Any:
    r"""The derived :math:`\beta_t` (:func:`derived_beta_schedule`) at ``beta``, ``t``.

    sympy input gives an exact sympy value; numbers give a float.
    """
    if isinstance(beta, sp.Basic) or isinstance(t, sp.Basic):
        return derived_beta_schedule()[0].subs({_BETA: beta, _T: t})
    return float(_beta_schedule_numeric()(float(beta), float(t)))


def adam_time_varying(problem: Any, x0: Any, steps: int, eta: float, beta1: float = 0.9,
                      beta2: float = 0.999, eps: float = 1e-6) -> np.ndarray:
    r"""Adam written as plain leaky averages with :math:`\beta_{1,t}, \beta_{2,t}` and no
    bias correction."""
    x = np.asarray(x0, dtype=float)
    v = np.zeros_like(x)
    s = np.zeros_like(x)
    out = [x]
    for t in range(1, steps + 1):
        g = np.asarray(problem.grad(x))
        b1, b2 = beta_schedule(beta1, t), beta_schedule(beta2, t)
        v = b1 * v + (1 - b1) * g
        s = b2 * s + (1 - b2) * g * g
        x = x - eta * v / (np.sqrt(s) + eps)
        out.append(x)
    return np.array(out)


@exercise("adam", 2, "Adam without bias correction")
def no_bias_correction(ctx: Context) -> Draft:
    bt, corrected_prev, corrected = derived_beta_schedule()
    beta, t, g = _BETA, _T, _G
    residual = sp.simplify(bt * corrected_prev + (1 - bt) * g - corrected)
    one_minus = sp.simplify(1 - bt)
    first = sp.simplify(bt.subs(t, 1))
    problem = textbook_2d()
    eta, steps = 0.1, 300
    # the two algorithms differ only in the order of float64 operations: rounding, far below 1e-12
    tol = 1e-12
    ref = run("adam", problem, [-5.0, -2.0], steps, eta=eta).x
    alt = adam_time_varying(problem, [-5.0, -2.0], steps, eta=eta)
    gap = float(np.max(np.linalg.norm(alt - ref, axis=1) / np.linalg.norm(ref, axis=1)))
    limit = limit_in_unit_interval(bt, beta, t)
    answer = (
        "Yes: keep plain leaky averages v_t = beta_t v_{t-1} + (1 - beta_t) g_t (same for s "
        "with beta2) with a time-varying beta_t chosen so that, if v_{t-1} already equals the "
        "corrected average of the first t - 1 gradients, the new v_t equals the corrected "
        "average of t gradients. Solving that condition for beta_t, sympy finds "
        f"beta_t = {bt}, free of the averaged values, so one schedule works for every "
        f"gradient sequence (the difference reduces to {residual}; 1 - beta_t = "
        f"{one_minus}). The schedule starts "
        f"at beta_1 = {first} (the first average is just g_1) and tends to {limit}, so it is "
        f"the usual Adam after the first few hundred steps. Run on f = 0.1 x1^2 + 2 x2^2 "
        f"(eta = {eta}, {steps} steps) it "
        + (f"matches the bias-corrected Adam to within {tol:g} relative (rounding)."
           if gap < tol else f"differs from the bias-corrected Adam by {gap:.2g} relative.")
    )
    derivation = [latex_eq(r"\beta_t", bt), latex_eq(r"1 - \beta_t", one_minus),
                  latex_eq(r"\beta_t \hat v_{t-1} + (1-\beta_t) g_t - \hat v_t", residual)]
    numbers = {"beta_t": bt, "symbolic_residual": str(residual), "beta_1": first,
               "max_relative_difference": gap, "tolerance": tol, "eta": eta, "steps": steps}
    return Draft(answer, derivation, numbers, inputs={"objective": [0.1, 2]})


# --------------------------------------------------------------------------- 3
@exercise("adam", 3, "Why eta must shrink near convergence")
def shrinking_rate(ctx: Context) -> Draft:
    etas = [0.003, 0.01, 0.03, 0.1]
    chains, steps, burn = 300, 4000, 2000
    lam, sigma = 1.0, 1.0
    traj = run("adam", NoisyQuadratic([lam], sigma, seed=21), [0.0], steps,
               eta=np.repeat(etas, chains))
    xs = traj.x[burn:, :, 0].reshape(steps + 1 - burn, len(etas), chains)
    var = np.mean(xs**2, axis=(0, 2))
    excess = 0.5 * lam * var
    slope = float(np.polyfit(np.log(etas), np.log(excess), 1)[0])
    # linearised model: near x* the noise dominates g, s_hat ~ sigma^2, and Adam acts like
    # the leaky-average momentum x <- x - (eta / sigma) m, m <- beta1 m + (1 - beta1) g
    v_ema, (e, b, la, sg) = stationary_variance("ema")
    alpha = sp.Symbol("alpha", positive=True)
    v_ema = sp.simplify(v_ema.subs(e, alpha))  # the EMA method's step is alpha = eta/sigma
    model = sp.lambdify((alpha, b, la, sg), v_ema, "numpy")
    predicted = [float(model(eta / sigma, 0.9, lam, sigma)) for eta in etas]
    rows = [{"eta": eta, "measured_variance": float(var[k]),
             "linearised_variance": predicted[k], "excess_loss": float(excess[k])}
            for k, eta in enumerate(etas)]
    answer = (
        "With noisy gradients the iterate never settles: each step moves by about eta in a "
        "direction the noise partly decides, so the spread around the minimizer is set by "
        "eta. On f = x^2/2 with N(0, 1) gradient noise (300 chains, steps 2000-4000) Adam's "
        "stationary excess loss E f is "
        + ", ".join(f"{r['excess_loss']:.2e} at eta = {r['eta']}" for r in rows)
        + f": a log-log slope of {slope:.2f}, i.e. the floor is proportional to eta. A "
        "linearised model explains it: near the minimizer s_hat ~ sigma^2, so Adam is "
        "leaky-average momentum with step alpha = eta/sigma, whose stationary variance the Lyapunov "
        f"equation gives as {v_ema} with alpha = eta/sigma (predicted "
        + ", ".join(f"{p:.2e}" for p in predicted)
        + " against measured " + ", ".join(f"{r['measured_variance']:.2e}" for r in rows)
        + "). Converging therefore needs eta -> 0 (a schedule), or noise that vanishes at the "
        "optimum; only then does the floor disappear."
    )
    derivation = [latex_eq(r"\operatorname{Var}_\infty x\ (\text{leaky-average momentum})",
                           sp.simplify(v_ema))]
    numbers = {"table": rows, "loglog_slope": slope, "chains": chains, "burn_in": burn,
               "steps": steps}
    return Draft(answer, derivation, numbers)


# --------------------------------------------------------------------------- 4
def online_yogi(C: float, steps: int = 3000, alpha: float = 0.5, beta2: float | None = None,
                x0: float = 0.0) -> np.ndarray:
    r"""Yogi on the online problem of :mod:`optheory.numeric.reddi`, set up like the paper's
    Adam there (beta1 = 0, step alpha/sqrt(t), projection onto [-1, 1], no bias correction).

    .. math:: v \leftarrow v - (1 - \beta_2)\,\mathrm{sign}(v - g^2)\, g^2.
    """
    b2 = 1.0 / (1.0 + C * C) if beta2 is None else beta2
    x, v = x0, 0.0
    out = [x]
    for t in range(1, steps + 1):
        g = reddi_gradient(t, C)
        v = v - (1 - b2) * np.sign(v - g * g) * g * g
        x = min(1.0, max(-1.0, x - alpha / np.sqrt(t) * g / np.sqrt(v)))
        out.append(x)
    return np.array(out)


def online_adam(C: float, steps: int = 3000, alpha: float = 0.5, beta2: float | None = None,
                x0: float = 0.0) -> np.ndarray:
    """The paper's Adam on the online problem with a chosen beta2 (default 1/(1 + C^2))."""
    return np.asarray(run_reddi("adam", C, steps, alpha, x0, beta2=beta2).x)


@exercise("adam", 4, "A problem where Adam fails and Yogi converges")
def adam_vs_yogi(ctx: Context) -> Draft:
    Cs = [3.0, 5.0, 10.0]
    rows = []
    for C in Cs:
        for b2 in (None, 0.9, 0.999):
            a = online_adam(C, beta2=b2)
            y = online_yogi(C, beta2=b2)
            rows.append({"C": C, "beta2": 1 / (1 + C * C) if b2 is None else b2,
                         "adam_final_mean": float(np.mean(a[-300:])),
                         "yogi_final_mean": float(np.mean(y[-300:]))})
    fails = [r for r in rows if r["adam_final_mean"] > 0.9]
    yogi_ok = all(r["yogi_final_mean"] < -0.9 for r in rows)
    small = [r for r in rows if r["beta2"] not in (0.9, 0.999)]  # beta2 = 1/(1 + C^2)
    common = [r for r in rows if r["beta2"] in (0.9, 0.999)]
    only_small = bool(fails) and all(r in small for r in fails)
    all_small = all(r in fails for r in small)
    if only_small and all_small:
        fails_text = (", exactly those with the small beta2 = 1/(1 + C^2), where it ends near "
                      "the worst point +1")
    elif only_small:
        fails_text = ", all with the small beta2 = 1/(1 + C^2), but not every such setup"
    elif fails:
        fails_text = ", including setups with beta2 = 0.9 or 0.999"
    else:
        fails_text = ""
    common_ok = all(r["adam_final_mean"] < -0.9 and r["yogi_final_mean"] < -0.9 for r in common)
    common_text = ("With the common beta2 = 0.9 or 0.999 both methods solve this problem." if common_ok
                   else "With the common beta2 = 0.9 or 0.999 not both methods solve this problem.")
    # why: displacement over one period (t = 3k+1, 3k+2, 3k+3) for a fixed step size alpha,
    # with the period's gradients read from the problem (C where reddi_gradient gives C)
    C, alpha, v, b2_s = sp.symbols("C alpha v beta2", positive=True)
    probe = 7.0  # any C > 1 tells the two gradient values apart
    period = [C if reddi_gradient(t, probe) == probe else sp.Integer(int(reddi_gradient(t, probe)))
              for t in (1, 2, 3)]
    # Adam with a short memory: v_t = beta2 v_(t-1) + (1 - beta2) g_t^2, limit beta2 -> 0
    v_t, adam_terms = v, []
    for g in period:
        v_t = b2_s * v_t + (1 - b2_s) * g**2
        adam_terms.append(-alpha * g / sp.sqrt(v_t))
    adam_cycle = sp.simplify(sp.limit(sum(adam_terms), b2_s, 0))
    # Yogi: v held near its level C^2 over the period
    yogi_cycle = sp.simplify(sum(-alpha * g / sp.sqrt(v) for g in period).subs(v, C**2))
    yogi_sign = sp.solve(yogi_cycle < 0, C)
    adam_away = bool(sp.simplify(adam_cycle).is_positive)
    # Adam's step is bounded, so it cannot blow up in finite time
    b1, b2s, j = sp.symbols("beta1 beta2 j", positive=True)
    bound = sp.sqrt(sp.summation((b1**2 / b2s) ** j, (j, 0, sp.oo)).args[0][0]) \
        * (1 - b1) / sp.sqrt(1 - b2s)
    bound_num = float(bound.subs({b1: sp.Rational(9, 10), b2s: sp.Rational(999, 1000)}))
    answer = (
        "Adam's update cannot diverge to infinity in the usual sense: by Cauchy-Schwarz the "
        "uncorrected ratio |m|/sqrt(s) is at most "
        f"{sp.simplify(bound)} ({bound_num:.2f} for the default betas), so x moves at most "
        "that many eta per step. What it can do is converge to the wrong point, and this is "
        "where Yogi helps. On the online problem of Reddi et al. (losses C x once every three "
        "steps and -x otherwise on [-1, 1], optimum -1), with the paper's setup (beta1 = 0, "
        "step 0.5/sqrt(t)), mean of the last 300 iterates, Adam vs Yogi: "
        + "; ".join(f"C = {r['C']:g}, beta2 = {r['beta2']:.3g}: {r['adam_final_mean']:+.3f} vs "
                    f"{r['yogi_final_mean']:+.3f}" for r in rows)
        + f". Adam fails in {len(fails)} of {len(rows)} setups{fails_text}; Yogi reaches the "
        f"optimum in {'all' if yogi_ok else 'not all'} of them. The reason: with a short memory "
        "Adam's s is about the current g^2, every step has size ~alpha and one period moves x by "
        f"{adam_cycle} ({'away from' if adam_away else 'towards'} the optimum); Yogi's additive "
        "update raises v by (1 - beta2) g^2 when g^2 > v but lowers it only by (1 - beta2) g^2 "
        "for the small gradients, so v stays near C^2 and a period moves x by "
        f"{yogi_cycle}, negative exactly for {yogi_sign}. {common_text} The projection onto "
        "[-1, 1] keeps every iterate bounded."
    )
    derivation = [latex_eq(r"\Delta x_{\text{period}}^{\text{Adam}}", adam_cycle),
                  latex_eq(r"\Delta x_{\text{period}}^{\text{Yogi}}", sp.simplify(yogi_cycle)),
                  latex_eq(r"\sup |m_t|/\sqrt{s_t}", sp.simplify(bound))]
    numbers = {"runs": rows, "adam_failures": len(fails), "yogi_all_converge": yogi_ok,
               "adam_fails_exactly_small_beta2": only_small and all_small,
               "both_solve_with_common_beta2": common_ok,
               "period_gradients": [str(g) for g in period],
               "step_bound_default_betas": bound_num, "alpha": 0.5, "window": 300, "Cs": Cs,
               "setups": len(rows)}

    def figures() -> dict[str, Any]:
        from optheory.exercises._plots import lines

        a = online_adam(3.0)
        y = online_yogi(3.0)
        return {"online": lines(np.arange(a.size), {"Adam": a, "Yogi": y}, xlabel="step t",
                                ylabel="x_t", title="C = 3, beta2 = 1/(1 + C^2)")}

    return Draft(answer, derivation, numbers, figures)
