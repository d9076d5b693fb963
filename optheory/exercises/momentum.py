r"""Exercises of the section "Momentum".

1. other (eta, beta) combinations: the rate map from the spectral radius, checked
   by runs, and the seed's explanation tested on the regression Hessian;
2. gradient descent and momentum on eigenvalues :math:`\lambda_i = 2^{-i}`;
3. minimum and minimizer of :math:`h(x) = \tfrac12 x^\top Q x + x^\top c + b`;
4. stochastic gradients with momentum: the stationary variance from a discrete
   Lyapunov equation, checked by simulation, for single examples and minibatches.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from optheory.analysis.rates import spectral_radius
from optheory.analysis.regression import regression_data, train
from optheory.exercises._common import fmt, latex_eq
from optheory.exercises._registry import Context, Draft, exercise
from optheory.exercises.minibatch_sgd import data_inputs
from optheory.numeric.noisy import NoisyQuadratic
from optheory.numeric.problems import EigenQuadratic, textbook_2d
from optheory.numeric.rates import empirical_rate
from optheory.numeric.run import run
from optheory.symbolic._exact import to_exact
from optheory.symbolic.leaky import effective_weight
from optheory.symbolic.linear import (
    BETA,
    ETA,
    LAM,
    characteristic_polynomial,
    iteration_matrix,
    method_step,
    method_update,
)
from optheory.symbolic.quadratic import general_minimizer_identity, quadratic_minimizer
from optheory.symbolic.stability import stability_region
from optheory.symbolic.tuning import optimal_parameters

Z = sp.Symbol("z")


def worst_rate(eta: Any, beta: Any, lams: Any, method: str = "momentum") -> np.ndarray:
    r"""The rate on a quadratic: :math:`\max_i \rho(\eta, \beta, \lambda_i)`, broadcast.

    The spectral radius per eigenvalue comes from
    :func:`optheory.analysis.rates.spectral_radius` (roots of the derived
    characteristic polynomial); the eigenvalues run along a trailing axis.
    """
    lam = np.asarray(lams, dtype=float)
    e = np.asarray(eta, dtype=float)[..., None]
    b = np.asarray(beta, dtype=float)[..., None]
    return np.asarray(np.max(spectral_radius(method, e, lam, b), axis=-1))


def best_on_grid(lams: Any, etas: np.ndarray, betas: np.ndarray) -> tuple[float, float, float]:
    """The (eta, beta) of the grid with the smallest rate, and that rate."""
    E, B = np.meshgrid(etas, betas)
    rates = worst_rate(E, B, lams)
    i = np.unravel_index(int(np.argmin(rates)), rates.shape)
    return float(E[i]), float(B[i]), float(rates[i])


def _exact_extremes(problem: Any) -> tuple[sp.Expr, sp.Expr]:
    """The problem's smallest and largest eigenvalue as exact numbers (0.2 -> 1/5)."""
    lams = np.asarray(problem.eigenvalues, dtype=float)
    return to_exact(float(lams.min()), "lam_min"), to_exact(float(lams.max()), "lam_max")


