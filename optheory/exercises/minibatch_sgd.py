r"""Exercises of the section "Minibatch Stochastic Gradient Descent".

All run on the chapter's regression (or its synthetic stand-in, see
:mod:`optheory.exercises`):

1. batch size and learning rate;
2. dividing the learning rate by 10 after every epoch;
3. minibatches drawn with replacement;
4. a dataset in which every example occurs twice.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from optheory.analysis.regression import (
    RegressionData,
    regression_data,
    stationary_excess,
    train,
)
from optheory.exercises._common import fmt, latex_eq
from optheory.exercises._registry import Context, Draft, exercise
from optheory.exercises.gd import gd_step_limit


def data_note(data: RegressionData) -> str | None:
    """The note saying which regression data an answer used."""
    if data.source.startswith("airfoil"):
        return None
    return ("No data path given: run on a synthetic least-squares problem of the airfoil "
            "data's shape (1500 x 5, standardised, fixed seed); pass data_path for the "
            "chapter's data.")


def data_inputs(data: RegressionData) -> dict[str, Any]:
    """The regression data as the answers describe it (its shape is an input they print)."""
    return {"data_rows": int(data.n), "data_features": int(data.dim),
            "data_description": data.describe()}


# --------------------------------------------------------------------------- 1
@exercise("minibatch-sgd", 1, "Batch size and learning rate")
def batch_and_rate(ctx: Context) -> Draft:
    data = regression_data(ctx.data_path)
    best = data.min_loss()
    batches = [1, 10, 100, data.n]
    etas = [0.005, 0.05, 0.4, 1.0]
    epochs = 2
    table = []
    curves: dict[str, Any] = {}
    for b in batches:
        res = train(data, "gd", batch=b, epochs=epochs, hyper={"eta": etas}, replicas=2,
                    seed=1)
        for k, eta in enumerate(etas):
            final = res.loss[:, k].mean(axis=1)
            table.append({
                "batch": b, "eta": eta, "steps_per_epoch": res.steps_per_epoch,
                "loss_epoch1": float(final[len(final) // 2]), "loss_epoch2": float(final[-1]),
                "gradient_examples_per_epoch": res.steps_per_epoch * b,
            })
            curves[f"b={b}, eta={eta}"] = (res.examples / data.n, final)
    finite = [r for r in table if np.isfinite(r["loss_epoch2"])]
    winner = min(finite, key=lambda r: r["loss_epoch2"])
    diverged = [f"(b={r['batch']}, eta={r['eta']})" for r in table
                if not np.isfinite(r["loss_epoch2"]) or r["loss_epoch2"] > 1e3]
    per_b = {b: min((r for r in table if r["batch"] == b), key=lambda r: (
        r["loss_epoch2"] if np.isfinite(r["loss_epoch2"]) else np.inf)) for b in batches}
    # Wall-clock times are machine dependent and would make the answer non-deterministic;
    # the cost per epoch is stated as updates (each with fixed overhead) and examples touched.
    cost_text = ", ".join(
        f"b={b}: {next(r['steps_per_epoch'] for r in table if r['batch'] == b)} updates"
        for b in batches)
    answer = (
        f"Two epochs of minibatch SGD on {data.describe()} (minimum loss {best:.4f}), averaged "
        "over two sampling streams. Best loss per batch size after two epochs: "
        + ", ".join(f"b={b}: {fmt(r['loss_epoch2'], 4)} at eta={r['eta']}"
                    for b, r in per_b.items())
        + f"; overall best b={winner['batch']}, eta={winner['eta']}. "
        + (f"Too large a rate for the batch size diverges: {', '.join(diverged)}. "
           if diverged else "")
        + "Small batches make many cheap, noisy steps per epoch, so they need small rates but "
        "lower the loss most per epoch; large batches average away the noise and tolerate "
        "rates up to the stability limit 2/lambda_max of the full loss "
        f"({gd_step_limit(float(np.max(np.linalg.eigvalsh(data.hessian())))):.3f} here), but "
        "make only "
        f"n/b steps per epoch. Cost per epoch: every epoch touches all n examples once, in "
        f"{cost_text}; each update carries a fixed overhead, so for small b the time per epoch "
        "grows with the number of updates n/b until b is large enough for the arithmetic "
        "on b examples to dominate."
    )
    lam = np.linalg.eigvalsh(data.hessian())
    derivation = [latex_eq(r"\eta_{\max}^{\mathrm{GD}}\ (1 - \eta\lambda_{\max} = -1)",
                           sp.Float(gd_step_limit(float(lam.max())), 6))]
    numbers = {"data": data.source, "min_loss": best, "epochs": epochs, "table": table,
               "best": winner, "hessian_eigenvalues": lam,
               "gd_step_limit": gd_step_limit(float(lam.max()))}

    def figures() -> dict[str, Any]:
        from optheory.exercises._plots import lines

        shown = {k: v for k, v in curves.items() if np.all(np.isfinite(v[1]))
                 and np.max(v[1]) < 10}
        return {"loss": lines(None, shown, xlabel="epoch", ylabel="loss", logy=True,
                              hline=best)}

    return Draft(answer, derivation, numbers, figures, data_note(data),
                 inputs=data_inputs(data))


# --------------------------------------------------------------------------- 2
@exercise("minibatch-sgd", 2, "Dividing the rate by ten after each epoch")
def step_decay(ctx: Context) -> Draft:
    data = regression_data(ctx.data_path)
    best = data.min_loss()
    b, eta, epochs = 10, 0.05, 4
    steps = -(-data.n // b)
    k = sp.Symbol("k", integer=True, nonnegative=True)
    total = sp.summation(sp.Rational(1, 10) ** k, (k, 0, sp.oo))
    replicas = 8
    constant = train(data, "gd", batch=b, epochs=epochs, hyper={"eta": eta}, replicas=replicas,
                     seed=2)
    decayed = train(data, "gd", batch=b, epochs=epochs, hyper={"eta": eta}, replicas=replicas,
                    seed=2, schedule=lambda t: 0.1 ** ((t - 1) // steps))
    c_curve = constant.loss[:, 0].mean(axis=1) - best
    d_curve = decayed.loss[:, 0].mean(axis=1) - best
    per_epoch = len(c_curve) // epochs
    epoch_rows = [{"epoch": e + 1, "excess_constant": float(c_curve[(e + 1) * per_epoch]),
                   "excess_decayed": float(d_curve[(e + 1) * per_epoch])}
                  for e in range(epochs)]
    # how much the decayed run still moves after epoch 2 (relative change of its excess loss)
    late_change = abs(epoch_rows[-1]["excess_decayed"] - epoch_rows[1]["excess_decayed"]) / abs(
        epoch_rows[1]["excess_decayed"])
    answer = (
        f"Minibatch SGD (b = {b}, eta = {eta}) on {data.describe()}, {epochs} epochs, {replicas} "
        "sampling streams. Excess loss L - L* after each epoch, constant vs divided by 10 per "
        "epoch: "
        + "; ".join(f"{r['epoch']}: {r['excess_constant']:.2e} vs {r['excess_decayed']:.2e}"
                    for r in epoch_rows)
        + ". Dividing the rate shrinks the noise around the minimum at once (the stationary "
        "spread is proportional to eta), which is why the decayed run "
        + ("ends lower" if epoch_rows[-1]["excess_decayed"] < epoch_rows[-1]["excess_constant"]
           else "does not end lower")
        + f"; but the total step size of all later epochs is only {total - 1} of the first "
        f"epoch's (sum of 10^-k = {total}), so "
        + ("progress essentially stops after the second epoch (the excess loss changes by "
           f"{late_change:.0%} from epoch 2 to epoch {epochs}): such an aggressive decay only "
           "works once the iterate is already near the minimum." if late_change < 0.2 else
           f"progress slows after the second epoch (the excess loss still changes by "
           f"{late_change:.0%} from epoch 2 to epoch {epochs}).")
    )
    derivation = [latex_eq(r"\sum_{k\ge 0} 10^{-k}", total)]
    numbers = {"batch": b, "eta": eta, "epochs": epochs, "min_loss": best, "replicas": replicas,
               "by_epoch": epoch_rows, "total_rate_factor": total, "later_epochs_share": total - 1,
               "decayed_change_after_epoch_2": late_change}

    def figures() -> dict[str, Any]:
        from optheory.exercises._plots import lines

        ex = constant.examples / data.n
        return {"excess_loss": lines(ex, {"constant": c_curve, "/10 per epoch": d_curve},
                                     xlabel="epoch", ylabel="excess loss", logy=True)}

    return Draft(answer, derivation, numbers, figures, data_note(data),
                 inputs=data_inputs(data))


# --------------------------------------------------------------------------- 3
@exercise("minibatch-sgd", 3, "Minibatches drawn with replacement")
def with_replacement(ctx: Context) -> Draft:
    data = regression_data(ctx.data_path)
    b, etas = 10, [0.01, 0.03, 0.1, 0.3]
    floors = {replace: stationary_excess(data, batch=b, etas=etas, replace=replace, seed=4)
              for replace in (False, True)}
    rows = []
    for k, eta in enumerate(etas):
        wo, wi = float(floors[False][0][k]), float(floors[True][0][k])
        rows.append({"eta": eta, "excess_without": wo, "se_without": float(floors[False][1][k]),
                     "excess_with": wi, "se_with": float(floors[True][1][k]),
                     "ratio": wi / wo})
    n = sp.Symbol("n", integer=True, positive=True)
    unseen = (1 - 1 / n) ** n
    answer = (
        f"Minibatch SGD with b = {b} and a constant rate on {data.describe()}, started at the "
        "minimizer; the excess loss is averaged over epochs 2-3 and 16 sampling streams. "
        "Drawing every example of every minibatch with replacement leaves "
        f"{float(unseen.subs(n, data.n)):.1%} of the data unseen in an epoch ((1 - 1/n)^n, "
        f"limit {sp.limit(unseen, n, sp.oo)}) and repeats others. Excess loss, permutation vs "
        "with replacement: "
        + ", ".join(f"eta = {r['eta']}: {r['excess_without']:.2e} vs {r['excess_with']:.2e} "
                    f"(ratio {r['ratio']:.2f})" for r in rows)
        + ". Each minibatch is an unbiased gradient either way, so the mean path is the same; "
        "what changes is the noise. A permutation makes the errors of one epoch cancel, so at "
        "small rates (several epochs per relaxation time) sampling with replacement settles "
        f"{rows[0]['ratio']:.1f} times higher; at large rates the iterate forgets faster than "
        "an epoch lasts and the two agree (ratio "
        f"{rows[-1]['ratio']:.2f} at eta = {rows[-1]['eta']})."
    )
    derivation = [latex_eq(r"P(\text{unseen})", unseen),
                  latex_eq(r"\lim_{n\to\infty} P(\text{unseen})", sp.limit(unseen, n, sp.oo))]
    numbers = {"batch": b, "epochs": 3, "replicas": 16, "min_loss": data.min_loss(),
               "unseen_fraction": float(unseen.subs(n, data.n)),
               "by_eta": rows}
    return Draft(answer, derivation, numbers, None, data_note(data),
                 inputs=data_inputs(data))


# --------------------------------------------------------------------------- 4
def minibatch_variance() -> tuple[sp.Expr, tuple[sp.Symbol, sp.Symbol, sp.Symbol]]:
    r"""Variance of the mean of ``b`` draws without replacement from ``N`` values.

    Derived from the pair moments of a random permutation: for distinct draws
    :math:`E[d_I d_J] = (S_1^2 - S_2)/(N(N-1))` with :math:`S_1 = \sum d_i = 0`
    (deviations from the mean) and :math:`S_2 = \sum d_i^2 = N\sigma^2`.
    """
    N, b, s2 = sp.symbols("N b sigma2", positive=True)
    S1, S2 = sp.Integer(0), N * s2
    cross = (S1**2 - S2) / (N * (N - 1))
    var = (b * s2 + b * (b - 1) * cross) / b**2
    return sp.factor(sp.simplify(var)), (N, b, s2)


@exercise("minibatch-sgd", 4, "Every example duplicated")
def duplicated(ctx: Context) -> Draft:
    data = regression_data(ctx.data_path)
    dup = data.duplicated()
    # the mean loss is unchanged: (1/2n) sum over both copies = (1/n) sum
    n_sym = sp.Symbol("n", integer=True, positive=True)
    i = sp.Symbol("i", integer=True, positive=True)
    ell = sp.IndexedBase("ell")
    same_loss = sp.simplify(sp.Sum(2 * ell[i], (i, 1, n_sym)).doit() / (2 * n_sym)
                            - sp.Sum(ell[i], (i, 1, n_sym)).doit() / n_sym) == 0
    gd_a = train(data, "gd", batch=data.n, epochs=5, hyper={"eta": 0.5}, seed=5)
    gd_b = train(dup, "gd", batch=dup.n, epochs=5, hyper={"eta": 0.5}, seed=5)
    gd_gap = float(np.max(np.abs(gd_a.theta - gd_b.theta)))
    # minibatch gradient variance without replacement, N vs 2N
    var, (N, b, s2) = minibatch_variance()
    theta = gd_a.theta[0, 0]
    per_example = (data.A @ theta - data.y)[:, None] * data.A
    pop_var = float(np.sum(per_example.var(axis=0)))
    rng = np.random.default_rng(8)
    bsz, draws = 500, 4000
    measured = {}
    for name, G in (("original", per_example), ("duplicated", np.vstack([per_example] * 2))):
        means = []
        for _ in range(draws // 500):
            keys = rng.random((500, G.shape[0]))
            idx = np.argpartition(keys, bsz, axis=1)[:, :bsz]
            means.append(G[idx].mean(axis=1))
        m = np.concatenate(means)
        measured[name] = float(np.sum(m.var(axis=0)))
    predicted = {name: float(var.subs({N: nn, b: bsz, s2: pop_var}))
                 for name, nn in (("original", data.n), ("duplicated", 2 * data.n))}
    ratio_100 = float(var.subs({N: 2 * data.n, b: 100}) / var.subs({N: data.n, b: 100}))
    # training: the same number of steps on both, and per epoch
    runs = {}
    for name, d in (("original", data), ("duplicated", dup)):
        for bb, eta in ((1, 0.01), (10, 0.05)):
            res = train(d, "gd", batch=bb, epochs=2 if name == "original" else 1,
                        hyper={"eta": eta}, replicas=8, seed=6)
            runs[f"{name}, b={bb}"] = float(np.mean(res.final) - data.min_loss())
    # "the same loss": original and duplicate within 25% of each other for every batch size
    train_gap = max(abs(runs[f"original, b={bb}"] - runs[f"duplicated, b={bb}"])
                    / min(runs[f"original, b={bb}"], runs[f"duplicated, b={bb}"]) for bb in (1, 10))
    answer = (
        "Gradient descent does not change at all: the loss is the mean over the data and "
        f"duplicating every term leaves the mean as it was (sympy: {same_loss}); five GD steps "
        f"on both datasets agree to {gd_gap:.1e}. Stochastic gradient descent with replacement "
        "is also unchanged step by step (every draw has the same distribution), but an "
        "'epoch' now has twice as many steps, so per epoch it makes twice the progress at twice "
        "the cost. Without replacement, a minibatch of the doubled set can contain the same "
        "example twice, so its gradient is slightly noisier: the variance of the mean of b "
        "draws from N examples is sigma^2 (N - b)/(b (N - 1)), derived from the pair moments "
        "of a random permutation, so doubling N multiplies it by "
        f"{ratio_100:.4f} for b = 100 and by {predicted['duplicated'] / predicted['original']:.4f}"
        f" for b = {bsz} (measured {measured['duplicated'] / measured['original']:.4f} over "
        f"{draws} minibatches). In training the two datasets "
        + (f"give the same loss after the same number of steps (within {train_gap:.0%}): "
           if train_gap < 0.25 else
           f"do not give the same loss after the same number of steps (they differ by up to "
           f"{train_gap:.0%}): ")
        + "excess loss after 2 epochs of the original vs 1 epoch of the duplicate "
        + ", ".join(f"b={bb}: {runs[f'original, b={bb}']:.2e} vs {runs[f'duplicated, b={bb}']:.2e}"
                    for bb in (1, 10))
        + "."
    )
    derivation = [
        latex_eq(r"\frac{1}{2n}\sum_{i=1}^{n} 2\ell_i - \frac{1}{n}\sum_{i=1}^{n}\ell_i",
                 sp.Integer(0) if same_loss else sp.nan),
        latex_eq(r"\operatorname{Var}\Big[\frac{1}{b}\sum_{k=1}^{b} g_{I_k}\Big]", var),
    ]
    numbers = {"same_mean_loss": same_loss, "gd_max_difference": gd_gap,
               "training_relative_gap": train_gap, "variance_ratio_b": predicted["duplicated"]
               / predicted["original"], "variance_ratio_measured": measured["duplicated"]
               / measured["original"],
               "variance_batch": bsz, "variance_predicted": predicted,
               "variance_measured": measured, "variance_ratio_b100": ratio_100,
               "draws": draws, "training_excess_loss": runs}
    return Draft(answer, derivation, numbers, None, data_note(data),
                 inputs={**data_inputs(data), "reference_batch": 100})
