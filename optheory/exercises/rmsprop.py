r"""Exercises of the section "RMSProp".

1. :math:`\gamma = 1`: the squared-gradient average never moves;
2. the rotated problem;
3. a real learning problem (the chapter's regression, see the note) and rate choices;
4. sensitivity to :math:`\gamma` and a time-varying :math:`\gamma_t`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from optheory.analysis.regression import regression_data, train
from optheory.exercises._common import count_text, first_below, latex_eq
from optheory.exercises._registry import Context, Draft, exercise
from optheory.exercises.adagrad import TEXTBOOK_LENET_NOTE, compare_rotations
from optheory.exercises.minibatch_sgd import data_inputs, data_note
from optheory.numeric.problems import textbook_2d
from optheory.numeric.run import run
from optheory.symbolic._exact import to_exact
from optheory.symbolic.leaky import mean_lag
from optheory.symbolic.linear import ETA as LIN_ETA
from optheory.symbolic.linear import LAM, iteration_matrix, method_update
from optheory.symbolic.ode import rmsprop_update
from optheory.symbolic.stability import stability_region

GAMMA, ETA, EPS = sp.symbols("gamma eta epsilon", positive=True)
X, S, G = sp.symbols("x s g", real=True)


def textbook_update() -> tuple[sp.Expr, sp.Expr]:
    """The textbook's RMSProp state and step (x - x_next) as sympy expressions in s, g.

    Both come from :func:`optheory.symbolic.ode.rmsprop_update`, the project's
    symbolic RMSProp step.
    """
    x_next, s_next = rmsprop_update(X, S, G, ETA, GAMMA, EPS)
    return s_next, sp.simplify(X - x_next)


def gd_step_limit(lam_max: Any) -> sp.Expr:
    r"""Largest stable gradient-descent step for the curvature ``lam_max``.

    Gradient descent's region is derived by
    :func:`optheory.symbolic.stability.stability_region` from gradient
    descent's iteration matrix; solving it for :math:`\eta > 0` at
    :math:`\lambda = ` ``lam_max`` gives the supremum returned here.
    """
    region = stability_region(iteration_matrix(*method_update("gd")))
    allowed = sp.solveset(region.subs(LAM, to_exact(lam_max, "lam_max")), LIN_ETA,
                          sp.Interval.open(0, sp.oo))
    if not isinstance(allowed, sp.Interval):
        raise ArithmeticError(f"unexpected step region {allowed}")
    return allowed.sup


# --------------------------------------------------------------------------- 1
@exercise("rmsprop", 1, "Setting gamma = 1")
def gamma_one(ctx: Context) -> Draft:
    s_next, step = textbook_update()
    frozen = sp.simplify(s_next.subs(GAMMA, 1))
    first_step = sp.simplify(step.subs({GAMMA: 1, S: 0}))
    gd_rate = sp.simplify(first_step / G)  # the step is (this rate) * g: gradient descent
    eta, eps, tiny = 0.4, 1e-6, 1e-4
    exact = {ETA: to_exact(eta, "eta"), EPS: to_exact(eps, "eps")}
    rate = gd_rate.subs(exact)
    tiny_rate = gd_rate.subs({**exact, ETA: to_exact(tiny, "eta")})
    problem = textbook_2d()
    lam_max = float(np.max(problem.eigenvalues))
    limit = gd_step_limit(lam_max)
    rms = run("rmsprop", problem, [-5.0, -2.0], 20, eta=eta, gamma=1.0)
    gd = run("gd", problem, [-5.0, -2.0], 20, eta=float(rate))
    same = bool(np.allclose(rms.x, gd.x, rtol=1e-12, atol=0, equal_nan=True))
    from optheory.numeric.backend import torch_available

    use_torch = torch_available()
    torch_eps = 1e-8
    torch_run = (run("rmsprop", problem, [-5.0, -2.0], 20, impl="torch", eta=0.01, gamma=1.0,
                     eps=torch_eps) if use_torch else
                 run("rmsprop", problem, [-5.0, -2.0], 20, eta=0.01, gamma=1.0, eps=torch_eps,
                     convention="torch"))
    torch_name = ("torch.optim.RMSprop" if use_torch
                  else "the torch-convention RMSprop (torch not installed)")
    start = float(np.linalg.norm([-5.0, -2.0]))
    rms_fails = not float(np.linalg.norm(rms.x[-1])) < start
    torch_fails = not float(np.linalg.norm(torch_run.x[-1])) < start
    same_way = "fails the same way" if torch_fails == rms_fails else (
        "fails too" if torch_fails else "does not fail")
    small = run("rmsprop", problem, [-5.0, -2.0], 200, eta=tiny, gamma=1.0)
    answer = (
        f"With gamma = 1 the average update becomes s <- {frozen}: the state never changes, and "
        "since it starts at 0 it stays 0. The textbook's step is then "
        f"{first_step}, i.e. plain gradient descent with the learning rate {gd_rate} = "
        f"{float(rate):g} for eta = {eta}. On f = 0.1 x1^2 + 2 x2^2 (largest curvature "
        f"{lam_max:g}) gradient descent is stable only for eta < {limit} (derived region of "
        f"gradient descent at that curvature), so this is {float(rate / limit):g} times the "
        "limit: from (-5, -2) the iterate is at "
        f"|x| = {np.linalg.norm(rms.x[-1]):.3g} after 20 steps, and it coincides with gradient "
        f"descent at that rate ({same}). {torch_name} with alpha = 1 and lr = 0.01 {same_way} "
        f"(step lr g / eps with eps = {torch_eps:g}: |x| = {np.linalg.norm(torch_run.x[-1]):.3g} "
        "after 20 steps). Only a tiny eta makes it work, and then it is just gradient descent with a "
        f"fixed rate: eta = {tiny:g} gives the learning rate {float(tiny_rate):g} and "
        f"|x| = {np.linalg.norm(small.x[-1]):.3g} after 200 steps. The adaptivity comes "
        "entirely from (1 - gamma) g^2 entering s."
    )
    derivation = [latex_eq(r"s_{t+1}\big|_{\gamma=1}", frozen),
                  latex_eq(r"\Delta x\big|_{\gamma=1, s=0}", first_step),
                  latex_eq(r"\sup\{\eta : \text{GD stable at } \lambda_{\max}\}", limit)]
    numbers = {"eta": eta, "eps": eps, "effective_rate": rate, "gd_step_limit": limit,
               "final_norm_textbook": float(np.linalg.norm(rms.x[-1])),
               "equals_gd": same, "final_norm_torch": float(np.linalg.norm(torch_run.x[-1])),
               "torch_run": torch_name, "torch_eps": torch_eps, "start_norm": start,
               "torch_fails": torch_fails, "textbook_fails": rms_fails,
               "tiny_eta_rate": tiny_rate,
               "final_norm_tiny_eta": float(np.linalg.norm(small.x[-1])),
               "lam_max": lam_max, "times_the_limit": float(rate / limit), "tiny_eta": tiny}
    return Draft(answer, derivation, numbers,
                 inputs={"start": [-5, -2], "objective": [0.1, 2], "steps": [20, 200],
                         "torch_lr": 0.01})


# --------------------------------------------------------------------------- 2
@exercise("rmsprop", 2, "RMSProp on the rotated problem")
def rotated(ctx: Context) -> Draft:
    steps, tol = 2000, 1e-3
    rows = compare_rotations("rmsprop", steps, tol, eta=0.4, gamma=0.9)
    small = compare_rotations("rmsprop", steps, tol, eta=0.01, gamma=0.9)
    for r in rows + small:
        r["late_max_distance"] = float(np.max(np.linalg.norm(r["path"][-200:], axis=1)))
        r["steps_to_0.05"] = first_below(np.linalg.norm(r["path"], axis=1), 0.05)
    reach = [r["steps_to_0.05"] for r in small]
    similar = None not in reach and max(reach) < 1.2 * min(reach)
    late = [r["late_max_distance"] for r in rows]
    late_similar = max(late) < 1.5 * min(late)
    answer = (
        "RMSProp (eta = 0.4, gamma = 0.9) from (-5, -2), distance to the minimizer after "
        f"20 / 100 / {steps} steps and the first step below {tol}: "
        + "; ".join(f"{r['problem']}: {r['after_20_text']} / {r['after_100_text']} / "
                    f"{r[f'after_{steps}_text']}, {r['steps_to_tol_text']}" for r in rows)
        + ". On the axis-aligned problem the per-coordinate normalisation makes both "
        "coordinates advance at about eta per step and the first 20 steps almost reach the "
        "minimum; after the rotation each coordinate mixes both curvatures and the same "
        "20 steps leave it "
        f"{rows[1]['after_20'] / rows[0]['after_20']:.0f} times farther away. In the long run "
        + ("the rotation does not matter much, because " if late_similar else
           "the rotation still matters (the late distances differ by more than a factor 1.5), "
           "although ")
        + "with a constant eta RMSProp does not "
        "converge at all: near the minimum g/sqrt(s) stays of order 1, so the steps stay of "
        f"order eta and all three runs end on a cycle at distance about "
        f"{np.mean([r['late_max_distance'] for r in rows]):.3f}. With eta = 0.01 the cycle "
        f"shrinks to {np.mean([r['late_max_distance'] for r in small]):.4f}; the three runs "
        "take " + ", ".join(count_text(v) for v in reach) + " steps to come within 0.05 of "
        "the minimizer"
        + (": at this small rate the steps are dominated by the distance eta per step and "
           "the rotation hardly matters." if similar else ".")
    )
    strip = ("path",)
    numbers = {"eta": 0.4, "gamma": 0.9, "tolerance": tol,
               "runs": [{k: v for k, v in r.items() if k not in strip} for r in rows],
               "runs_eta_0.01": [{k: v for k, v in r.items() if k not in strip} for r in small],
               "rotation_slowdown_20": rows[1]["after_20"] / rows[0]["after_20"],
               "cycle_distance": float(np.mean(late)),
               "cycle_distance_eta_0.01": float(np.mean([r["late_max_distance"] for r in small])),
               "late_distances_similar": late_similar, "steps": steps}
    return Draft(answer, [], numbers,
                 inputs={"start": [-5, -2], "checkpoints": [20, 100], "near": 0.05})


# --------------------------------------------------------------------------- 3
@exercise("rmsprop", 3, "RMSProp on a real learning problem")
def real_problem(ctx: Context) -> Draft:
    data = regression_data(ctx.data_path)
    etas = [0.001, 0.01, 0.03, 0.1]
    spe = -(-data.n // 10)
    schedules = {
        "constant": None,
        "1/sqrt(t)": lambda t: 1.0 / np.sqrt(t),
        "divide by 10 after epoch 1": lambda t: 1.0 if t <= spe else 0.1,
    }
    rows: list[dict[str, Any]] = []
    for name, sched in schedules.items():
        res = train(data, "rmsprop", batch=10, epochs=3, hyper={"eta": etas, "gamma": 0.9},
                    replicas=4, seed=13, schedule=sched)
        for k, eta in enumerate(etas):
            rows.append({"schedule": name, "eta": eta,
                         "excess_loss": float(res.final[k].mean() - data.min_loss())})
    best = min(rows, key=lambda r: r["excess_loss"])
    const = {r["eta"]: r["excess_loss"] for r in rows if r["schedule"] == "constant"}
    answer = (
        f"Minibatch RMSProp (b = 10, gamma = 0.9, three epochs) on {data.describe()}. Excess "
        "loss L - L* at the end with a constant rate: "
        + ", ".join(f"eta = {e}: {v:.2e}" for e, v in const.items())
        + ". Because g/sqrt(s) is of order one, every coordinate moves by about eta per step "
        "whatever the gradient's size, so a constant eta fixes the size of the final "
        "fluctuation: large rates plateau high, small ones are slow. Adjusting the rate over "
        "time fixes this: best overall "
        f"{best['schedule']} with eta = {best['eta']} ({best['excess_loss']:.2e}); all "
        "results: "
        + "; ".join(f"{r['schedule']}, eta={r['eta']}: {r['excess_loss']:.2e}"
                    for r in rows if r["schedule"] != "constant")
        + "."
    )
    numbers = {"data": data.source, "results": rows, "best": best,
               "min_loss": data.min_loss(), "batch": 10, "gamma": 0.9}
    return Draft(answer, [], numbers, None, TEXTBOOK_LENET_NOTE.replace(
        "LeNet on Fashion-MNIST", "Fashion-MNIST") + (" " + (data_note(data) or "")).rstrip(),
        inputs=data_inputs(data))


# --------------------------------------------------------------------------- 4
@exercise("rmsprop", 4, "Sensitivity to gamma")
def gamma_sensitivity(ctx: Context) -> Draft:
    gammas = [0.0, 0.5, 0.9, 0.99, 0.999]
    problem = textbook_2d()
    traj = run("rmsprop", problem, [-5.0, -2.0], 5000, eta=0.05, gamma=gammas)
    dist = np.linalg.norm(traj.x, axis=2)
    toy = [{"gamma": g, "after_50": float(dist[50, k]), "after_500": float(dist[500, k]),
            "after_5000": float(dist[-1, k])} for k, g in enumerate(gammas)]
    data = regression_data(ctx.data_path)
    res = train(data, "rmsprop", batch=10, epochs=2, hyper={"eta": 0.01, "gamma": gammas},
                replicas=4, seed=14)
    reg = [{"gamma": g, "excess_loss": float(res.final[k].mean() - data.min_loss())}
           for k, g in enumerate(gammas)]
    varying = train(data, "rmsprop", batch=10, epochs=2, hyper={"eta": 0.01, "gamma": 0.9},
                    replicas=4, seed=14, hyper_schedules={"gamma": lambda t: 1.0 - 1.0 / t})
    varying_loss = float(varying.final[0].mean() - data.min_loss())
    # gamma_t = 1 - 1/t turns the leaky average into the exact running mean (checked to t = 6)
    gs = sp.symbols("g1:7", real=True)
    s = sp.Integer(0)
    mean_ok = True
    for t, g in enumerate(gs, start=1):
        gamma_t = 1 - sp.Rational(1, t)
        s = gamma_t * s + (1 - gamma_t) * g**2
        mean_ok = mean_ok and sp.simplify(s - sum(v**2 for v in gs[:t]) / t) == 0
    memory = mean_lag(GAMMA)  # mean age of what the average remembers
    cycle, memory_phase = _cycle_and_returns(dist, gammas)
    reg_vals = [r["excess_loss"] for r in reg]
    # "mild": every gamma within a factor 3 of the best
    spread = max(reg_vals) / min(reg_vals)
    answer = (
        "gamma sets the memory of the squared-gradient average: the mean age of what it "
        f"remembers is {memory} steps. On the noiseless f = 0.1 x1^2 + 2 x2^2 (eta = 0.05) the "
        "distance after 50 / 500 / 5000 steps is "
        + ", ".join(f"gamma = {r['gamma']}: {r['after_50']:.3g} / {r['after_500']:.3g} / "
                    f"{r['after_5000']:.3g}" for r in toy)
        + ". So in the deterministic case gamma changes the behaviour qualitatively: with a "
        "short memory s follows the current g^2, the steps stay of size ~eta and the iterate "
        f"ends on a cycle at distance {cycle:.3f} (gamma = "
        + ", ".join(f"{g}" for g, ph in zip(gammas, memory_phase, strict=True) if ph is None)
        + "); with a long memory s still holds the large early gradients, the step "
        "eta/sqrt(s) is small and the method behaves like gradient descent and converges "
        "fast, until s has forgotten them, the effective step grows past the stability limit "
        "and the iterate returns to the cycle ("
        + "; ".join(_phase_text(g, ph, dist.shape[0] - 1)
                    for g, ph in zip(gammas, memory_phase, strict=True) if ph is not None)
        + "). With minibatch noise the sensitivity is "
        + ("mild" if spread < 3 else "strong") + ": on "
        f"{data.describe()} (eta = 0.01, two epochs) the excess loss is "
        + ", ".join(f"gamma = {r['gamma']}: {r['excess_loss']:.2e}" for r in reg)
        + f", within a factor {spread:.1f} (best gamma = "
        f"{min(reg, key=lambda r: r['excess_loss'])['gamma']}). "
        "Adjusting gamma over time is reasonable: gamma_t = 1 - 1/t turns s into the exact "
        f"running mean of g^2 (sympy, t = 1..6: {mean_ok}), an AdaGrad-like average without "
        f"AdaGrad's decay, which here gives {varying_loss:.2e}."
    )
    derivation = [latex_eq(r"\sum_{k\ge0} k (1-\gamma)\gamma^k", memory)]
    numbers = {"quadratic": toy, "cycle_distance": cycle,
               "long_memory": {str(g): ph for g, ph in zip(gammas, memory_phase, strict=True)
                               if ph is not None}, "regression": reg, "gamma_t_running_mean": mean_ok,
               "varying_gamma_excess_loss": varying_loss, "data": data.source,
               "regression_spread": spread}

    def figures() -> dict[str, Any]:
        from optheory.exercises._plots import lines

        return {"distance": lines(np.arange(dist.shape[0]),
                                  {f"gamma={g}": dist[:, k] for k, g in enumerate(gammas)},
                                  xlabel="step", ylabel="distance", logy=True, logx=True)}

    return Draft(answer, derivation, numbers, figures, data_note(data),
                 inputs={**data_inputs(data), "objective": [0.1, 2], "eta": [0.05, 0.01],
                         "checkpoints": [50, 500, 5000], "running_mean_steps": 6})


def _cycle_and_returns(
    dist: np.ndarray, gammas: list[float]
) -> tuple[float, list[dict[str, Any] | None]]:
    """The cycle's distance, and what each long-memory run did after converging.

    A run has a long memory when its distance first fell below 1e-6 of the final
    distances (it behaved like converging gradient descent); the others end on the
    cycle, whose distance is the median of their final distances.  A long-memory
    run either reached exact 0 (a fixed point: the gradient and so every later step
    vanish) or went back: then it is on the cycle if its final distance is within 5%
    of the cycle's, and settled from the step after its last 1% deviation from that
    final distance.  None for the short-memory runs.
    """
    final = dist[-1]
    converged = [bool(np.nanmin(dist[:, k]) < 1e-6 * np.nanmax(final)) for k in range(len(gammas))]
    cycle = float(np.median([final[k] for k in range(len(gammas)) if not converged[k]]))
    phases: list[dict[str, Any] | None] = []
    for k in range(len(gammas)):
        if not converged[k]:
            phases.append(None)
            continue
        zero = first_below(dist[:, k], np.finfo(float).tiny)
        phase: dict[str, Any] = {"zero_step": zero, "on_cycle": False, "settled_step": None}
        if zero is None:
            off = np.flatnonzero(np.abs(dist[:, k] / final[k] - 1) > 0.01)
            phase["on_cycle"] = bool(abs(final[k] / cycle - 1) < 0.05)
            phase["settled_step"] = int(off[-1]) + 1 if off.size else 0
        phases.append(phase)
    return cycle, phases


def _phase_text(gamma: float, phase: dict[str, Any], steps: int) -> str:
    if phase["zero_step"] is not None:
        return (f"gamma = {gamma} reached floating-point zero at step {phase['zero_step']} "
                "first, a fixed point that ends the run")
    if phase["on_cycle"]:
        return f"gamma = {gamma} settled on it by step {phase['settled_step']}"
    return f"gamma = {gamma} had not returned within {steps} steps"