# --------------------------------------------------------------------------- 1
@exercise("momentum", 1, "Other learning rates and momentum parameters")
def combinations(ctx: Context) -> Draft:
    problem = textbook_2d()
    lams = np.asarray(problem.eigenvalues)
    etas = np.linspace(0.02, 1.0, 50)
    betas = np.linspace(0.0, 0.96, 49)
    E, B = np.meshgrid(etas, betas)
    predicted = worst_rate(E, B, lams)
    steps = 200
    traj = run("momentum", problem, [-5.0, -2.0], steps, eta=E.ravel(), beta=B.ravel())
    checked = []
    for idx in np.flatnonzero((predicted.ravel() > 0.3) & (predicted.ravel() < 0.97)):
        checked.append(abs(empirical_rate(traj.x[:, idx], skip=100) - predicted.ravel()[idx]))
    max_gap = float(np.max(checked))
    eta_b, beta_b, rate_b = best_on_grid(lams, etas, betas)
    gd_best = float(np.min(worst_rate(etas, 0.0, lams, method="gd")))
    lam_min, lam_max = _exact_extremes(problem)
    tuned = optimal_parameters("momentum", lam_min, lam_max)
    tuned_gd = optimal_parameters("gd", lam_min, lam_max)
    region = stability_region(iteration_matrix(*method_update("momentum")))
    step_weight = effective_weight(BETA)  # sum_i beta^i: the step for a constant gradient
    stable_share = float(np.mean(predicted < 1))
    # the seed's explanation, on the regression problem
    data = regression_data(ctx.data_path)
    hl = np.linalg.eigvalsh(data.hessian())
    pairs = [(0.002, 0.9), (0.02, 0.2), (0.02, 0.9), (0.002, 0.2)]
    res = train(data, "momentum", batch=10, epochs=2, hyper={
        "eta": [p[0] for p in pairs], "beta": [p[1] for p in pairs]}, replicas=4, seed=9)
    seed_rows: list[dict[str, Any]] = []
    for k, (eta, beta) in enumerate(pairs):
        seed_rows.append({
            "eta": eta, "beta": beta, "effective_eta": eta * effective_weight(beta),
            "rate_on_hessian": float(worst_rate(eta, beta, hl)),
            "loss_after_2_epochs": float(res.final[k].mean()),
        })
    r = {(row["eta"], row["beta"]): row for row in seed_rows}
    answer = (
        "On the section's f = 0.1 x1^2 + 2 x2^2 the rate of momentum is the largest spectral "
        "radius of its 2x2 iteration matrix over the eigenvalues "
        f"{lam_min} and {lam_max}. Over a grid of "
        f"{E.size} (eta, beta) pairs the predicted rates match rates fitted on 200-step runs "
        f"within {max_gap:.3f} (all {len(checked)} pairs with 0.3 < rate < 0.97); "
        f"{stable_share:.0%} of the grid converges. The best pair on the grid is eta = "
        f"{eta_b:.2f}, beta = {beta_b:.2f} with rate {rate_b:.3f}, close to the exact optimum "
        f"eta = {float(tuned['eta']):.4f}, beta = {float(tuned['beta']):.4f}, rate "
        f"{float(tuned['rate']):.4f} (Polyak's tuning, from optheory.symbolic.tuning), against "
        f"{gd_best:.3f} for the best plain gradient descent on the grid (exact "
        f"{tuned_gd['rate']} = {float(tuned_gd['rate']):.4f}): a large beta buys a large speed-up only together "
        "with a matching eta, and too large an eta for a given beta diverges (the derived "
        f"region is {region}, with lam = {lam_max} for the largest curvature). The seed's "
        "finding that high-rate/low-momentum and low-rate/high-momentum both work is "
        f"explained by the effective rate eta * ({step_weight}), the step momentum takes "
        "for a constant gradient: "
        f"its two pairs have {r[(0.002, 0.9)]['effective_eta']:.3f} and "
        f"{r[(0.02, 0.2)]['effective_eta']:.3f}, and on {data.describe()} their rates are "
        f"{r[(0.002, 0.9)]['rate_on_hessian']:.4f} and {r[(0.02, 0.2)]['rate_on_hessian']:.4f}, "
        f"with losses after two epochs {r[(0.002, 0.9)]['loss_after_2_epochs']:.4f} and "
        f"{r[(0.02, 0.2)]['loss_after_2_epochs']:.4f} (minimum {data.min_loss():.4f}). The "
        "other two corners show that it is not about opposite extremes: high/high "
        f"(0.02, 0.9; effective {r[(0.02, 0.9)]['effective_eta']:.2f}) has the fastest rate "
        f"{r[(0.02, 0.9)]['rate_on_hessian']:.4f} but ends at loss "
        f"{r[(0.02, 0.9)]['loss_after_2_epochs']:.4f}, "
        + ("higher, because with minibatch noise the floor grows with the effective rate "
           "(exercise 4); "
           if r[(0.02, 0.9)]["loss_after_2_epochs"] > r[(0.02, 0.2)]["loss_after_2_epochs"]
           else "no worse; ")
        + f"low/low (0.002, 0.2) has rate {r[(0.002, 0.2)]['rate_on_hessian']:.4f} and is "
        f"still at {r[(0.002, 0.2)]['loss_after_2_epochs']:.4f}. What matters is the effective "
        f"rate eta * ({step_weight}) against the curvatures and the noise; beta then trades "
        "speed against oscillation."
    )
    rho_sym = characteristic_polynomial(iteration_matrix(*method_update("momentum")), Z)
    derivation = [latex_eq(r"\det(zI - R)", rho_sym.as_expr()),
                  latex_eq(r"\sum_{i \ge 0} \beta^i", step_weight),
                  latex_eq(r"(\eta^\star, \beta^\star, \rho^\star)",
                           sp.Tuple(tuned["eta"], tuned["beta"], tuned["rate"]))]
    numbers = {"grid_size": int(E.size), "checked_pairs": len(checked),
               "max_rate_gap": max_gap, "best_eta": eta_b, "best_beta": beta_b,
               "best_rate": rate_b, "best_gd_rate": gd_best, "stable_share": stable_share,
               "optimal": tuned, "optimal_gd": tuned_gd, "curvatures": [lam_min, lam_max],
               "stability_region": str(region), "seed_pairs": seed_rows, "regression_eigenvalues": hl,
               "min_loss": data.min_loss()}

    def figures() -> dict[str, Any]:
        from optheory.exercises._plots import heatmap

        shown = np.where(predicted < 1.0, predicted, np.nan)
        return {"rate_map": heatmap(etas, betas, shown, xlabel=r"$\eta$", ylabel=r"$\beta$",
                                    zlabel="rate (spectral radius)",
                                    title=r"momentum on $0.1x_1^2 + 2x_2^2$",
                                    marks={"best": (eta_b, beta_b)})}

    return Draft(answer, derivation, numbers, figures,
                 inputs={**data_inputs(data), "fit_steps": steps, "rate_window": [0.3, 0.97],
                         "objective": [0.1, 2], "start": [-5, -2]})


