r"""Exercises of the section "Stochastic Gradient Descent".

1. learning-rate schedules on :math:`x_1^2 + 2x_2^2` with N(0, 1) gradient noise,
   with the exact mean-square recursion as the prediction;
2. additive gradient noise equals random shifts of the objective (sympy.stats);
3. sampling with and without replacement;
4. a coordinate with consistently larger gradients: per-coordinate scaling;
5. the local minima of :math:`x^2 (1 + \sin x)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp
from sympy import stats

from optheory.analysis.regression import regression_data, stationary_excess
from optheory.exercises._common import fmt, latex_eq
from optheory.exercises._registry import Context, Draft, exercise
from optheory.numeric.noisy import NoisyQuadratic
from optheory.numeric.run import run

X1, X2 = sp.symbols("x1 x2", real=True)
T = sp.Symbol("t", integer=True, positive=True)
X = sp.Symbol("x", real=True)


def moment_map() -> tuple[sp.Expr, sp.Expr, tuple[sp.Symbol, ...]]:
    r"""One noisy gradient step on :math:`\lambda x^2/2`: the maps of :math:`E x` and :math:`E x^2`.

    Derived with sympy.stats from :math:`x' = x - \eta(\lambda x + \sigma\xi)`,
    :math:`\xi \sim N(0, 1)`, for a fixed ``x``; by linearity the same maps
    act on the moments of a random ``x`` independent of :math:`\xi`.
    Returns ``(mean', second', (m, s, eta, lam, sigma))`` with ``m = E x``,
    ``s = E x^2``.
    """
    x, eta, lam, sigma, m, s = sp.symbols("x eta lam sigma m s", real=True)
    xi = stats.Normal("xi", 0, 1)
    nxt = x - eta * (lam * x + sigma * xi)
    mean = sp.expand(stats.E(nxt))
    second = sp.expand(stats.E(nxt**2))
    mean_m = mean.subs(x, m)
    second_s = sp.expand(second).subs(x**2, s)
    return mean_m, second_s, (m, s, eta, lam, sigma)


def _schedules() -> dict[str, sp.Expr]:
    return {
        "constant": sp.Integer(1),
        "exponential": sp.exp(-T / 10),
        "polynomial": (1 + T / 10) ** sp.Rational(-1, 2),
    }


def noisy_sgd(lam: np.ndarray, x0: np.ndarray, eta: Callable[[int], float], steps: int,
              chains: int, seed: int, sigma: float = 1.0) -> np.ndarray:
    r"""Squared distances :math:`\|x_t\|^2` of ``chains`` independent noisy SGD runs.

    :math:`x \leftarrow x - \eta_t(\lambda \odot x + \sigma\xi)`; returns shape (steps+1, chains).
    """
    rng = np.random.default_rng(seed)
    x = np.tile(np.asarray(x0, float), (chains, 1))
    out = [np.sum(x * x, axis=1)]
    for t in range(1, steps + 1):
        x = x - eta(t) * (lam * x + sigma * rng.standard_normal(x.shape))
        out.append(np.sum(x * x, axis=1))
    return np.array(out)


def expected_second_moments(lam: np.ndarray, x0: np.ndarray, eta: Callable[[int], float],
                            steps: int, sigma: float = 1.0) -> np.ndarray:
    """:math:`E x_{t,i}^2` per coordinate from the derived moment maps, exactly (no sampling).

    Returns shape (steps + 1, d).
    """
    mean_m, second_s, (m, s, e, la, sg) = moment_map()
    fm = sp.lambdify((m, e, la), mean_m, "numpy")
    fs = sp.lambdify((s, e, la, sg), second_s, "numpy")
    mu = np.asarray(x0, float).copy()
    sq = mu * mu
    out = [sq]
    for t in range(1, steps + 1):
        et = eta(t)
        mu, sq = fm(mu, et, lam), fs(sq, et, lam, sigma)
        out.append(sq)
    return np.array(out)


def predicted_square_distance(lam: np.ndarray, x0: np.ndarray, eta: Callable[[int], float],
                              steps: int, sigma: float = 1.0) -> np.ndarray:
    """:math:`E\\|x_t\\|^2` from the derived moment maps, exactly (no sampling)."""
    return np.asarray(expected_second_moments(lam, x0, eta, steps, sigma).sum(axis=1))


# --------------------------------------------------------------------------- 1
@exercise("sgd", 1, "Learning-rate schedules under gradient noise")
def schedules(ctx: Context) -> Draft:
    lam = np.array([2.0, 4.0])  # f = x1^2 + 2 x2^2
    x0 = np.array([-5.0, -2.0])
    eta0, steps, chains = 0.1, 1000, 500
    mean_m, second_s, (m, s, e, la, sg) = moment_map()
    v = sp.Symbol("v", positive=True)
    stationary = sp.solve(sp.Eq(v, second_s.subs(s, v)), v)[0]
    rows: dict[str, Any] = {}
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    checkpoints = [10, 50, 200, 1000]
    for k, (name, expr) in enumerate(_schedules().items()):
        fn = sp.lambdify(T, eta0 * expr, "math")
        squares = noisy_sgd(lam, x0, fn, steps, chains, seed=k)
        measured = np.sqrt(np.mean(squares, axis=1))
        predicted_sq = predicted_square_distance(lam, x0, fn, steps)
        predicted = np.sqrt(predicted_sq)
        # deviation of the mean square from the prediction in standard errors of that mean
        sem = np.std(squares, axis=1, ddof=1) / np.sqrt(chains)
        z = np.abs(np.mean(squares, axis=1) - predicted_sq)[checkpoints] / sem[checkpoints]
        total = sp.Sum(expr, (T, 1, sp.oo))
        total_sq = sp.Sum(expr**2, (T, 1, sp.oo))
        rows[name] = {
            "rms_distance": {str(c): float(measured[c]) for c in checkpoints},
            "predicted_rms_distance": {str(c): float(predicted[c]) for c in checkpoints},
            "sum_eta_finite": bool(total.is_convergent()),
            "sum_eta_squared_finite": bool(total_sq.is_convergent()),
            "max_deviation_in_standard_errors": float(np.max(z)),
        }
        curves[name] = (measured, predicted)
    floor = np.sqrt(sum(float(stationary.subs({e: eta0, la: float(li), sg: 1})) for li in lam))
    best = min(rows, key=lambda n: rows[n]["rms_distance"]["1000"])
    # within sampling error: every checkpoint within 3 standard errors of the prediction
    worst_z = max(r["max_deviation_in_standard_errors"] for r in rows.values())
    sum_exp = sp.summation(sp.exp(-T / 10), (T, 1, sp.oo))
    answer = (
        "Root-mean-square distance to (0, 0) over 500 noisy runs from (-5, -2), eta_t = 0.1 "
        "times the schedule, at t = 10 / 50 / 200 / 1000: "
        + "; ".join(f"{n}: " + " / ".join(fmt(r["rms_distance"][str(c)]) for c in checkpoints)
                    for n, r in rows.items())
        + ". The exact mean-square recursion E x' = (1 - eta lambda) E x, "
        "E x'^2 = (1 - eta lambda)^2 E x^2 + eta^2 (derived with sympy.stats) "
        + (f"predicts these curves within sampling error (at the checkpoints the measured mean "
           f"squares deviate by at most {worst_z:.2g} standard errors)" if worst_z < 3 else
           f"misses these curves: the measured mean squares deviate by up to {worst_z:.3g} "
           f"standard errors")
        + ". A constant rate stops at the noise floor "
        f"sqrt(sum_i eta/(lambda_i (2 - eta lambda_i))) = {floor:.3f}. The exponential schedule "
        f"has a finite total step sum_t eta_t = {eta0 * float(sum_exp):.4f}, so the mean stops "
        "moving before it reaches 0 and the distance freezes (at "
        f"{fmt(rows['exponential']['rms_distance']['1000'])}). The polynomial schedule has "
        "sum eta_t = infinity (keeps moving) while eta_t -> 0 (the noise floor sinks), so it "
        f"keeps improving slowly; after 1000 steps the smallest distance is the {best} "
        "schedule's. More iterations help only the schedules whose rates sum to infinity."
    )
    derivation = [
        latex_eq(r"E[x_{t+1}]", mean_m),
        latex_eq(r"E[x_{t+1}^2]", second_s),
        latex_eq(r"E[x_\infty^2]\ (\text{constant}\ \eta)", sp.factor(stationary)),
        latex_eq(r"\sum_{t\ge1} e^{-t/10}", sum_exp),
    ]
    numbers = {"eta0": eta0, "chains": chains, "steps": steps, "noise_floor": floor,
               "schedules": rows, "best_at_1000": best,
               "exponential_total_step": eta0 * float(sum_exp)}

    def figures() -> dict[str, Any]:
        from optheory.exercises._plots import lines

        t = np.arange(steps + 1)
        shown: dict[str, Any] = {}
        for name, (meas, pred) in curves.items():
            shown[f"{name} (measured)"] = (t[1:], meas[1:])
            shown[f"{name} (predicted)"] = (t[1:], pred[1:])
        return {"distance": lines(None, shown, xlabel="iteration t", logx=True, logy=True,
                                  ylabel=r"RMS $\|x_t\|$", hline=floor)}

    return Draft(answer, derivation, numbers, figures,
                 inputs={"start": list(x0), "checkpoints": checkpoints, "exp_scale": 10})


# --------------------------------------------------------------------------- 2
@exercise("sgd", 2, "Gradient noise as a randomly shifted objective")
def noise_equivalence(ctx: Context) -> Draft:
    s1, s2 = sp.symbols("sigma1 sigma2", positive=True)
    w1, w2 = stats.Normal("w1", 0, s1), stats.Normal("w2", 0, s2)
    f = X1**2 + 2 * X2**2
    F = (X1 - w1) ** 2 + 2 * (X2 - w2) ** 2
    grad_F = [sp.diff(F, v) for v in (X1, X2)]
    grad_f = [sp.diff(f, v) for v in (X1, X2)]
    mean_ok = all(sp.simplify(stats.E(g) - h) == 0 for g, h in zip(grad_F, grad_f, strict=True))
    noise = [sp.expand(g - h) for g, h in zip(grad_F, grad_f, strict=True)]
    noise_free_of_x = all(not (n.free_symbols & {X1, X2}) for n in noise)
    variances = [sp.simplify(stats.variance(n)) for n in noise]
    cov = sp.simplify(stats.covariance(noise[0], noise[1]))
    z = sp.Symbol("z", real=True)
    densities = [sp.simplify(stats.density(n)(z)) for n in noise]
    sol = sp.solve([sp.Eq(variances[0], 1), sp.Eq(variances[1], 1)], [s1, s2], dict=True)[0]
    expected_F = sp.expand(stats.E(F))
    offset = sp.simplify(expected_F - f)
    # numeric witness: the gradient noise at a point is N(0, I) for the derived scales
    rng = np.random.default_rng(7)
    n = 200_000
    x = np.array([-1.3, 0.7])
    ws = rng.standard_normal((n, 2)) * np.array([float(sol[s1]), float(sol[s2])])
    g = np.column_stack([2 * (x[0] - ws[:, 0]), 4 * (x[1] - ws[:, 1])])
    dev = g - np.array([2 * x[0], 4 * x[1]])
    emp_mean = dev.mean(axis=0)
    emp_cov = np.cov(dev.T)
    # Gaussian moments: skewness 0 and kurtosis 3 for each coordinate
    z_std = (dev - emp_mean) / dev.std(axis=0)
    skew = np.mean(z_std**3, axis=0)
    kurt = np.mean(z_std**4, axis=0)
    # and the two SGD processes, driven by independent random numbers, agree in law
    chains, steps, eta = 4000, 30, 0.1
    a = run("gd", NoisyQuadratic([2.0, 4.0], 1.0, seed=1), [-5.0, -2.0], steps,
            eta=[eta] * chains).x[-1]
    shifted = _ShiftedObjective(float(sol[s1]), float(sol[s2]), seed=2)
    b = run("gd", shifted, [-5.0, -2.0], steps, eta=[eta] * chains).x[-1]
    answer = (
        "For f(x, w) = (x1 - w1)^2 + 2 (x2 - w2)^2 the gradient in x is "
        f"({grad_F[0]}, {grad_F[1]}) = grad f(x) + ({noise[0]}, {noise[1]}). The second term "
        "does not depend on x and is a linear image of the Gaussian w, hence Gaussian with mean "
        f"0, variances {variances[0]} and {variances[1]} and covariance {cov}; sympy.stats "
        f"confirms E_w grad f(x, w) = grad f(x) ({mean_ok}). Choosing sigma1 = {sol[s1]} and "
        f"sigma2 = {sol[s2]} makes the noise exactly N(0, I), the noise of the section's "
        "experiment, so a stochastic gradient step on f(x, w) with fresh w is in law the same "
        "step as on f with added N(0, I) noise, and since E_w f(x, w) = f(x) + "
        f"{offset} the two objectives share their minimizer. Witnesses: 200000 samples give "
        f"noise mean ({emp_mean[0]:.4f}, {emp_mean[1]:.4f}), covariance diagonal "
        f"({emp_cov[0, 0]:.4f}, {emp_cov[1, 1]:.4f}), off-diagonal {emp_cov[0, 1]:.4f}, "
        f"skewness ({skew[0]:.3f}, {skew[1]:.3f}) and kurtosis ({kurt[0]:.3f}, {kurt[1]:.3f}) as "
        f"for a normal law (0 and 3); {chains} runs of {steps} "
        "steps of each process with independent random numbers end with means "
        f"({a[:, 0].mean():.3f}, {a[:, 1].mean():.3f}) and ({b[:, 0].mean():.3f}, "
        f"{b[:, 1].mean():.3f}), variances ({a[:, 0].var():.4f}, {a[:, 1].var():.4f}) and "
        f"({b[:, 0].var():.4f}, {b[:, 1].var():.4f})."
    )
    derivation = [
        latex_eq(r"\nabla_x f(x, w)", sp.Matrix(grad_F)),
        latex_eq(r"\nabla_x f(x, w) - \nabla f(x)", sp.Matrix(noise)),
        latex_eq(r"p_{\xi_1}(z)", densities[0]),
        latex_eq(r"p_{\xi_2}(z)", densities[1]),
        latex_eq(r"E_w f(x, w)", expected_F),
        latex_eq(r"(\sigma_1, \sigma_2)", sp.Tuple(sol[s1], sol[s2])),
    ]
    numbers = {
        "mean_matches_gradient": mean_ok, "noise_independent_of_x": noise_free_of_x,
        "noise_variances": variances, "noise_covariance": cov,
        "sigma1": sol[s1], "sigma2": sol[s2], "objective_offset": offset,
        "samples": n, "empirical_mean": emp_mean, "empirical_cov": emp_cov,
        "skewness": skew, "kurtosis": kurt,
        "process_additive_noise": {"mean": a.mean(axis=0), "var": a.var(axis=0)},
        "process_shifted_objective": {"mean": b.mean(axis=0), "var": b.var(axis=0)},
        "chains": chains, "steps": steps,
    }
    return Draft(answer, derivation, numbers)


class _ShiftedObjective:
    """The problem f(x, w) with fresh w ~ N(0, diag(s1^2, s2^2)) at every gradient call."""

    dim, backend, device, dtype = 2, "numpy", "cpu", "float64"

    def __init__(self, s1: float, s2: float, seed: int) -> None:
        self.scale = np.array([s1, s2])
        self.rng = np.random.default_rng(seed)

    def f(self, x: Any) -> Any:
        x = np.asarray(x, float)
        return x[..., 0] ** 2 + 2 * x[..., 1] ** 2

    def grad(self, x: Any) -> Any:
        x = np.asarray(x, float)
        w = self.rng.standard_normal(x.shape) * self.scale
        return np.stack([2 * (x[..., 0] - w[..., 0]), 4 * (x[..., 1] - w[..., 1])], axis=-1)


# --------------------------------------------------------------------------- 3
@exercise("sgd", 3, "Sampling with and without replacement")
def replacement(ctx: Context) -> Draft:
    data = regression_data(ctx.data_path)
    etas = [0.001, 0.003, 0.01, 0.03]
    floors = {replace: stationary_excess(data, batch=1, etas=etas, replace=replace, seed=3)
              for replace in (False, True)}
    rows = []
    for k, eta in enumerate(etas):
        (wo, wo_se), (wi, wi_se) = ((float(m[k]), float(e[k])) for m, e in
                                    (floors[False], floors[True]))
        rows.append({"eta": eta, "excess_without": wo, "se_without": wo_se,
                     "excess_with": wi, "se_with": wi_se, "ratio": wi / wo})
    nsym = sp.Symbol("n", positive=True, integer=True)
    unseen = (1 - 1 / nsym) ** nsym
    unseen_n = float(unseen.subs(nsym, data.n))
    limit = sp.limit(unseen, nsym, sp.oo)
    rng = np.random.default_rng(11)
    draws = rng.integers(0, data.n, size=(200, data.n))
    unseen_measured = float(np.mean([1 - np.unique(d).size / data.n for d in draws]))
    ratio_text = ", ".join(f"{r['ratio']:.2f}" for r in rows)
    slope_with = float(np.polyfit(np.log(etas), np.log([r["excess_with"] for r in rows]), 1)[0])
    slope_without = float(np.polyfit(np.log(etas[:2]),
                                     np.log([r["excess_without"] for r in rows[:2]]), 1)[0])
    answer = (
        f"Batch-size-1 SGD with a constant rate on {data.describe()}, started at the minimizer "
        "so that what is measured is the noise floor: the excess loss L - L* averaged over "
        "epochs 2-3 and 16 sampling streams. Sampling with replacement leaves a fraction "
        f"(1 - 1/n)^n of the examples unseen in each epoch, {unseen_n:.4f} for n = {data.n} "
        f"(limit {limit} = {float(limit):.4f}; measured {unseen_measured:.4f}), and repeats "
        "others. Excess loss without vs with replacement: "
        + ", ".join(f"eta = {r['eta']}: {r['excess_without']:.2e} vs {r['excess_with']:.2e}"
                    for r in rows)
        + f" (ratios {ratio_text}). "
        + ("Going through a permutation is never measurably worse and clearly better at small "
           "rates. "
           if all(r["ratio"] > 0.95 for r in rows) and rows[0]["ratio"] > 1.2
           else "The comparison is not uniform over the rates tried. ")
        + "With replacement the floor is proportional to eta (fitted exponent "
        f"{slope_with:.2f}): every step adds independent noise. Without replacement the "
        "per-example errors of one epoch sum to zero (they add up to the full gradient), so "
        "they cancel within an epoch and the floor falls faster as eta shrinks (exponent "
        f"{slope_without:.2f} between the two smallest rates); when eta n lambda is large the "
        "iterate forgets the start of the epoch before it ends and the two schemes coincide."
    )
    derivation = [latex_eq(r"P(\text{example unseen in an epoch})", unseen),
                  latex_eq(r"\lim_{n\to\infty} (1 - 1/n)^n", limit)]
    numbers = {"data": data.source, "epochs": 3, "replicas": 16,
               "min_loss": data.min_loss(), "by_eta": rows,
               "unseen_fraction_exact": unseen_n, "unseen_fraction_measured": unseen_measured,
               "unseen_fraction_limit": float(limit),
               "exponent_with": slope_with, "exponent_without_small_eta": slope_without}

    def figures() -> dict[str, Any]:
        from optheory.exercises._plots import lines

        return {"noise_floor": lines(etas, {
            "without replacement": [r["excess_without"] for r in rows],
            "with replacement": [r["excess_with"] for r in rows],
        }, xlabel=r"$\eta$", ylabel="stationary excess loss", logx=True, logy=True)}

    from optheory.exercises.minibatch_sgd import data_inputs, data_note

    return Draft(answer, derivation, numbers, figures, data_note(data),
                 inputs=data_inputs(data))


# --------------------------------------------------------------------------- 4
@exercise("sgd", 4, "One coordinate with consistently larger gradients")
def large_coordinate(ctx: Context) -> Draft:
    from optheory.exercises.gd import _gd_rate

    lams = [sp.Integer(20), sp.Rational(1, 5)]
    rate, eta_best, rate_best = _gd_rate(lams)
    curvatures = [float(v) for v in lams]
    x0 = [1.0, 1.0]
    grid = [0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
    chains, steps, sigma = 100, 200, 0.1
    methods: dict[str, tuple[str, dict[str, Any]]] = {
        "sgd": ("gd", {}), "rmsprop": ("rmsprop", {"gamma": 0.9}),
               "adagrad": ("adagrad", {})}
    table: dict[str, Any] = {}
    for name, (method, extra) in methods.items():
        etas = np.repeat(grid, chains)
        # a fresh generator per method: every method sees the same noise sequence
        traj = run(method, NoisyQuadratic(curvatures, sigma, seed=5), x0, steps, eta=etas,
                   **extra)
        final = np.asarray(traj.loss[-1]).reshape(len(grid), chains)
        with np.errstate(invalid="ignore"):
            means = [float(np.mean(row)) if np.all(np.isfinite(row)) else float("inf")
                     for row in final]
        k = int(np.argmin(means))
        table[name] = {"best_eta": grid[k], "mean_loss": means[k], "by_eta": means}
    ratio = float(lams[0] / lams[1])
    answer = (
        f"Take f = 10 x1^2 + 0.1 x2^2 (curvatures 20 and 1/5): at equal distance the x1 "
        f"gradient is {ratio:.0f} times larger, and it caps the learning rate at 2/20 = "
        f"{2 / float(lams[0]):.2f}, so x2 crawls: the best single rate eta = {eta_best} still "
        f"contracts only by {rate_best} = {float(rate_best):.4f} per step. The remedy is a "
        "per-coordinate step: divide each coordinate by a running estimate of its gradient "
        "size (AdaGrad's sum or RMSProp's leaky average of g^2), or rescale the features that "
        f"cause it. Mean loss after {steps} noisy steps (noise sd {sigma}, {chains} runs, each "
        f"method at its best rate from {grid}): SGD {table['sgd']['mean_loss']:.2e} (eta = "
        f"{table['sgd']['best_eta']}), RMSProp {table['rmsprop']['mean_loss']:.2e} (eta = "
        f"{table['rmsprop']['best_eta']}), AdaGrad {table['adagrad']['mean_loss']:.2e} (eta = "
        f"{table['adagrad']['best_eta']})."
    )
    derivation = [latex_eq(r"\rho(\eta)", rate), latex_eq(r"\eta^\star", eta_best),
                  latex_eq(r"\rho(\eta^\star)", rate_best)]
    numbers = {"curvatures": lams, "eta_best_sgd_theory": eta_best, "rate_best": rate_best,
               "grid": grid, "steps": steps, "noise_sd": sigma, "chains": chains,
               "methods": table}
    return Draft(answer, derivation, numbers)


# --------------------------------------------------------------------------- 5
def _local_minima(expr: sp.Expr, lo: float, hi: float, points: int) -> list[float]:
    """Local minimizers in [lo, hi]: sign changes of f' from - to +, refined by bisection."""
    fp = sp.lambdify(X, sp.diff(expr, X), "numpy")
    grid = np.linspace(lo, hi, points)
    d = fp(grid)
    out = []
    for i in np.flatnonzero((d[:-1] < 0) & (d[1:] >= 0)):
        a, b = grid[i], grid[i + 1]
        for _ in range(60):
            m = 0.5 * (a + b)
            if fp(m) < 0:
                a = m
            else:
                b = m
        out.append(0.5 * (a + b))
    return out


