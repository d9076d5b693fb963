r"""Exercises of the section "Learning Rate Scheduling".

1. the best model with a fixed learning rate;
2. the exponent of a polynomial decay;
3. the cosine schedule against others (on the available problems, see the note);
4. how long a warmup should last;
5. optimization and sampling: stochastic gradient Langevin dynamics.

Schedules are compared on two problems: the chapter's regression with
minibatch SGD, and a noisy quadratic whose expected loss is computed exactly
from the derived moment recursion of :mod:`optheory.exercises.sgd`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp

from optheory.analysis.regression import RegressionData, regression_data, train
from optheory.exercises._common import count_text, latex_eq
from optheory.exercises._registry import Context, Draft, exercise
from optheory.exercises.gd import gd_step_limit
from optheory.exercises.minibatch_sgd import data_inputs, data_note
from optheory.exercises.sgd import expected_second_moments

NOISY_LAMBDAS = np.array([0.1, 1.0])
NOISY_START = np.array([5.0, 5.0])


def expected_final_loss(eta: Callable[[int], float], steps: int) -> float:
    r"""Exact :math:`E f(x_T)` of SGD on :math:`f = \sum_i \lambda_i x_i^2 / 2` with N(0, 1)
    gradient noise, eigenvalues 0.1 and 1, start (5, 5)."""
    sq = expected_second_moments(NOISY_LAMBDAS, NOISY_START, eta, steps)
    return float(0.5 * np.sum(NOISY_LAMBDAS * sq[-1]))


def regression_excess(data: RegressionData, eta0: float, schedule: Callable[[int], float] | None,
                      epochs: int = 5, seed: int = 31) -> float:
    """Mean excess loss of minibatch SGD (b = 10) after ``epochs`` with a schedule."""
    res = train(data, "gd", batch=10, epochs=epochs, hyper={"eta": eta0}, replicas=4,
                seed=seed, schedule=schedule, evals_per_epoch=1)
    return float(res.final[0].mean() - data.min_loss())


def schedules(total: int) -> dict[str, Callable[[int], float]]:
    """Multipliers of the base rate for a run of ``total`` steps."""
    return {
        "constant": lambda t: 1.0,
        "step (/10 at 50% and 75%)": lambda t: 0.1 ** ((t > total // 2) + (t > 3 * total // 4)),
        "exponential (to 1/100)": lambda t: 0.01 ** (t / total),
        "polynomial, p = 1": lambda t: max(0.0, 1 - t / total),
        "cosine": lambda t: 0.5 * (1 + math.cos(math.pi * min(t, total) / total)),
        "1/sqrt(t)": lambda t: 1 / math.sqrt(t),
    }


def _poly(p: float, total: int) -> Callable[[int], float]:
    """The polynomial decay multiplier (1 - t/total)^p."""
    return lambda t: max(0.0, 1 - t / total) ** p


def _scaled(eta0: float, schedule: Callable[[int], float]) -> Callable[[int], float]:
    return lambda t: eta0 * schedule(t)


# --------------------------------------------------------------------------- 1
@exercise("lr-scheduler", 1, "The best model with a fixed learning rate")
def fixed_rate(ctx: Context) -> Draft:
    data = regression_data(ctx.data_path)
    etas = [0.003, 0.01, 0.03, 0.1, 0.3]
    epochs = 5
    res = train(data, "gd", batch=10, epochs=epochs, hyper={"eta": etas}, replicas=4, seed=30,
                evals_per_epoch=2)
    excess = res.loss.mean(axis=2) - data.min_loss()  # (T, K)
    rows = [{"eta": e, "excess_epoch1": float(excess[2, k]),
             "excess_final": float(excess[-1, k]),
             "excess_last_epoch_mean": float(excess[-2:, k].mean())}
            for k, e in enumerate(etas)]
    best = min(rows, key=lambda r: r["excess_last_epoch_mean"])
    gd_limit = gd_step_limit(float(np.max(np.linalg.eigvalsh(data.hessian()))))
    answer = (
        f"Minibatch SGD (b = 10, {epochs} epochs) on {data.describe()}; the best possible "
        f"model is the least-squares solution with loss {data.min_loss():.4f}. Excess loss "
        "after one epoch / at the end with a fixed rate: "
        + ", ".join(f"eta = {r['eta']}: {r['excess_epoch1']:.2e} / {r['excess_final']:.2e}"
                    for r in rows)
        + f". The best fixed rate here is eta = {best['eta']}, ending "
        f"{best['excess_final']:.1e} above the optimum. A fixed rate cannot do better: a "
        "larger one gets close fast but then fluctuates at a noise floor proportional to "
        "eta, a smaller one has a lower floor but has not reached it within the budget; the "
        "best fixed rate balances the two for the given number of epochs (and must in any "
        f"case stay below the full-batch limit 2/lambda_max = {gd_limit:.3f}). Only a rate "
        "that decreases (exercises 2 and 3) removes the trade-off."
    )
    numbers = {"data": data.source, "epochs": epochs, "min_loss": data.min_loss(),
               "by_eta": rows, "best_eta": best["eta"], "gd_step_limit": gd_limit}

    def figures() -> dict[str, Any]:
        from optheory.exercises._plots import lines

        ep = res.examples / data.n
        return {"excess_loss": lines(ep, {f"eta={e}": excess[:, k]
                                          for k, e in enumerate(etas)},
                                     xlabel="epoch", ylabel="excess loss", logy=True)}

    return Draft(answer, [], numbers, figures, data_note(data),
                 inputs={**data_inputs(data), "batch": 10, "exercises": [2, 3]})


# --------------------------------------------------------------------------- 2
@exercise("lr-scheduler", 2, "The exponent of a polynomial decay")
def polynomial_exponent(ctx: Context) -> Draft:
    powers = [0.0, 0.5, 1.0, 2.0, 3.0]
    T, eta0 = 400, 0.5
    quad = {p: expected_final_loss(_scaled(eta0, _poly(p, T)), T) for p in powers}
    data = regression_data(ctx.data_path)
    total = 5 * (-(-data.n // 10))
    reg = {p: regression_excess(data, 0.05, _poly(p, total)) for p in powers}
    best_q = min(quad, key=quad.__getitem__)
    best_r = min(reg, key=reg.__getitem__)
    t, Tt, p_ = sp.symbols("t T p", positive=True)
    integral = sp.simplify(sp.integrate((1 - t / Tt) ** p_, (t, 0, Tt), conds="none"))
    beats_constant = all(quad[p] < quad[0.0] and reg[p] < reg[0.0] for p in powers if p > 0)
    helps = quad[0.5] > quad[2.0] and reg[0.5] > reg[2.0]
    # "small or reversed": p = 3 improves on p = 2 by less than 10% on both problems
    small_beyond = quad[3.0] > 0.9 * quad[2.0] and reg[3.0] > 0.9 * reg[2.0]
    answer = (
        "The polynomial scheduler lowers the rate as eta_t = eta_0 (1 - t/T)^p; p = 0 is a "
        "constant rate. The exponent trades how long the rate stays high against how low it "
        f"gets before the end: the total step is eta_0 times {integral}, so a larger p "
        "spends less effort on moving and more on settling. Exact expected final loss on "
        f"a noisy quadratic (eigenvalues 0.1 and 1, N(0, 1) noise, eta_0 = {eta0}, "
        f"T = {T}): "
        + ", ".join(f"p = {p:g}: {v:.3e}" for p, v in quad.items())
        + f"; best p = {best_q:g}. Excess loss of minibatch SGD (b = 10, eta_0 = 0.05, five "
        f"epochs) on {data.describe()}: "
        + ", ".join(f"p = {p:g}: {v:.2e}" for p, v in reg.items())
        + f"; best p = {best_r:g}. "
        + ("Any decay to zero beats the constant rate by removing the noise floor at the end"
           if beats_constant else "Not every decay beats the constant rate")
        + ", and going from p = 0.5 to p = 2 "
        + ("helps on both problems" if helps else "does not help on both problems")
        + f" (factors {quad[0.5] / quad[2.0]:.1f} and {reg[0.5] / reg[2.0]:.1f}); beyond p = 2 "
        + ("the effect is small or reversed" if small_beyond else "it still helps")
        + f" (p = 3 vs p = 2: {quad[3.0] / quad[2.0]:.2f} and {reg[3.0] / reg[2.0]:.2f} times "
        "the loss)"
        + (", because a large p lowers the rate early, before the slow directions have "
           "converged." if small_beyond else ".")
    )
    derivation = [latex_eq(r"\int_0^T (1 - t/T)^p\,dt", integral)]
    numbers = {"noisy_quadratic": {str(p): v for p, v in quad.items()},
               "regression": {str(p): v for p, v in reg.items()},
               "best_p_quadratic": best_q, "best_p_regression": best_r, "data": data.source,
               "factors_p05_over_p2": [quad[0.5] / quad[2.0], reg[0.5] / reg[2.0]],
               "factors_p3_over_p2": [quad[3.0] / quad[2.0], reg[3.0] / reg[2.0]]}
    return Draft(answer, derivation, numbers, None, data_note(data),
                 inputs={**data_inputs(data), "eigenvalues": [0.1, 1], "batch": 10, "eta0_regression": 0.05,
                         "compared_p": [0.5, 2, 3], "T": T, "eta0": eta0})


# --------------------------------------------------------------------------- 3
_SMOOTH = ("cosine", "exponential (to 1/100)", "polynomial, p = 1")


def _spread(values: dict[str, float], names: tuple[str, ...]) -> float:
    chosen = [values[n] for n in names]
    return max(chosen) / min(chosen)


@exercise("lr-scheduler", 3, "The cosine schedule against other schedules")
def cosine(ctx: Context) -> Draft:
    T, eta0 = 400, 0.5
    quad = {name: expected_final_loss(_scaled(eta0, s), T) for name, s in schedules(T).items()}
    data = regression_data(ctx.data_path)
    total = 5 * (-(-data.n // 10))
    reg = {name: regression_excess(data, 0.05, s) for name, s in schedules(total).items()}
    rank_q = sorted(quad, key=quad.__getitem__)
    rank_r = sorted(reg, key=reg.__getitem__)
    stop_high = ("constant", "1/sqrt(t)")
    high_floor = all(min(v[n] for n in stop_high) > max(v[n] for n in _SMOOTH) for v in (quad, reg))
    answer = (
        "Training ImageNet is not possible here, so the schedules are compared where the "
        "outcome can be computed: the exact expected final loss of SGD on a noisy quadratic "
        f"(eigenvalues 0.1 and 1, eta_0 = {eta0}, T = {T} steps) — "
        + ", ".join(f"{n}: {quad[n]:.3e}" for n in rank_q)
        + f" — and the excess loss of minibatch SGD on {data.describe()} (eta_0 = 0.05, five "
        "epochs) — "
        + ", ".join(f"{n}: {reg[n]:.2e}" for n in rank_r)
        + f". The cosine schedule ranks {rank_q.index('cosine') + 1} of {len(rank_q)} and "
        f"{rank_r.index('cosine') + 1} of {len(rank_r)}. Its merits are the ones any schedule "
        "that ends near zero has: a long phase at a high rate for progress and a smooth "
        "descent to a small rate for a low final noise floor, with no extra hyperparameters "
        "beyond eta_0 and T. "
        + ("Schedules that stop high (constant, 1/sqrt(t) over a short run) keep a higher floor. "
           if high_floor else
           "Schedules that stop high (constant, 1/sqrt(t)) do not always keep a higher floor. ")
        + "Among the three schedules that end near zero (cosine, "
        "exponential, linear) the final losses differ by at most a factor "
        f"{_spread(quad, _SMOOTH):.1f} on the quadratic and {_spread(reg, _SMOOTH):.1f} on "
        "the regression, while the constant rate ends "
        f"{quad['constant'] / min(quad[n] for n in _SMOOTH):.0f} and "
        f"{reg['constant'] / min(reg[n] for n in _SMOOTH):.0f} times above the best of them."
    )
    numbers = {"noisy_quadratic": quad, "regression": reg, "ranking_quadratic": rank_q,
               "ranking_regression": rank_r, "data": data.source,
               "smooth_spread": [_spread(quad, _SMOOTH), _spread(reg, _SMOOTH)],
               "constant_over_best_smooth": [quad["constant"] / min(quad[n] for n in _SMOOTH),
                                             reg["constant"] / min(reg[n] for n in _SMOOTH)],
               "stop_high_keep_higher_floor": high_floor,
               "cosine_rank": [rank_q.index("cosine") + 1, rank_r.index("cosine") + 1],
               "schedules_compared": len(rank_q)}
    note = ("ImageNet is not available offline: answered on the chapter's regression and on "
            "a noisy quadratic whose expected loss is computed exactly.")
    extra = data_note(data)

    def figures() -> dict[str, Any]:
        from optheory.exercises._plots import lines

        t = np.arange(1, T + 1)
        return {"schedules": lines(t, {n: [s(int(k)) for k in t]
                                       for n, s in schedules(T).items()},
                                   xlabel="step t", ylabel=r"$\eta_t / \eta_0$", logy=True)}

    return Draft(answer, [], numbers, figures, note + (" " + extra if extra else ""),
                 inputs={**data_inputs(data), "eigenvalues": [0.1, 1], "eta0_regression": 0.05,
                         "T": T, "eta0": eta0})


# --------------------------------------------------------------------------- 4
@exercise("lr-scheduler", 4, "How long should a warmup last?")
def warmup(ctx: Context) -> Draft:
    x = sp.Symbol("x", real=True)
    f = x**4 / 4 + x**2 / 2
    f1, f2 = sp.diff(f, x), sp.diff(f, x, 2)
    x_star = sp.solve(f1, x)
    x_star = [s for s in x_star if s.is_real][0]
    eta = sp.Symbol("eta", positive=True)
    limit = sp.solve(sp.Eq(eta * f2.subs(x, x_star), 2), eta)[0]
    g1 = sp.lambdify(x, f1, "numpy")
    g2 = sp.lambdify(x, f2, "numpy")
    x0 = 3.0
    lengths = np.arange(0, 201)
    targets = [0.25, 0.5, 1.0, 1.5, 1.9]
    rows: list[dict[str, Any]] = []
    with np.errstate(all="ignore"):
        for target in targets:
            xs = np.full(lengths.shape, x0)
            sharp = np.zeros(lengths.shape)
            for t in range(1, 1501):
                et = target * np.minimum(1.0, t / np.maximum(lengths, 1))
                et = np.where(lengths == 0, target, et)
                sharp = np.maximum(sharp, np.nan_to_num(et * g2(xs), nan=np.inf))
                xs = xs - et * g1(xs)
            ok = np.abs(np.nan_to_num(xs, nan=np.inf)) < 1e-6
            hits = np.flatnonzero(ok)
            w = int(lengths[hits[0]]) if hits.size else None
            rows.append({"eta": target, "no_warmup_converges": bool(ok[0]),
                         "minimal_warmup": w,
                         "all_longer_warmups_converge": bool(hits.size and ok[hits[0]:].all()),
                         "start_sharpness": target * float(g2(x0))})
    # how the minimal warmup grows: monotone in eta? in proportion to eta f''(x0)?
    found = [r for r in rows if r["minimal_warmup"] is not None]
    lengths_found = [r["minimal_warmup"] for r in found]
    grows = len(found) > 1 and all(b >= a for a, b in zip(lengths_found[:-1], lengths_found[1:],
                                                           strict=True))
    per_sharpness = [r["minimal_warmup"] / r["start_sharpness"] for r in found
                     if r["minimal_warmup"] > 0]
    spread = max(per_sharpness) / min(per_sharpness) if per_sharpness else float("inf")
    # "roughly in proportion": W / (eta f''(x0)) constant within a factor 1.5
    if grows and spread < 1.5:
        growth_text = ("the minimal length grows with the target rate, roughly in proportion to "
                       f"eta times the initial sharpness (W / (eta f''(x0)) varies by a factor "
                       f"{spread:.2g})")
    elif grows:
        growth_text = ("the minimal length grows with the target rate, but not in proportion to "
                       f"eta times the initial sharpness (W / (eta f''(x0)) varies by a factor "
                       f"{spread:.2g})")
    else:
        growth_text = "the minimal length does not grow steadily with the target rate"
    answer = (
        f"Take f(x) = x^4/4 + x^2/2 from x = {x0:g}: the curvature f'' = 3x^2 + 1 is "
        f"{float(g2(x0)):.0f} at the start but {f2.subs(x, x_star)} at the minimizer, like a "
        "network whose loss is sharp early in training. Gradient descent with a constant "
        "rate eta is stable near the minimum iff eta f''(x*) < 2, i.e. eta < "
        f"{limit} (sympy), but from x = {x0:g} every one of the rates "
        + ", ".join(f"{r['eta']}" for r in rows)
        + " diverges without warmup"
        + ("" if not any(r["no_warmup_converges"] for r in rows) else " (except some)")
        + ". With a linear warmup eta_t = eta min(1, t/W) the shortest warmups that "
        "converge are "
        + ", ".join(f"W = {count_text(r['minimal_warmup'])} for eta = {r['eta']}"
                    for r in rows)
        + f" (every longer warmup up to {int(lengths[-1])} steps converges too: "
        f"{all(r['all_longer_warmups_converge'] for r in rows)}). So a warmup should last "
        "until the iterate has reached a region whose sharpness the target rate can "
        f"handle (eta f'' below about 2): {growth_text}. No warmup can rescue "
        f"a rate above {limit}, where the minimum itself is unstable."
    )
    derivation = [latex_eq("f''(x)", f2), latex_eq(r"x^\star", x_star),
                  latex_eq(r"\eta_{\max} = 2/f''(x^\star)", limit)]
    numbers = {"start": x0, "targets": rows, "stability_limit": limit,
               "minimal_warmup_grows": grows, "warmup_per_sharpness_spread": spread,
               "longest_warmup_tried": int(lengths[-1])}

    def figures() -> dict[str, Any]:
        from optheory.exercises._plots import lines

        curves = {}
        with np.errstate(all="ignore"):
            for r in rows:
                w = max(int(r["minimal_warmup"] or 1), 1)
                path = [x0]
                for t in range(1, 41):
                    path.append(path[-1] - r["eta"] * min(1.0, t / w) * float(g1(path[-1])))
                curves[f"eta={r['eta']}, W={w}"] = np.abs(path)
        return {"warmup": lines(np.arange(41), curves, xlabel="step", ylabel="|x_t|",
                                logy=True, title="shortest converging warmups")}

    return Draft(answer, derivation, numbers, figures,
                 inputs={"objective_powers": [4, 2], "curvature": [3, 1]})


# --------------------------------------------------------------------------- 5
@exercise("lr-scheduler", 5, "Optimization and sampling (Langevin dynamics)")
def langevin(ctx: Context) -> Draft:
    eta, lam, T, c, v, sigma = sp.symbols("eta lam T c v sigma", positive=True)
    # discrete chain x' = (1 - eta lam) x + sqrt(q) xi with q = c eta: stationary variance
    q = c * eta
    stationary = sp.solve(sp.Eq(v, (1 - eta * lam) ** 2 * v + q), v)[0]
    target = T / lam  # variance of exp(-f/T) for f = lam x^2 / 2
    c_needed = sp.solve(sp.Eq(sp.limit(stationary, eta, 0), target), c)[0]
    exact = sp.simplify(stationary.subs(c, c_needed))
    # the temperature of plain SGD with N(0, sigma^2) gradient noise
    sgd_var = sp.solve(sp.Eq(v, (1 - eta * lam) ** 2 * v + eta**2 * sigma**2), v)[0]
    # leading order in eta: Var ~ eta * lim(Var/eta); match it with the Gibbs variance T/lam
    t_eff = sp.solve(sp.Eq(eta * sp.limit(sgd_var / eta, eta, 0), target), T)[0]
    lams = np.array([1.0, 4.0])
    temp = 0.5
    chains = 1000
    rows = []
    exact_fn = sp.lambdify((eta, lam, T), exact, "numpy")
    for step, burn, n in ((0.1, 200, 400), (0.01, 2000, 2000)):
        rng = np.random.default_rng(int(1 / step))
        xs = np.zeros((chains, 2))
        acc = np.zeros(2)
        acc4 = np.zeros(2)
        scale = math.sqrt(float(c_needed.subs(T, temp)) * step)
        for t in range(burn + n):
            xs = xs - step * lams * xs + scale * rng.standard_normal(xs.shape)
            if t >= burn:
                acc += np.mean(xs**2, axis=0)
                acc4 += np.mean(xs**4, axis=0)
        var = acc / n
        kurt = (acc4 / n) / var**2
        last = xs
        rows.append({"eta": step, "measured_variance": var, "gibbs_variance": temp / lams,
                     "discrete_exact_variance": exact_fn(step, lams, temp), "kurtosis": kurt})
    answer = (
        "Stochastic gradient Langevin dynamics adds Gaussian noise to each gradient step, "
        "x <- x - eta grad f(x) + sqrt(2 eta T) xi, and then samples from the Gibbs density "
        "p(x) ~ exp(-f(x)/T) instead of converging to a point. The noise scale is derived: "
        "with noise variance c eta per step the chain on f = lambda x^2/2 has stationary "
        f"variance {sp.simplify(stationary)}, whose small-eta limit equals the Gibbs variance "
        f"T/lambda exactly when c = {c_needed}; at a finite step the variance is "
        f"{exact}, slightly above T/lambda. Simulation with T = {temp}, lambda = 1 and 4, "
        f"{chains} chains: "
        + "; ".join(f"eta = {r['eta']}: variances ({r['measured_variance'][0]:.4f}, "
                    f"{r['measured_variance'][1]:.4f}) vs Gibbs ({r['gibbs_variance'][0]:.4f}, "
                    f"{r['gibbs_variance'][1]:.4f}) and discrete prediction "
                    f"({r['discrete_exact_variance'][0]:.4f}, "
                    f"{r['discrete_exact_variance'][1]:.4f}), kurtosis "
                    f"({r['kurtosis'][0]:.2f}, {r['kurtosis'][1]:.2f})" for r in rows)
        + ". The link to optimization: plain SGD with gradient noise of variance sigma^2 is "
        f"the same chain with temperature T = {t_eff}, so a constant learning rate samples "
        "around the minimum rather than finding it, and decaying eta is annealing (T -> 0), "
        "which concentrates the distribution on the minimizers. Welling and Teh's SGLD runs "
        "the schedule the other way round: it lets eta -> 0 slowly while keeping the "
        "injected noise at 2 eta T, so the iterates become samples of the posterior "
        "(T = 1)."
    )
    derivation = [latex_eq(r"\operatorname{Var}_\infty", sp.simplify(stationary)),
                  latex_eq("c", c_needed), latex_eq(r"\operatorname{Var}_\infty\ (c = 2T)", exact),
                  latex_eq(r"T_{\mathrm{SGD}}", t_eff)]
    numbers = {"temperature": temp, "lambdas": lams, "chains": chains, "runs": rows,
               "noise_coefficient": c_needed, "sgd_temperature": t_eff}

    def figures() -> dict[str, Any]:
        from optheory.exercises._plots import lines

        grid = np.linspace(-2.5, 2.5, 201)
        gibbs = np.exp(-lams[0] * grid**2 / (2 * temp))
        gibbs /= np.trapezoid(gibbs, grid)
        hist, edges = np.histogram(last[:, 0], bins=40, range=(-2.5, 2.5), density=True)
        centres = 0.5 * (edges[1:] + edges[:-1])
        return {"density": lines(None, {
            "SGLD samples (eta = 0.01)": (centres, hist),
            "exp(-f/T), normalised": (grid, gibbs),
        }, xlabel=r"$x_1$", ylabel="density", title=f"lambda = 1, T = {temp}")}

    return Draft(answer, derivation, numbers, figures)