# --------------------------------------------------------------------------- 2
def seed_code_matrix() -> sp.Matrix:
    """Iteration matrix of the seed's exercise-2 code, ``v = beta v + lam x; x -= x - eta v``."""
    v, x = sp.symbols("v x", real=True)
    v_next = BETA * v + LAM * x
    x_next = x - (x - ETA * v_next)
    return iteration_matrix({v: v_next, x: x_next}, (v, x))


@exercise("momentum", 2, "Eigenvalues 2^-i: gradient descent against momentum")
def many_eigenvalues(ctx: Context) -> Draft:
    d = 6
    lams = np.array([2.0**-i for i in range(d)])
    problem = EigenQuadratic(lams)
    lam_min, lam_max = _exact_extremes(problem)
    tuned_gd = optimal_parameters("gd", lam_min, lam_max)
    tuned = optimal_parameters("momentum", lam_min, lam_max)
    eta_gd = float(tuned_gd["eta"])
    eta_m, beta_m, rate_m = (float(tuned[k]) for k in ("eta", "beta", "rate"))
    steps = 60
    gd = run("gd", problem, np.ones(d), steps, eta=eta_gd).x
    mom = run("momentum", problem, np.ones(d), steps, eta=eta_m, beta=beta_m).x
    rows = []
    for i, lam in enumerate(lams):
        rows.append({
            "i": i, "lambda": lam,
            "gd_predicted": float(spectral_radius("gd", eta_gd, lam)),
            "gd_measured": empirical_rate(gd[:, i], skip=10),
            "momentum_predicted": float(spectral_radius("momentum", eta_m, lam, beta_m)),
            "momentum_measured": empirical_rate(mom[:, i], skip=10),
        })
    gd_rate = max(r["gd_predicted"] for r in rows)
    # the seed's code
    M = seed_code_matrix()
    seed_eigs = list(M.eigenvals())
    seed_rad = [float(max(abs(sp.N(e.subs({ETA: sp.Rational(1, 10), BETA: sp.Rational(9, 10),
                                          LAM: sp.Integer(2) ** -i})))
                          for e in seed_eigs)) for i in range(d)]
    sign_changes = int(np.sum(np.diff(np.sign(mom[:, 0])) != 0))
    answer = (
        f"f(x) = 1/2 sum_i 2^-i x_i^2 for i = 0..{d - 1} (condition number {lam_max / lam_min}), "
        "x_i = 1 at the start. Both methods act on each coordinate separately. Gradient "
        f"descent at its best step eta = {eta_gd:.4f} shrinks coordinate i by |1 - eta 2^-i| per "
        f"step: from {min(r['gd_predicted'] for r in rows):.4f} in the middle of the spectrum to "
        f"{rows[-1]['gd_predicted']:.4f} at both ends (measured {rows[0]['gd_measured']:.4f} "
        f"and {rows[-1]['gd_measured']:.4f}). Momentum with Polyak's tuning for the whole "
        f"spectrum (optheory.symbolic.tuning: eta = {tuned['eta']} = {eta_m:.4f}, beta = "
        f"{tuned['beta']} = {beta_m:.4f}) gives every coordinate the same rate "
        f"{tuned['rate']} = {rate_m:.4f}: predicted / measured per coordinate "
        + ", ".join(f"{r['momentum_predicted']:.3f} / {r['momentum_measured']:.3f}"
                    for r in rows)
        + f". After {steps} steps the slowest coordinate is {abs(gd[-1, -1]):.2e} with gradient "
        f"descent and {abs(mom[-1, -1]):.2e} with momentum; "
        + ("the price is oscillation of the large-eigenvalue coordinates, which overshoot and "
           f"ring (coordinate 0 changes sign {sign_changes} times). " if sign_changes else
           "no coordinate overshoots. ")
        + "The seed's code for this "
        "exercise writes x -= x - eta * v, which sets x to eta v instead of subtracting "
        f"eta v: its iteration matrix has eigenvalues {', '.join(str(e) for e in seed_eigs)}, "
        f"so with its eta = 0.1, beta = 0.9 coordinate 0 has rate {seed_rad[0]:.2f} and "
        + ("never decays; its plot is not that of momentum." if seed_rad[0] >= 1 else
           "decays, but not at momentum's rate.")
    )
    derivation = [latex_eq(r"(\eta^\star, \beta^\star, \rho^\star)",
                           sp.Tuple(tuned["eta"], tuned["beta"], tuned["rate"])),
                  latex_eq(r"R_{\text{seed code}}", M),
                  latex_eq(r"\operatorname{spec} R_{\text{seed code}}", sp.FiniteSet(*seed_eigs))]
    numbers = {"eigenvalues": lams, "eta_gd": eta_gd, "eta_momentum": eta_m,
               "beta_momentum": beta_m, "rate_momentum": rate_m, "rate_gd": gd_rate,
               "per_coordinate": rows, "final_gd": gd[-1], "final_momentum": mom[-1],
               "seed_code_rates": seed_rad, "condition_number": lam_max / lam_min,
               "optimal_exact": {k: str(v) for k, v in tuned.items()},
               "sign_changes_coordinate_0": sign_changes}

    def figures() -> dict[str, Any]:
        from optheory.exercises._plots import panels

        t = np.arange(steps + 1)
        return {"coordinates": panels(t, [
            ("gradient descent", {f"x{i}": gd[:, i] for i in range(d)}),
            ("momentum", {f"x{i}": mom[:, i] for i in range(d)}),
        ], xlabel="step", ylabel=r"$x_i$")}

    return Draft(answer, derivation, numbers, figures,
                 inputs={"steps": steps, "seed_eta": 0.1, "seed_beta": 0.9})