@exercise("sgd", 5, "The local minima of x^2 (1 + sin x)")
def many_minima(ctx: Context) -> Draft:
    f = X**2 * (1 + sp.sin(X))
    k = sp.Symbol("k", integer=True)
    zeros = sp.solveset(sp.sin(X) + 1, X, sp.S.Reals)
    at_zero = sp.simplify(f.subs(X, sp.Rational(3, 2) * sp.pi + 2 * sp.pi * k))
    # f >= 0: both factors have minimum 0 over the reals
    factor_minima = [sp.minimum(X**2, X, sp.S.Reals), sp.minimum(1 + sp.sin(X), X, sp.S.Reals)]
    nonneg = all(v == 0 for v in factor_minima)
    L = 40 * float(sp.pi)
    minima = _local_minima(f, -L, L, 400_001)
    f_num = sp.lambdify(X, f, "numpy")
    values = f_num(np.array(minima))
    expected = [0.0] + [float(3 * sp.pi / 2 + 2 * sp.pi * j) for j in range(-20, 20)]
    expected = sorted(v for v in expected if -L <= v <= L)
    match = len(minima) == len(expected) and bool(
        np.max(np.abs(np.array(minima) - np.array(expected))) < 1e-6)
    # a modification whose minima all differ, with no pattern to exploit
    g = 1 + sp.sin(X) + sp.Rational(1, 10) * sp.cos(sp.sqrt(2) * X)
    g_min = _local_minima(g, 0.0, 200 * float(sp.pi), 400_001)
    g_vals = sp.lambdify(X, g, "numpy")(np.array(g_min))
    best = int(np.argmin(g_vals))
    corr = float(np.corrcoef(np.arange(len(g_vals)), g_vals)[0, 1])
    answer = (
        "f(x) = x^2 (1 + sin x) is a product of two non-negative factors, so f >= 0, and f = 0 "
        f"exactly at x = 0 and where sin x = -1, i.e. at x = 3 pi/2 + 2 pi k for every integer k "
        f"(sympy solves sin x = -1 to this set, and f(3 pi/2 + 2 pi k) = "
        f"{at_zero}). Every one of these points is a global, hence local, minimum, so f has "
        "infinitely many local minima, all with the value 0. A scan of f' over "
        f"[-40 pi, 40 pi] finds {len(minima)} local minima, "
        + ("exactly those zeros (no other local minimum: between two zeros f rises to a single "
           "maximum)" if match else "not exactly the zeros of f")
        + f" (largest value found {float(np.max(values)):.1e}). To force a search through all "
        "minima, make their values differ without a pattern, e.g. g(x) = 1 + sin x + "
        "cos(sqrt 2 x)/10: its minima sit near the zeros of 1 + sin x, but their values follow "
        "the irrational rotation sqrt 2 x mod 2 pi. On [0, 200 pi] it has "
        f"{len(g_min)} local minima with values from {g_vals.min():.4f} to {g_vals.max():.4f}; "
        f"the lowest is number {best + 1} at x = {g_min[best]:.3f}, and the values are "
        + (f"uncorrelated with the position (correlation {corr:.2f}), so nothing short of "
           "evaluating every minimum certifies the lowest one." if abs(corr) < 0.1 else
           f"correlated with the position (correlation {corr:.2f}).")
    )
    derivation = [
        latex_eq(r"\{x : \sin x = -1\}", zeros),
        latex_eq(r"f(\tfrac{3\pi}{2} + 2\pi k)", at_zero),
        latex_eq(r"f'(x)", sp.diff(f, X)),
    ]
    numbers = {"window": [-L, L], "minima_found": len(minima), "minima_are_the_zeros": match,
               "max_value_at_minima": float(np.max(values)), "nonnegative": nonneg,
               "factor_minima": factor_minima,
               "modified_minima": len(g_min), "modified_best_index": best + 1,
               "modified_best_x": g_min[best], "modified_values_range": [g_vals.min(),
                                                                          g_vals.max()],
               "modified_position_correlation": corr}

    def figures() -> dict[str, Any]:
        from optheory.exercises._plots import lines

        xs = np.linspace(-30, 30, 3000)
        return {"function": lines(xs, {"x^2 (1 + sin x)": f_num(xs)}, xlabel="x",
                                  ylabel="f(x)")}

    return Draft(answer, derivation, numbers, figures,
                 inputs={"zeros": [3, 2], "window_pi": [40, 200], "g_coefficient": 10})
