"""Finite-time Lyapunov exponents and rounding horizons of the own optimizers."""

from __future__ import annotations

import numpy as np
import pytest

from optheory.numeric.lyapunov import lyapunov_run, rounding_horizon
from optheory.numeric.problems import EigenQuadratic, textbook_2d_rotated
from optheory.numeric.run import run

X0 = np.array([-5.0, -2.0])
# RMSProp (torch's arithmetic) at a constant step on the textbook's rotated quadratic: near the
# optimum the per-coordinate normalisation makes the step map expand for stretches of steps.
CHAOTIC = ("rmsprop", "torch", {"eta": 0.01})


def test_gd_exponent_is_log_of_the_contraction_factor():
    lam, eta = np.array([0.5, 2.0, 3.0]), 0.1
    r = lyapunov_run("gd", EigenQuadratic(lam), [1.0, 1.0, 1.0], 300, eta=eta)
    # oracle: J = diag(1 - eta lam) at every step, so sigma_max(J^T) = max|1 - eta lam|^T;
    # 300 products of exact diagonal matrices: rounding below 1e-13 in the mean logarithm
    assert r.exponent() == pytest.approx(np.log(np.max(np.abs(1 - eta * lam))), abs=1e-13)
    assert r.exponent(0, 10) == pytest.approx(np.log(0.95), abs=1e-13)
    assert r.asymptotic_exponent() == pytest.approx(np.log(0.95), abs=1e-12)


def test_momentum_exponent_tends_to_the_log_spectral_radius():
    lam, eta, beta = 2.0, 0.3, 0.6
    r = lyapunov_run("momentum", EigenQuadratic([lam]), [1.0], 4000, eta=eta, beta=beta)
    R = np.array([[beta, lam], [-beta * eta, 1 - eta * lam]])  # textbook's (v, x) map
    rho = np.max(np.abs(np.linalg.eigvals(R)))
    # (1/T) log sigma_max(R^T) = log rho + O(log(T)/T) for a non-normal R: 2e-3 at T = 2000
    assert r.exponent() == pytest.approx(np.log(rho), abs=2e-3)
    assert r.asymptotic_exponent() == pytest.approx(np.log(rho), abs=2e-3)


def test_iterates_are_the_runs_iterates():
    p = EigenQuadratic([0.3, 1.0, 2.5], basis="random", seed=3, x_star=[1.0, -2.0, 0.5])
    for method, conv, hyper in [("adam", "torch", {"eta": 0.05}),
                                ("rmsprop", "textbook", {"eta": 0.1, "gamma": 0.9}),
                                ("adadelta", "torch", {"rho": 0.9}),
                                ("nesterov", "textbook", {"eta": 0.1, "beta": 0.8})]:
        r = lyapunov_run(method, p, [0.7, -1.2, 2.0], 150, convention=conv, **hyper)
        own = run(method, p, [0.7, -1.2, 2.0], 150, convention=conv, **hyper)
        np.testing.assert_array_equal(r.x, own.x)


def _separation(method, conv, hyper, steps, ulps):
    p = textbook_2d_rotated()
    a = run(method, p, X0, steps, convention=conv, **hyper)
    b = run(method, p, X0 + ulps * np.spacing(X0), steps, convention=conv, **hyper)
    return np.linalg.norm(a.x - b.x, axis=1)


@pytest.mark.parametrize("ulps", [1, 4])
def test_one_ulp_apart_runs_separate_at_the_predicted_rate(ulps):
    method, conv, hyper = CHAOTIC
    steps = 1600
    r = lyapunov_run(method, textbook_2d_rotated(), X0, steps, convention=conv, **hyper)
    gap = _separation(method, conv, hyper, steps, ulps)
    # the window where the separation is well above rounding (1e-12) and still linear (1e-5)
    i = int(np.flatnonzero(gap > 1e-12)[0])
    j = i + int(np.flatnonzero(gap[i:] >= 1e-5)[0]) - 1
    measured = np.log(gap[j] / gap[i])
    predicted = r.exponent(i, j) * (j - i)
    assert measured > 10  # a growth by e^10 or more in that window: rounding is amplified
    assert r.exponent(i, j) > 0.3  # per step: a fast expansion, not a drift
    # sigma_max bounds the growth; once the gap lies along the most expanding direction it
    # attains it: within 2 % here (measured/predicted = 0.997 on the development machine)
    assert measured <= predicted + 0.05
    assert measured >= 0.98 * predicted


@pytest.mark.parametrize(("method", "conv", "hyper"), [
    CHAOTIC,
    ("adadelta", "textbook", {"rho": 0.9}),
    ("rmsprop", "textbook", {"eta": 0.03, "gamma": 0.99}),
    ("adam", "textbook", {"eta": 0.1}),
    ("momentum", "textbook", {"eta": 0.1, "beta": 0.5}),
])
def test_runs_agree_up_to_the_computed_horizon(method, conv, hyper):
    steps, tol = 1600, 1e-12
    r = lyapunov_run(method, textbook_2d_rotated(), X0, steps, convention=conv, **hyper)
    horizon = r.horizon(tol)
    for ulps in (1, 4):
        gap = _separation(method, conv, hyper, steps, ulps)
        assert np.max(gap[: horizon + 1]) <= tol
        if horizon < steps:
            # not vacuous: soon after the horizon the runs do separate beyond tol
            assert np.max(gap[horizon + 1: horizon + 200]) > tol
    if method in ("adam", "momentum"):  # contracting to the end: the whole run agrees
        assert horizon == steps
    else:
        assert horizon < steps


def test_rounding_horizon_shorthand_and_bad_input():
    p = textbook_2d_rotated()
    method, conv, hyper = CHAOTIC
    h = rounding_horizon(method, p, X0, 1400, 1e-12, convention=conv, **hyper)
    assert h == lyapunov_run(method, p, X0, 1400, convention=conv, **hyper).horizon(1e-12)
    with pytest.raises(ValueError, match="scalar hyperparameters"):
        lyapunov_run("gd", p, X0, 10, eta=[0.1, 0.2])
    with pytest.raises(ValueError, match="constant Hessian"):
        lyapunov_run("gd", object(), X0, 10, eta=0.1)
    with pytest.raises(ValueError, match="method"):
        lyapunov_run("sgdx", p, X0, 10, eta=0.1)
    r = lyapunov_run("gd", p, X0, 10, eta=0.1)
    with pytest.raises(ValueError, match="start < stop"):
        r.exponent(5, 5)
    with pytest.raises(ValueError, match="tol"):
        r.horizon(0.0)


def test_diverging_run_stops_cleanly():
    r = lyapunov_run("gd", EigenQuadratic([1.0]), [1.0], 3000, eta=2.5)
    assert np.isnan(r.x[-1]).all() and np.isfinite(r.x[1]).all()
    assert r.horizon(1e-12) < 3000


def test_window_exponents_match_single_windows_and_warn_nothing():
    r = lyapunov_run(*CHAOTIC[:1], textbook_2d_rotated(), X0, 300, convention=CHAOTIC[1],
                     **CHAOTIC[2])
    w = r.window_exponents(20)
    assert w.shape == (281,)
    for t in (0, 100, 280):
        assert w[t] == pytest.approx(r.exponent(t, t + 20), rel=1e-12, abs=1e-14)
    with pytest.raises(ValueError, match="window"):
        r.window_exponents(301)
    # a map that annihilates every perturbation (GD at eta lam = 1 on one eigenvalue)
    zero = lyapunov_run("gd", EigenQuadratic([1.0]), [1.0], 5, eta=1.0)
    assert zero.exponent(0, 5) == float("-inf")