# --------------------------------------------------------------------------- 3
@exercise("momentum", 3, "Minimum and minimizer of a quadratic")
def quadratic(ctx: Context) -> Draft:
    a, b12, d, c1, c2 = sp.symbols("a b_12 d c_1 c_2", real=True)
    b0 = sp.Symbol("b", real=True)
    Q = sp.Matrix([[a, b12], [b12, d]])
    c = sp.Matrix([c1, c2])
    x_star, h_min = quadratic_minimizer(Q, c, b0)
    matches = (x_star - (-Q.inv() * c)).applyfunc(sp.simplify) == sp.zeros(2, 1)
    matches_min = sp.simplify(h_min - (b0 - (c.T * Q.inv() * c)[0, 0] / 2)) == 0
    residual, general = general_minimizer_identity()
    # numeric witness on an exact example: gradient descent reaches x*
    Qe, ce, be = [[3, 1], [1, 2]], [1, -2], 4
    xe, he = quadratic_minimizer(Qe, ce, be)
    prob = EigenQuadratic.from_matrix(np.array(Qe, float), np.array(ce, float), float(be))
    lam_max = float(np.max(np.linalg.eigvalsh(np.array(Qe, float))))
    end = run("gd", prob, [0.0, 0.0], 300, eta=1.0 / lam_max).x[-1]
    gap = float(np.max(np.abs(end - np.array(xe, dtype=float).ravel())))
    # without positive definiteness there is no minimum
    t = sp.Symbol("t", real=True)
    x1, x2 = sp.symbols("x1 x2", real=True)
    h_ind = sp.Rational(1, 2) * (x1**2 - x2**2)
    along = sp.limit(h_ind.subs({x1: 0, x2: t}), t, sp.oo)
    answer = (
        "The gradient is Q x + c; setting it to zero gives x* = -Q^{-1} c and substituting "
        "gives h(x*) = b - 1/2 c^T Q^{-1} c. Sympy derives both for a general symmetric 2x2 Q "
        f"(agreement with the closed forms: {matches and matches_min}) and proves for every "
        "dimension that h(x* + d) = h(x*) + 1/2 d^T Q d (residual "
        f"{residual}, {general}), so when Q is positive definite x* is the unique minimizer. "
        f"Example Q = {Qe}, c = {ce}, b = {be}: x* = ({xe[0]}, {xe[1]}), h* = {he}; gradient "
        f"descent ends within {gap:.1e} of x*. Positive definiteness is needed: for the "
        f"indefinite 1/2 (x1^2 - x2^2) the value along the x2 axis tends to {along}, so no "
        "minimum exists."
    )
    derivation = [latex_eq(r"x^\star", x_star), latex_eq(r"h(x^\star)", sp.simplify(h_min)),
                  latex_eq(r"h(x^\star + d) - h^\star - \tfrac12 d^\top Q d", residual)]
    numbers = {"symbolic_matches": bool(matches and matches_min), "general_n": general,
               "example_x_star": [xe[0], xe[1]], "example_h_min": he, "gd_gap": gap,
               "indefinite_limit": str(along)}
    return Draft(answer, derivation, numbers,
                 inputs={"Q": Qe, "c": ce, "b": be, "closed_form_half": 0.5})


