"""Adaptive methods on lam/2 x^2: derived closed forms against oracles and real runs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import sympy as sp

from optheory.numeric.noisy import NoisyQuadratic
from optheory.numeric.problems import EigenQuadratic, textbook_2d
from optheory.numeric.run import run
from optheory.symbolic import adaptive as ad
from tests.conftest import require_torch

ETA, LAM, EPS, GAMMA = ad.ETA, ad.LAM, ad.EPS, ad.GAMMA


# ------------------------------------------------------ (a) free of lam
@pytest.mark.parametrize("method", ad.METHODS)
def test_iterates_do_not_depend_on_lam_without_eps(method: str) -> None:
    assert ad.lam_derivatives(method, 3) == [0, 0, 0]
    # with eps > 0 the curvature matters again (the test can fail)
    assert ad.lam_derivatives(method, 1, eps=sp.Rational(1, 10))[0] != 0


def test_scalar_iterates_match_project_runs() -> None:
    # numeric substitution of the derived iterates vs the project's textbook runs:
    # 3 float64 steps, O(1) values -> 1e-12.
    hyper = {"eta": 0.1, "gamma": 0.9, "beta1": 0.9, "beta2": 0.999}
    for method, keys in (("adagrad", ["eta"]), ("rmsprop", ["eta", "gamma"]),
                         ("adam", ["eta", "beta1", "beta2"])):
        xs = ad.scalar_iterates(method, 3, x0=1, lam=3, eps=sp.Rational(1, 1000000),
                                **{k: hyper[k] for k in keys})
        eps = 1e-6
        chosen: dict[str, Any] = {k: hyper[k] for k in keys}
        traj = run(method, EigenQuadratic([3.0]), [1.0], 3, eps=eps, **chosen)
        np.testing.assert_allclose([float(x) for x in xs], traj.x[1:, 0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["adagrad", "rmsprop", "adam"])
def test_torch_trajectories_identical_across_lam(method: str) -> None:
    # torch.optim with eps = 0 on lam/2 x^2 for three curvatures: the trajectories must
    # coincide; they differ only by rounding of lam*x / sqrt(lam^2 ...), ~1e-16 per
    # step relative, over 30 steps -> 1e-12.
    torch = require_torch()
    make = {
        "adagrad": lambda ps: torch.optim.Adagrad(ps, lr=0.1, eps=0.0, foreach=False),
        "rmsprop": lambda ps: torch.optim.RMSprop(ps, lr=0.1, alpha=0.9, eps=0.0, foreach=False),
        "adam": lambda ps: torch.optim.Adam(ps, lr=0.1, eps=0.0, foreach=False),
    }[method]
    runs = []
    for lam in (0.5, 3.0, 20.0):
        p = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
        opt = make([p])
        xs = []
        for _ in range(30):
            p.grad = lam * p.detach().clone()
            opt.step()
            xs.append(p.item())
        runs.append(np.array(xs))
    np.testing.assert_allclose(runs[1], runs[0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(runs[2], runs[0], rtol=0, atol=1e-12)


# ------------------------------------------------------ (b) the 2-cycle
def test_two_cycle_symbolic_forms() -> None:
    cyc = ad.rmsprop_two_cycle()
    assert sp.simplify(cyc.amplitude**2 - (ETA**2 / 4 - EPS / LAM**2)) == 0
    assert sp.simplify(cyc.stationary_s - LAM**2 * cyc.amplitude**2) == 0
    eps_pos = EPS
    assert sp.simplify(cyc.threshold_eta - 2 * sp.sqrt(eps_pos) / LAM) == 0
    assert sp.simplify(cyc.origin_factor - (1 - ETA * LAM / sp.sqrt(eps_pos))) == 0
    # the cycle is born exactly where the origin loses stability
    assert cyc.origin_stable_below is not None and cyc.threshold_eta is not None
    assert sp.simplify(cyc.origin_stable_below - cyc.threshold_eta) == 0
    zero = ad.rmsprop_two_cycle(eps=0)
    assert zero.amplitude == ETA / 2 and zero.threshold_eta is None
    z = sp.Symbol("z")
    assert sp.expand(zero.cycle_charpoly - (z**2 - (9 * GAMMA**2 - 8 * GAMMA + 1) * z + GAMMA**2)) == 0


def test_two_cycle_is_always_locally_stable() -> None:
    # Jury for z^2 + a1 z + a0 (oracle identities): 1 - a0 = 1 - gamma^2 > 0; the third
    # quantity is a sum of squares in w = eps/(eta lam)^2, the second a product of
    # positive factors for eta lam > 2 sqrt(eps).
    cyc = ad.rmsprop_two_cycle()
    eps_pos = EPS
    j0, j1, j2 = cyc.cycle_jury
    assert sp.simplify(j0 - (1 - GAMMA**2)) == 0
    w = eps_pos / (ETA * LAM) ** 2
    square_sum = (8 * (1 - GAMMA) * w - (1 - 3 * GAMMA)) ** 2 + (1 - GAMMA) ** 2
    assert sp.simplify(j2 - square_sum) == 0
    product = 8 * (ETA**2 * LAM**2 - 4 * eps_pos) * (1 - GAMMA) * (
        2 * eps_pos * (1 - GAMMA) + ETA**2 * GAMMA * LAM**2) / (ETA * LAM) ** 4
    assert sp.simplify(j1 - product) == 0
    assert ad.rmsprop_two_cycle(0.4, 4, 1e-6, 0.9).cycle_stable is True


@pytest.mark.parametrize(
    ("eta", "lam", "eps", "gamma", "x0"),
    [(0.4, 4.0, 1e-6, 0.9, -2.0), (0.4, 0.2, 1e-6, 0.9, -5.0), (0.5, 1.0, 0.01, 0.5, 1.0)],
)
def test_long_rmsprop_run_lands_on_the_derived_cycle(
    eta: float, lam: float, eps: float, gamma: float, x0: float
) -> None:
    cyc = ad.rmsprop_two_cycle(eta, lam, eps, gamma)
    amp, s_star, rho = float(cyc.amplitude), float(cyc.stationary_s), cyc.cycle_spectral_radius
    assert rho is not None and cyc.cycle_stable
    traj = run("rmsprop", EigenQuadratic([lam]), [x0], 3000, eta=eta, gamma=gamma, eps=eps)
    x = traj.x[:, 0]
    s = np.zeros_like(x)
    for t in range(1, x.size):
        s[t] = gamma * s[t - 1] + (1 - gamma) * (lam * x[t - 1]) ** 2
    dev = np.hypot(np.abs(x) - amp, s - s_star)
    # Near the cycle the distance shrinks by sqrt(rho) per step (rho = derived spectral
    # radius of the 2-step Jacobian, <= 0.9 here); the runs enter a 1e-4 neighbourhood
    # before step 600, so by step 3000 the gap is far below float64 rounding: 1e-12.
    assert abs(abs(x[-1]) - amp) < 1e-12 and abs(x[-1] + x[-2]) < 1e-12
    # the measured contraction in the asymptotic window matches the derived rate (2%)
    window = np.nonzero((dev > 1e-11) & (dev < 1e-4))[0]
    assert window.size > 20
    slope = np.polyfit(window, np.log(dev[window]), 1)[0]
    assert np.exp(slope) == pytest.approx(np.sqrt(rho), rel=0.02)


def test_below_threshold_rmsprop_converges_to_zero() -> None:
    # eta = 0.9 * 2 sqrt(eps)/lam: the origin's factor is 1 - 1.8 = -0.8, stable; the
    # iterate then shrinks by ~0.8 per step once s has decayed (gamma^t), so 3000 steps
    # reach below 1e-100.
    lam, eps, gamma = 1.0, 0.01, 0.9
    cyc = ad.rmsprop_two_cycle(0.1, lam, eps, gamma)
    assert cyc.threshold_eta is not None
    eta = 0.9 * float(cyc.threshold_eta)
    factor = ad.rmsprop_two_cycle(eta, lam, eps, gamma).origin_factor
    assert factor is not None and float(factor) == pytest.approx(-0.8)
    traj = run("rmsprop", EigenQuadratic([lam]), [1.0], 3000, eta=eta, gamma=gamma, eps=eps)
    assert abs(traj.x[-1, 0]) < 1e-100


def test_textbook_rmsprop_demo_ends_in_two_cycles() -> None:
    # The RMSProp demo (eta 0.4, gamma 0.9, eps 1e-6 on 0.1 x1^2 + 2 x2^2) looks converged
    # at step 20 (x2 ~ 1e-14) but both coordinates later settle on the derived 2-cycles.
    prob = textbook_2d()
    short = run("rmsprop", prob, [-5.0, -2.0], 20, eta=0.4, gamma=0.9, eps=1e-6)
    assert short.x[-1, 0] == pytest.approx(-0.010599, abs=1e-6) and abs(short.x[-1, 1]) < 1e-6
    long = run("rmsprop", prob, [-5.0, -2.0], 3000, eta=0.4, gamma=0.9, eps=1e-6)
    for coord, lam in enumerate((0.2, 4.0)):
        amp = float(ad.rmsprop_two_cycle(0.4, lam, 1e-6, 0.9).amplitude)
        assert abs(long.x[-1, coord]) == pytest.approx(amp, abs=1e-12)  # as above


def test_no_cycle_below_the_threshold() -> None:
    # eta = 0.1 < 2 sqrt(eps)/lam = 2: the amplitude would be sqrt(399) i / 20 (imaginary) and the
    # accumulator negative; only the origin's side is reported
    below = ad.rmsprop_two_cycle(0.1, 1, 1, 0.9)
    assert below.exists is False and below.threshold_eta == 2
    assert below.amplitude is None and below.stationary_s is None
    assert below.cycle_spectral_radius is None and below.cycle_stable is None
    assert below.origin_factor is not None and float(below.origin_factor) == pytest.approx(0.9)
    above = ad.rmsprop_two_cycle(3, 1, 1, 0.9)
    assert above.exists is True and above.amplitude == sp.sqrt(5) / 2
    assert ad.rmsprop_two_cycle().exists is None  # symbols: undecided
    assert ad.rmsprop_two_cycle(0.1, 1, 0, 0.9).exists is True  # eps = 0: always


def test_two_cycle_bad_input() -> None:
    with pytest.raises(ValueError, match="gamma"):
        ad.rmsprop_two_cycle(0.1, 1, 0, 1)
    with pytest.raises(ValueError, match="eps"):
        ad.rmsprop_two_cycle(0.1, 1, -1e-6, 0.9)
    with pytest.raises(ValueError, match="method"):
        ad.scalar_iterates("sgd")


# -------------------------------------------------- (c) gamma -> 1 vs AdaGrad
def test_accumulator_series_and_rescaling() -> None:
    series, qs = ad.rmsprop_accumulator_series(4)
    delta = ad.DELTA
    t = len(qs)
    oracle = delta * sum(qs) - delta**2 * sum((t - j) * q for j, q in enumerate(qs, start=1))
    assert sp.expand(series - oracle) == 0
    mapped = ad.rmsprop_as_adagrad()
    assert sp.simplify(mapped["eta"] - ETA / sp.sqrt(1 - GAMMA)) == 0
    assert sp.simplify(mapped["eps"] - EPS / (1 - GAMMA)) == 0
    exact = ad.rmsprop_as_adagrad(sp.Rational(1, 100), sp.Rational(99, 100), 0)
    assert exact == {"eta": sp.Rational(1, 10), "eps": 0}


def test_rmsprop_near_one_tracks_rescaled_adagrad() -> None:
    # AdaGrad (eta_a, eps_a) fixed; RMSProp gets the rate and eps that the derived map
    # sends to (eta_a, eps_a).  Over 100 steps the accumulators differ relatively by
    # <= delta t (second-order term of the series), so the trajectory gap is O(delta):
    # shrinking delta tenfold must shrink it tenfold (+-20%), and it stays below delta t.
    prob = EigenQuadratic([0.5, 2.0], basis="random", seed=4)
    x0, steps, eta_a, eps_a = [1.0, 1.0], 100, 0.1, 1e-6
    ada = run("adagrad", prob, x0, steps, eta=eta_a, eps=eps_a)
    gaps = []
    for delta in (1e-3, 1e-4):
        gamma = 1 - delta
        scale = ad.rmsprop_as_adagrad(1, gamma, 1)  # linear in eta and in eps
        rms = run("rmsprop", prob, x0, steps, eta=eta_a / float(scale["eta"]), gamma=gamma,
                  eps=eps_a / float(scale["eps"]))
        gaps.append(float(np.max(np.abs(rms.x - ada.x))))
        assert gaps[-1] < delta * steps
    assert gaps[0] / gaps[1] == pytest.approx(10.0, rel=0.2)


# ----------------------------------------------------------- (d) AdaGrad
def test_adagrad_deterministic_converges_linearly() -> None:
    # Deterministic lam/2 x^2: the accumulator converges, and the per-step ratio
    # approaches the derived factor 1 - eta lam / sqrt(s_inf + eps) (here 0.69...).
    lam, eta, eps, steps = 1.0, 0.5, 1e-6, 300
    traj = run("adagrad", EigenQuadratic([lam]), [1.0], steps, eta=eta, eps=eps)
    x = traj.x[:, 0]
    s = np.cumsum((lam * x[:-1]) ** 2)
    assert s[-1] - s[-50] < 1e-12 * s[-1]  # converged accumulator
    factor = float(ad.adagrad_step_factor(eta, lam, float(s[-1]), eps))
    ratios = x[201:251] / x[200:250]
    np.testing.assert_allclose(ratios, factor, rtol=1e-9)
    assert 0 < factor < 1
    # the effective rate stops decaying: slope of log(eta/sqrt(s_t)) vs log t ~ 0
    t = np.arange(1, steps + 1)
    sel = t >= 30
    slope = np.polyfit(np.log(t[sel]), np.log(eta / np.sqrt(s[sel] + eps)), 1)[0]
    assert abs(slope - float(ad.adagrad_rate_exponent(False))) < 0.01


def test_adagrad_noisy_rate_decays_like_inverse_sqrt() -> None:
    # g = lam x + N(0, sigma^2), 10^4 steps, seed 0: s_t ~ sigma^2 t, so the slope of
    # log(eta/sqrt(s_t)) vs log t is the derived -1/2; the fit over t in [100, 10^4] has
    # sampling error ~ 1/sqrt(100) in s at the left end, well inside 0.05.
    rng = np.random.default_rng(0)
    lam, eta, eps, sigma, steps = 1.0, 0.5, 1e-6, 1.0, 10_000
    noise = sigma * rng.standard_normal(steps)
    x, s = 1.0, 0.0
    acc = np.empty(steps)
    for k in range(steps):
        g = lam * x + noise[k]
        s += g * g
        x -= eta * g / np.sqrt(s + eps)
        acc[k] = s
    t = np.arange(1, steps + 1)
    sel = t >= 100
    slope = np.polyfit(np.log(t[sel]), np.log(eta / np.sqrt(acc[sel] + eps)), 1)[0]
    assert ad.adagrad_rate_exponent(True) == sp.Rational(-1, 2)
    assert abs(slope - float(ad.adagrad_rate_exponent(True))) < 0.05


def test_adagrad_accumulator_bounds_are_derived() -> None:
    det = ad.adagrad_accumulator_bounds(False)
    r, t, lam, x0 = ad.RATIO_BOUND, det.t, ad.LAM, ad.X0
    # oracles: s_t <= sum_{k<t} (lam x0 r^k)^2 = lam^2 x0^2 (1 - r^(2t)) / (1 - r^2) -> finite
    assert sp.simplify(det.upper - lam**2 * x0**2 * (1 - r ** (2 * t)) / (1 - r**2)) == 0
    assert sp.simplify(det.upper_limit - lam**2 * x0**2 / (1 - r**2)) == 0
    assert det.lower == lam**2 * x0**2 and det.lower_limit == lam**2 * x0**2
    assert det.exponent == 0
    noisy = ad.adagrad_accumulator_bounds(True)
    m, M, s2 = ad.SECOND_MOMENT, ad.MOMENT_BOUND, ad.SIGMA2
    # oracle: E (lam x + sigma xi)^2 = lam^2 E x^2 + sigma^2, summed over t steps
    assert sp.expand(noisy.squared_gradient - (lam**2 * m + s2)) == 0
    assert sp.simplify(noisy.lower - s2 * noisy.t) == 0
    assert sp.simplify(noisy.upper - (lam**2 * M + s2) * noisy.t) == 0
    assert noisy.lower_limit == sp.oo and noisy.exponent == sp.Rational(-1, 2)


def test_adagrad_accumulator_bounds_hold_on_runs() -> None:
    # exact gradients: the run's largest |x_{k+1}/x_k| is the r of the bound
    lam, eta, eps, steps, x0 = 1.0, 0.5, 1e-6, 300, 1.0
    x = run("adagrad", EigenQuadratic([lam]), [x0], steps, eta=eta, eps=eps).x[:, 0]
    s = np.cumsum((lam * x[:-1]) ** 2)
    r = float(np.max(np.abs(x[1:] / x[:-1])))
    det = ad.adagrad_accumulator_bounds(False)
    values = {ad.RATIO_BOUND: r, ad.LAM: lam, ad.X0: x0}
    upper = sp.lambdify(det.t, det.upper.subs(values), "numpy")(np.arange(1, steps + 1))
    assert r < 1
    # float64 sums of 300 terms: 1e-12 relative slack
    assert np.all(s <= upper * (1 + 1e-12)) and np.all(s >= float(det.lower.subs(values)))
    assert s[-1] <= float(det.upper_limit.subs(values))
    # noisy gradients (2000 chains, sigma = 1): sigma^2 t <= mean s_t <= (lam^2 M + sigma^2) t
    chains, n, sigma = 2000, 400, 1.0
    problem = NoisyQuadratic([lam], sigma, seed=2)
    xs = np.full((chains, 1), x0)
    acc = np.zeros((chains, 1))
    mean_s, mean_x2 = np.empty(n), np.empty(n)
    for k in range(n):
        mean_x2[k] = float(np.mean(xs**2))
        g = problem.grad(xs)
        acc += g * g
        xs = xs - eta * g / np.sqrt(acc + eps)
        mean_s[k] = float(np.mean(acc))
    noisy = ad.adagrad_accumulator_bounds(True)
    tt = np.arange(1, n + 1)
    lower = np.asarray(sp.lambdify(noisy.t, noisy.lower.subs(ad.SIGMA2, sigma**2))(tt), float)
    upper_n = sp.lambdify(noisy.t, noisy.upper.subs(
        {ad.SIGMA2: sigma**2, ad.LAM: lam, ad.MOMENT_BOUND: float(mean_x2.max())}))(tt)
    # the chain mean of s_t has standard error ~ sqrt(2 t / chains); 5 of them as slack
    slack = 5 * np.sqrt(2 * tt / chains)
    assert np.all(mean_s >= lower - slack) and np.all(mean_s <= upper_n + slack)
