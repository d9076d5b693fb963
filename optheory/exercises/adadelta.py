r"""Exercises of the section "Adadelta".

1. varying :math:`\rho`;
2. an implementation without the rescaled gradient :math:`g'_t`;
3. is Adadelta learning-rate free? (its :math:`\epsilon` is a rate in disguise);
4. Adadelta against AdaGrad and RMSProp.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from optheory.analysis.regression import regression_data, train
from optheory.exercises._common import count_text, first_below, latex_eq
from optheory.exercises._registry import Context, Draft, exercise
from optheory.exercises.adagrad import compare_rotations
from optheory.exercises.minibatch_sgd import data_inputs, data_note
from optheory.numeric.optimizers import get_method
from optheory.numeric.problems import EigenQuadratic, textbook_2d
from optheory.numeric.run import run

RHO, EPS = sp.symbols("rho epsilon", positive=True)
S, D, G = sp.symbols("s Delta g", real=True)


def textbook_rules() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """``(s', g', Delta')`` of the textbook's Adadelta as sympy expressions."""
    s_next = RHO * S + (1 - RHO) * G**2
    g_prime = sp.sqrt(D + EPS) / sp.sqrt(s_next + EPS) * G
    d_next = RHO * D + (1 - RHO) * g_prime**2
    return s_next, g_prime, d_next


# --------------------------------------------------------------------------- 1
@exercise("adadelta", 1, "Varying rho")
def vary_rho(ctx: Context) -> Draft:
    rhos = [0.5, 0.9, 0.99, 0.999]
    problem = textbook_2d()
    traj = run("adadelta", problem, [-5.0, -2.0], 2000, rho=rhos)
    dist = np.linalg.norm(traj.x, axis=2)
    toy: list[dict[str, Any]] = [{"rho": r, "after_20": float(dist[20, k]), "after_200": float(dist[200, k]),
            "after_2000": float(dist[-1, k]), "steps_to_0.01": first_below(dist[:, k], 0.01)}
           for k, r in enumerate(rhos)]
    data = regression_data(ctx.data_path)
    res = train(data, "adadelta", batch=10, epochs=2, hyper={"rho": rhos}, replicas=4, seed=15)
    reg = [{"rho": r, "excess_loss": float(res.final[k].mean() - data.min_loss())}
           for k, r in enumerate(rhos)]
    s_next, g_prime, _ = textbook_rules()
    first = sp.simplify(g_prime.subs({S: 0, D: 0}))
    big_g = sp.limit(first, G, sp.oo)
    caps = [float(big_g.subs({EPS: sp.Rational(1, 10**5), RHO: sp.nsimplify(r)})) for r in rhos]
    fastest = min(toy, key=lambda r: r["after_2000"])
    hover = float(np.mean([r["after_2000"] for r in toy if r["rho"] <= 0.9]))
    answer = (
        "rho is the memory of both averages (squared gradients s and squared updates Delta). "
        "On f = 0.1 x1^2 + 2 x2^2 from (-5, -2), distance after 20 / 200 / 2000 steps and "
        "steps to reach 0.01: "
        + "; ".join(f"rho = {r['rho']}: {r['after_20']:.3g} / {r['after_200']:.3g} / "
                    f"{r['after_2000']:.3g}, {count_text(r['steps_to_0.01'])}" for r in toy)
        + f". On {data.describe()} (b = 10, two epochs) the excess loss is "
        + ", ".join(f"rho = {r['rho']}: {r['excess_loss']:.2e}" for r in reg)
        + ". The first step is sqrt(eps) g / sqrt((1 - rho) g^2 + eps), which tends to "
        f"{big_g} for large gradients: "
        + ", ".join(f"{c:.3g} for rho = {r}" for r, c in zip(rhos, caps, strict=True))
        + ". A long memory therefore starts with larger steps and keeps the step sizes it "
        "has built up, which on the noiseless problem makes rho = "
        f"{fastest['rho']} the fastest; with a short memory the iterate ends hovering "
        f"(distance {hover:.3g} after 2000 steps for rho <= 0.9): the factor "
        "sqrt(Delta)/sqrt(s) does not depend on the amplitude of an oscillation, so once "
        "the steps and gradients settle into a back-and-forth of some size nothing shrinks "
        "it. Under minibatch noise "
        + ("a long memory is a liability instead: Delta and s react slowly and the excess loss "
           f"grows from {min(r['excess_loss'] for r in reg):.2e} to "
           f"{reg[-1]['excess_loss']:.2e} at rho = {reg[-1]['rho']}."
           if reg[-1]["excess_loss"] == max(r["excess_loss"] for r in reg) else
           f"the longest memory is not the worst: the excess loss at rho = {reg[-1]['rho']} is "
           f"{reg[-1]['excess_loss']:.2e}, against {max(r['excess_loss'] for r in reg):.2e} at "
           "worst.")
    )
    derivation = [latex_eq(r"g'_1", first), latex_eq(r"\lim_{g\to\infty} g'_1", big_g)]
    numbers = {"quadratic": toy, "regression": reg, "data": data.source,
               "first_step_caps": caps, "hover_distance": hover}

    def figures() -> dict[str, Any]:
        from optheory.exercises._plots import lines

        return {"distance": lines(np.arange(dist.shape[0]),
                                  {f"rho={r}": dist[:, k] for k, r in enumerate(rhos)},
                                  xlabel="step", ylabel="distance", logy=True, logx=True)}

    return Draft(answer, derivation, numbers, figures, data_note(data),
                 inputs={**data_inputs(data), "checkpoints": [20, 200, 2000], "near": 0.01, "batch": 10,
                         "start": [-5, -2], "objective": [0.1, 2]})


# --------------------------------------------------------------------------- 2
def adadelta_without_gprime(problem: Any, x0: Any, steps: int, rho: float = 0.9,
                            eps: float = 1e-5, form: str = "factor") -> np.ndarray:
    r"""Adadelta without a stored :math:`g'`.

    ``form="factor"``: keep the scalar factor :math:`r = \sqrt{\Delta+\epsilon}/\sqrt{s+\epsilon}`
    and update :math:`\Delta \leftarrow \rho\Delta + (1-\rho) r^2 g^2`;
    ``form="difference"``: update :math:`\Delta` with the parameter change actually made,
    :math:`(x_{t+1} - x_t)^2`.
    """
    x = np.asarray(x0, dtype=float)
    s = np.zeros_like(x)
    d = np.zeros_like(x)
    out = [x]
    for _ in range(steps):
        g = np.asarray(problem.grad(x))
        s = rho * s + (1 - rho) * (g * g)
        r = np.sqrt(d + eps) / np.sqrt(s + eps)
        x_new = x - r * g
        if form == "factor":
            d = rho * d + (1 - rho) * (r * r) * (g * g)
        else:
            d = rho * d + (1 - rho) * (x_new - x) ** 2
        x = x_new
        out.append(x)
    return np.array(out)


@exercise("adadelta", 2, "Adadelta without g'")
def without_gprime(ctx: Context) -> Draft:
    s_next, g_prime, d_next = textbook_rules()
    r = sp.sqrt(D + EPS) / sp.sqrt(s_next + EPS)
    x = sp.Symbol("x", real=True)
    same_factor = sp.simplify(d_next - (RHO * D + (1 - RHO) * r**2 * G**2)) == 0
    same_difference = sp.simplify(d_next - (RHO * D + (1 - RHO) * ((x - r * G) - x) ** 2)) == 0
    problem = textbook_2d()
    ref = run("adadelta", problem, [-5.0, -2.0], 300).x
    gaps = {}
    for form in ("factor", "difference"):
        alt = adadelta_without_gprime(problem, [-5.0, -2.0], 300, form=form)
        # normwise relative difference at every step
        gaps[form] = float(np.max(np.linalg.norm(alt - ref, axis=1)
                                  / np.linalg.norm(ref, axis=1)))
    answer = (
        "g'_t is only used twice: to move x and to update Delta. Both uses can be written "
        "without it: keep the per-coordinate factor r = sqrt(Delta + eps)/sqrt(s + eps), set "
        "x <- x - r g and Delta <- rho Delta + (1 - rho) r^2 g^2, or, simpler, update Delta "
        "with the change actually made, Delta <- rho Delta + (1 - rho) (x_new - x)^2. Sympy "
        f"confirms both are the textbook's update ({same_factor}, {same_difference}); on "
        "f = 0.1 x1^2 + 2 x2^2 over 300 steps they reproduce the project's Adadelta to a "
        f"relative {gaps['factor']:.1e} (factor form) and {gaps['difference']:.1e} "
        "(difference form; x_new - x rounds, so it can differ from g' in the last bits). "
        "Why it helps: no buffer for g' is needed, and Delta then measures the step that was "
        "really taken, so if the update is later modified (clipped, combined with weight "
        "decay, or with a learning rate as in torch's Adadelta) the statistic stays "
        "consistent with the parameter's actual movement; it keeps the unit argument behind "
        "Adadelta (Delta has the units of x squared) true by construction."
    )
    derivation = [latex_eq(r"\Delta_{t+1}", d_next),
                  latex_eq(r"\Delta_{t+1} - \big(\rho\Delta + (1-\rho) r^2 g^2\big)",
                           sp.simplify(d_next - (RHO * D + (1 - RHO) * r**2 * G**2)))]
    numbers = {"symbolic_factor_form": same_factor, "symbolic_difference_form": same_difference,
               "max_relative_difference": gaps, "steps": 300}
    return Draft(answer, derivation, numbers, inputs={"objective": [0.1, 2]})


# --------------------------------------------------------------------------- 3
@exercise("adadelta", 3, "Is Adadelta learning-rate free?")
def rate_free(ctx: Context) -> Draft:
    _, g_prime, _ = textbook_rules()
    first = sp.simplify(g_prime.subs({S: 0, D: 0}))
    cap = sp.limit(first, G, sp.oo)
    cap_num = float(cap.subs({EPS: sp.Rational(1, 10**5), RHO: sp.Rational(9, 10)}))
    # distance to travel: f = (x - D)^2 / 2 per coordinate, start 0
    far = [1.0, 10.0, 100.0, 1000.0]
    tr = run("adadelta", EigenQuadratic([1.0] * 4, x_star=far), np.zeros(4), 60000)
    err = np.abs(tr.x - np.array(far)) / np.array(far)
    by_distance: list[dict[str, Any]] = [{"distance": D_, "steps_to_10_percent": first_below(err[:, i], 0.1)}
                   for i, D_ in enumerate(far)]
    counts = [r["steps_to_10_percent"] for r in by_distance]
    if all(c is not None for c in counts):
        per_decade = [b / a for a, b in zip(counts[:-1], counts[1:], strict=True)]
        growth_text = (f": each tenfold distance multiplies the steps by "
                       f"{min(per_decade):.2g} to {max(per_decade):.2g}")
        per_decade_range = [min(per_decade), max(per_decade)]
    else:
        per_decade_range = []
        growth_text = ": the farthest minimizer is not reached within the run"
    # epsilon as a rate in disguise
    epss = [1e-6, 1e-5, 1e-4, 1e-2]
    tr = run("adadelta", EigenQuadratic([1.0], x_star=[10.0]), [0.0], 2000, eps=epss)
    err = np.abs(tr.x[:, :, 0] - 10.0) / 10.0
    by_eps: list[dict[str, Any]] = [{"eps": e, "steps_to_10_percent": first_below(err[:, k], 0.1)}
              for k, e in enumerate(epss)]
    # scaling the objective hardly matters
    scales = [0.01, 1.0, 100.0]
    tr = run("adadelta", EigenQuadratic(scales, x_star=[10.0] * 3), np.zeros(3), 2000)
    err = np.abs(tr.x - 10.0) / 10.0
    by_scale: list[dict[str, Any]] = [{"scale": c, "steps_to_10_percent": first_below(err[:, i], 0.1)}
                for i, c in enumerate(scales)]
    answer = (
        "Only nominally. Its first step is sqrt(eps) g / sqrt((1 - rho) g^2 + eps), at most "
        f"{cap} = {cap_num:.4f} for the textbook's eps = 1e-5, rho = 0.9, whatever the "
        "problem; later steps grow only as fast as the average of past squared steps Delta "
        "builds up. So eps (with rho) acts as the learning rate: on f = (x - 10)^2/2 from 0, "
        "steps to come within 10% of the minimizer for eps = "
        + ", ".join(f"{r['eps']:g}: {count_text(r['steps_to_10_percent'])}" for r in by_eps)
        + ". Problems where the minimizer is far away in the units of x break it: steps to "
        "come within 10% of a minimizer at distance "
        + ", ".join(f"{r['distance']:g}: {count_text(r['steps_to_10_percent'])}"
                    for r in by_distance)
        + f"{growth_text}. What Adadelta does remove is the dependence on the scale of "
        "the objective: multiplying f by "
        + ", ".join(f"{r['scale']:g} gives {count_text(r['steps_to_10_percent'])}"
                    for r in by_scale)
        + " steps, because the gradient's scale cancels between g and sqrt(s)."
    )
    derivation = [latex_eq(r"g'_1", first), latex_eq(r"\lim_{|g|\to\infty} g'_1", cap)]
    numbers = {"first_step_cap": cap_num, "eps": 1e-5, "rho": 0.9, "within": 0.1,
               "steps_per_decade": per_decade_range,
               "by_distance": by_distance, "by_eps": by_eps,
               "by_objective_scale": by_scale}
    return Draft(answer, derivation, numbers)


# --------------------------------------------------------------------------- 4
def _ending(label: str, final: float, steps: int) -> str:
    if final < 1e-6:
        return f"{label} converges (distance {final:.1e} after {steps} steps)."
    return f"{label} does not converge: it hovers at distance {final:.3g} after {steps} steps."


@exercise("adadelta", 4, "Adadelta against AdaGrad and RMSProp")
def compare(ctx: Context) -> Draft:
    steps, tol = 1000, 1e-2
    methods = {"adadelta": ({}, "Adadelta (rho = 0.9)"),
               "adagrad": ({"eta": 0.4}, "AdaGrad (eta = 0.4)"),
               "rmsprop": ({"eta": 0.4, "gamma": 0.9}, "RMSProp (eta = 0.4, gamma = 0.9)")}
    toy = {}
    for method, (hyper, label) in methods.items():
        rows = compare_rotations(method, steps, tol, **hyper)
        toy[label] = [{k: v for k, v in r.items() if k != "path"} for r in rows]
    data = regression_data(ctx.data_path)
    reg = {}
    for method, hyper, label in (("adadelta", {}, "Adadelta"),
                                 ("adagrad", {"eta": 0.1}, "AdaGrad (eta = 0.1)"),
                                 ("rmsprop", {"eta": 0.01, "gamma": 0.9},
                                  "RMSProp (eta = 0.01)")):
        res = train(data, method, batch=10, epochs=4, hyper=hyper, replicas=4, seed=16,
                    evals_per_epoch=1)
        curve = res.loss[:, 0].mean(axis=1) - data.min_loss()
        reg[label] = [float(v) for v in curve[1:]]
    finals = [vals[-1] for vals in reg.values()]
    spread = max(finals) / min(finals)
    # the first step's bound from the rule, at Adadelta's default eps and rho
    defaults = get_method("adadelta", "textbook").resolve({})
    _, g_prime, _ = textbook_rules()
    cap = sp.limit(sp.simplify(g_prime.subs({S: 0, D: 0})), G, sp.oo)
    cap_num = float(cap.subs({EPS: sp.nsimplify(defaults["eps"]), RHO: sp.nsimplify(defaults["rho"])}))
    answer = (
        "All three divide by a running root-mean-square of the gradient per coordinate; they "
        "differ in the numerator. On f = 0.1 x1^2 + 2 x2^2 from (-5, -2), distance after "
        f"20 / 100 / {steps} steps (axis-aligned problem) and steps to {tol}: "
        + "; ".join(f"{label}: {rows[0]['after_20']:.3g} / {rows[0]['after_100']:.3g} / "
                    f"{rows[0][f'after_{steps}']:.3g}, {count_text(rows[0]['steps_to_tol'])}"
                    for label, rows in toy.items())
        + f". On {data.describe()} (b = 10) the excess loss after epochs 1-4 is "
        + "; ".join(f"{label}: " + ", ".join(f"{v:.2e}" for v in vals)
                    for label, vals in reg.items())
        + ". "
        + " ".join(_ending(label, rows[0][f"after_{steps}"], steps) for label, rows in toy.items())
        + " AdaGrad's sum makes its steps shrink for ever, which lets it settle on the "
        "noiseless problem but slows it late in noisy training; RMSProp's steps stay of size "
        "~eta, so it hovers at a distance set by eta unless eta is decayed; Adadelta replaces "
        "eta by the running size of its own past steps: it starts slowly (first step at most "
        f"{cap} = {cap_num:.3g}) and, because sqrt(Delta)/sqrt(s) ignores the amplitude "
        "of an oscillation, it can also end up hovering. Under minibatch noise the three end "
        + (f"within a factor {spread:.2g} of each other." if spread < 10 else
           f"a factor {spread:.3g} apart.")
    )
    numbers = {"quadratic": toy, "regression_excess_loss_by_epoch": reg, "data": data.source,
               "tolerance": tol, "steps": steps, "first_step_cap": cap_num,
               "final_excess_loss_spread": spread}
    return Draft(answer, [], numbers, None, data_note(data),
                 inputs={**data_inputs(data), "checkpoints": [20, 100], "start": [-5, -2],
                         "objective": [0.1, 2], "adagrad_eta": 0.1, "rmsprop_eta": 0.01, "batch": 10})