# --------------------------------------------------------------------------- 4
def stationary_variance(method: str = "momentum") -> tuple[sp.Expr, tuple[sp.Symbol, ...]]:
    r"""Stationary :math:`\operatorname{Var} x` of a two-state linear method with N(0, sigma^2)
    gradient noise (``"momentum"``, or ``"ema"`` for the leaky-average form).

    The noisy step comes from the method's own step rule with the gradient
    :math:`\lambda x + \sigma\xi`; ``A`` and ``B`` are its derivatives in the
    state and in :math:`\xi`, and the covariance solves the discrete Lyapunov
    equation :math:`\Sigma = A \Sigma A^\top + B B^\top`.
    """
    step, _ = method_step(method)
    v, x, xi = sp.symbols("v x xi", real=True)
    sigma = sp.Symbol("sigma", positive=True)
    nxt = step((v, x), lambda y: LAM * y + sigma * xi)
    A = sp.Matrix([[sp.diff(e, s) for s in (v, x)] for e in nxt])
    Bm = sp.Matrix([sp.diff(e, xi) for e in nxt])
    p, q, r = sp.symbols("p q r")
    S = sp.Matrix([[p, q], [q, r]])
    eqs = (S - A * S * A.T - Bm * Bm.T).applyfunc(sp.expand)
    sol = sp.solve([eqs[0, 0], eqs[0, 1], eqs[1, 1]], [p, q, r], dict=True)[0]
    return sp.factor(sol[r]), (ETA, BETA, LAM, sigma)


