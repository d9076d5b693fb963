"""Flows (solve_ivp) and their Euler schemes: accuracy, order 1, identity with the optimizers."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy.linalg import expm

from optheory.numeric import ode
from optheory.numeric.problems import EigenQuadratic
from optheory.numeric.run import run
from optheory.symbolic import ode as sym_ode

LAM = 2.0
QUAD_2D = EigenQuadratic([1.0, 4.0], basis="random", seed=3)
PROBLEMS = {
    "1d": (lambda x: LAM * x, [1.0], np.array([[LAM]])),
    "2d": (QUAD_2D.grad, [1.0, -0.5], np.asarray(QUAD_2D.hessian())),
}
STEPS = [25, 50, 100, 200, 400]
PARAMS = {"gradient": {}, "rmsprop": {"c": 1.0, "eps": 0.5}, "heavy_ball": {"a": 1.5}}


# ------------------------------------------------------------- flows
@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_gradient_flow_matches_matrix_exponential(name: str) -> None:
    # exact flow exp(-Q t) x0; DOP853 at rtol 1e-10 / atol 1e-12 on O(1) values: 1e-9
    grad, x0, Q = PROBLEMS[name]
    times = np.array([0.3, 1.0, 2.0])
    got = ode.gradient_flow(grad, x0, times)
    for t, row in zip(times, got, strict=True):
        np.testing.assert_allclose(row, expm(-Q * t) @ np.asarray(x0), atol=1e-9)
    np.testing.assert_allclose(ode.gradient_flow(grad, x0, 2.0), got[-1], atol=1e-12)


def test_heavy_ball_flow_matches_matrix_exponential() -> None:
    grad, x0, Q = PROBLEMS["2d"]
    a, T = 1.5, 2.0
    d = Q.shape[0]
    system = np.block([[np.zeros((d, d)), np.eye(d)], [-Q, -a * np.eye(d)]])
    exact = expm(system * T) @ np.concatenate([x0, np.zeros(d)])
    theta, v = ode.heavy_ball_flow(grad, x0, T, a=a)
    np.testing.assert_allclose(np.concatenate([theta, v]), exact, atol=1e-9)


def test_rmsprop_flow_with_frozen_accumulator() -> None:
    # c -> 0 freezes G at G0, leaving the linear flow theta' = -Q theta / sqrt(G0 + eps)
    # (per coordinate); with c = 1e-12 the change in G is < 1e-11: tolerance 1e-9.
    grad, x0, Q = PROBLEMS["1d"]
    theta, big_g = ode.rmsprop_flow(grad, x0, 1.5, c=1e-12, eps=0.25, G0=1.0)
    assert big_g[0] == pytest.approx(1.0, abs=1e-10)
    assert theta[0] == pytest.approx(np.exp(-LAM * 1.5 / np.sqrt(1.25)), abs=1e-9)


def test_sign_flow_stops_at_first_zero_gradient() -> None:
    t_end, theta = ode.sign_flow(lambda x: LAM * x, [1.0], 0.4)
    assert t_end == 0.4 and theta[0] == pytest.approx(0.6, abs=1e-12)
    t_end, theta = ode.sign_flow(lambda x: LAM * x, [1.0], 3.0)
    assert t_end == pytest.approx(1.0, abs=1e-9) and abs(theta[0]) < 1e-9
    # sign descent is exact before the switch: the RHS is constant there
    xs = ode.sign_euler(lambda x: LAM * x, [1.0], 0.01, 40)
    assert xs[-1, 0] == pytest.approx(0.6, abs=1e-12)


# --------------------------------------------------- order of convergence
@pytest.mark.parametrize("name", sorted(PROBLEMS))
@pytest.mark.parametrize("system", ode.SYSTEMS)
def test_euler_converges_at_order_one(system: str, name: str) -> None:
    grad, x0, _ = PROBLEMS[name]
    hs, errors = ode.discretisation_errors(system, grad, x0, 1.0, STEPS, **PARAMS[system])
    assert np.all(np.diff(errors) < 0)
    # first-order schemes: slope 1 up to the O(h) curvature of log e vs log h
    assert abs(ode.convergence_order(hs, errors) - 1.0) < 0.1


def test_convergence_order_recovers_known_slopes() -> None:
    h = np.array([0.1, 0.05, 0.025])
    assert ode.convergence_order(h, 3 * h**2) == pytest.approx(2.0, abs=1e-12)
    assert ode.convergence_order(h, 0.5 * h) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize(
    ("h", "e"),
    [([0.1], [1.0]), ([0.1, 0.2], [1.0]), ([0.1, 0.1], [1.0, 2.0]), ([0.1, 0.2], [0.0, 1.0]),
     ([0.1, np.nan], [1.0, 2.0])],
)
def test_convergence_order_bad_input(h: list[float], e: list[float]) -> None:
    with pytest.raises(ValueError):
        ode.convergence_order(h, e)


# ------------------------------------- identity with the project's optimizers
def test_gd_euler_is_project_gd() -> None:
    grad, x0, _ = PROBLEMS["2d"]
    traj = run("gd", QUAD_2D, x0, 30, eta=0.05)
    np.testing.assert_allclose(ode.gd_euler(grad, x0, 0.05, 30), traj.x, rtol=0, atol=1e-14)


def test_rmsprop_euler_is_project_rmsprop() -> None:
    # eta = h, gamma = 1 - c h; the two compute G by different (equal) formulas:
    # G + c h (g^2 - G) vs gamma G + (1 - gamma) g^2, so allow rounding (1e-12).
    grad, x0, _ = PROBLEMS["2d"]
    h, c, eps = 0.05, 2.0, 1e-6
    xs, _ = ode.rmsprop_euler(grad, x0, h, 40, c=c, eps=eps)
    traj = run("rmsprop", QUAD_2D, x0, 40, eta=h, gamma=1 - c * h, eps=eps)
    np.testing.assert_allclose(xs, traj.x, rtol=0, atol=1e-12)


def test_heavy_ball_euler_is_project_momentum() -> None:
    # the (eta, beta) of the symbolic correspondence, evaluated at (h, a)
    grad, x0, _ = PROBLEMS["2d"]
    h, a = 0.05, 1.5
    sol = sym_ode.heavy_ball_momentum_map().solution
    assert sol is not None
    at = {sym_ode.H: sp.Rational(1, 20), sym_ode.A: sp.Rational(3, 2)}
    eta, beta = float(sol[sym_ode.ETA].subs(at)), float(sol[sym_ode.BETA].subs(at))
    xs, _ = ode.heavy_ball_euler(grad, x0, h, 60, a=a)
    traj = run("momentum", QUAD_2D, x0, 60, eta=eta, beta=beta)
    np.testing.assert_allclose(xs, traj.x, rtol=0, atol=1e-12)


# -------------------------------------------------- error-controlled Euler
def test_error_controlled_euler_follows_the_flow_in_time() -> None:
    # 1-D: every step moves theta by exactly gamma_tilde (a sign step) while the clock
    # advances by gamma_tilde/|L'|; the points (t_n, theta_n) approach the gradient
    # flow at order 1 in gamma_tilde (measured where theta reaches 1/2).
    grad = lambda x: LAM * x  # noqa: E731
    errs, gts = [], [1 / 50, 1 / 100, 1 / 200, 1 / 400]
    for gt in gts:
        n = round(0.5 / gt)
        times, xs = ode.error_controlled_euler(grad, [1.0], gt, n)
        np.testing.assert_allclose(np.diff(xs[:, 0]), -gt, rtol=1e-9)
        flow = ode.gradient_flow(grad, [1.0], times[1:])
        errs.append(float(np.max(np.abs(flow[:, 0] - xs[1:, 0]))))
    assert abs(ode.convergence_order(gts, errs) - 1.0) < 0.1


# ------------------------------------------------------------- bad input
def test_bad_inputs_raise_value_error() -> None:
    g = lambda x: x  # noqa: E731
    with pytest.raises(ValueError, match="theta0"):
        ode.gradient_flow(g, [np.nan], 1.0)
    with pytest.raises(ValueError, match="T"):
        ode.gradient_flow(g, [1.0], -1.0)
    with pytest.raises(ValueError, match="increasing"):
        ode.gradient_flow(g, [1.0], [1.0, 0.5])
    with pytest.raises(ValueError, match="grad"):
        ode.gradient_flow(lambda x: np.zeros(3), [1.0], 1.0)
    with pytest.raises(ValueError, match="G0"):
        ode.rmsprop_flow(g, [1.0], 1.0, c=1.0, eps=0.0)
    with pytest.raises(ValueError, match="c \\* h"):
        ode.rmsprop_euler(g, [1.0], 0.5, 3, c=2.0, eps=1.0)
    with pytest.raises(ValueError, match="a must"):
        ode.heavy_ball_euler(g, [1.0], 0.1, 3, a=-1.0)
    with pytest.raises(ValueError, match="steps"):
        ode.gd_euler(g, [1.0], 0.1, 0)
    with pytest.raises(ValueError, match="system"):
        ode.discretisation_errors("nesterov", g, [1.0], 1.0, [10, 20])
    with pytest.raises(ValueError, match="unknown"):
        ode.discretisation_errors("gradient", g, [1.0], 1.0, [10, 20], a=1.0)
    with pytest.raises(ValueError, match="zero gradient"):
        ode.error_controlled_euler(g, [0.0], 0.1, 3)
    with pytest.raises(ValueError, match="no gradient coordinate"):
        ode.sign_flow(g, [0.0], 1.0)