@exercise("momentum", 4, "Stochastic and minibatch gradients with momentum")
def noisy_momentum(ctx: Context) -> Draft:
    var, (e, be, la, sg) = stationary_variance()
    var_fn = sp.lambdify((e, be, la, sg), var, "numpy")
    lam = 1.0
    configs = [(0.1, 0.0), (0.1, 0.5), (0.1, 0.9), (0.01, 0.9)]
    chains, burn, steps = 1000, 500, 1500
    rows = []
    for batch in (1, 10):
        sigma = 1.0 / np.sqrt(batch)  # the mean of b unit-variance gradient errors
        etas = np.repeat([c[0] for c in configs], chains)
        betas = np.repeat([c[1] for c in configs], chains)
        traj = run("momentum", NoisyQuadratic([lam], sigma, seed=batch),
                   [0.0], steps, eta=etas, beta=betas)
        xs = traj.x[burn:, :, 0].reshape(steps + 1 - burn, len(configs), chains)
        for k, (eta, beta) in enumerate(configs):
            measured = float(np.mean(xs[:, k] ** 2))
            predicted = float(var_fn(eta, beta, lam, sigma))
            rows.append({"batch": batch, "eta": eta, "beta": beta,
                         "effective_eta": eta * effective_weight(beta),
                         "predicted_variance": predicted, "measured_variance": measured,
                         "relative_error": abs(measured - predicted) / predicted})
    gd_var = sp.factor(var.subs(be, 0))
    small_eta = sp.simplify(sp.limit(var / e, e, 0))
    # momentum against plain SGD at the same eta: exactly, and in the limit of small eta
    ratio = sp.factor(var / gd_var)
    amplification = sp.factor(sp.limit(ratio, e, 0))
    # the same comparison at the same effective rate alpha = eta * sum_i beta^i
    alpha = sp.Symbol("alpha", positive=True)
    step_weight = effective_weight(be)
    (eta_of_alpha,) = sp.solve(sp.Eq(e * step_weight, alpha), e)
    same_effective = sp.factor(sp.limit(var.subs(e, eta_of_alpha) / gd_var.subs(e, alpha),
                                        alpha, 0))
    b_size = sp.Symbol("b", positive=True)
    minibatch = sp.simplify(var.subs(sg, sg / sp.sqrt(b_size)) / var)
    eta_used, beta_used = 0.1, 0.9
    at_values = {e: sp.Rational(str(eta_used)), be: sp.Rational(str(beta_used)),
                 la: to_exact(lam, "lam")}
    ratio_used = ratio.subs(at_values)
    amplification_used = amplification.subs(be, at_values[be])
    worst = max(r["relative_error"] for r in rows)
    by = {(r["batch"], r["eta"], r["beta"]): r for r in rows}
    answer = (
        "With noisy gradients g = lambda x + sigma xi the momentum iteration is a linear "
        "system driven by noise, and its stationary covariance solves a discrete Lyapunov "
        "equation. Sympy solves it from the update rule: Var x = "
        f"{var}; without momentum this is {gd_var}, and for small eta it behaves like "
        f"eta * ({small_eta}). So at a fixed eta momentum multiplies the noise floor by "
        f"{ratio}, which tends to {amplification} as eta -> 0 ({fmt(amplification_used)} at "
        f"beta = {beta_used}); at eta = {eta_used}, beta = {beta_used} and lambda = {lam:g} the "
        f"factor is {ratio_used} = {fmt(ratio_used)} (predicted "
        f"{fmt(by[(1, eta_used, beta_used)]['predicted_variance'])} vs "
        f"{fmt(by[(1, eta_used, 0.0)]['predicted_variance'])} without momentum). At a fixed "
        f"effective rate alpha = eta * ({step_weight}) the ratio to plain SGD with step alpha "
        f"tends to {same_effective} as alpha -> 0, so the floor is about the same "
        f"((eta, beta) = (0.01, 0.9), effective rate {by[(1, 0.01, 0.9)]['effective_eta']:.3g}: "
        f"{fmt(by[(1, 0.01, 0.9)]['predicted_variance'])}, against "
        f"{fmt(by[(1, 0.1, 0.0)]['predicted_variance'])} for plain SGD with eta = 0.1). A "
        "minibatch of b examples divides sigma^2 by b, and the floor changes by the factor "
        f"{minibatch}: "
        + ", ".join(f"b={r['batch']}, eta={r['eta']}, beta={r['beta']}: predicted "
                    f"{r['predicted_variance']:.4g}, measured {r['measured_variance']:.4g}"
                    for r in rows)
        + f" ({chains} chains, steps {burn}-{steps}, largest relative error {worst:.1%}). "
        "In practice momentum with noisy gradients takes the effective step "
        f"eta * ({step_weight}) from past gradients weighted by beta^i, noise included; "
        "larger minibatches, a smaller eta or a decaying eta are what lower the floor."
    )
    derivation = [latex_eq(r"\operatorname{Var}_\infty x", var),
                  latex_eq(r"\operatorname{Var}_\infty x\ (\beta = 0)", gd_var),
                  latex_eq(r"\lim_{\eta\to0} \operatorname{Var}_\infty x / \eta", small_eta),
                  latex_eq(r"\operatorname{Var}_\infty x / \operatorname{Var}_\infty x|_{\beta=0}",
                           ratio),
                  latex_eq(r"\lim_{\eta\to0} \operatorname{Var}_\infty x / "
                           r"\operatorname{Var}_\infty x|_{\beta=0}", amplification),
                  latex_eq(r"\lim_{\alpha\to0} \operatorname{Var}_\infty x|_{\eta \sum_i \beta^i = \alpha}"
                           r" / \operatorname{Var}_\infty x|_{\beta=0, \eta=\alpha}",
                           same_effective)]
    numbers = {"lambda": lam, "chains": chains, "burn_in": burn, "steps": steps,
               "variance_table": rows, "max_relative_error": worst,
               "amplification_small_eta": amplification,
               "amplification_small_eta_at_beta": float(amplification_used),
               "amplification_at_eta": float(ratio_used),
               "amplification_at": {"eta": eta_used, "beta": beta_used, "lambda": lam},
               "same_effective_rate_limit": same_effective, "minibatch_factor": minibatch}
    return Draft(answer, derivation, numbers)
