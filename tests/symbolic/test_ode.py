"""ODE view of GD / RMSProp / heavy ball: derivations against oracles and numeric witnesses."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from optheory.numeric.problems import EigenQuadratic
from optheory.numeric.run import run
from optheory.symbolic import ode
from tests.conftest import require_torch

TH, GAM = ode.THETA, ode.GAMMA
L = sp.Function("L")


# ------------------------------------------------------------------ ode.euler
def test_euler_local_error_generic_loss() -> None:
    err = ode.euler_local_error(3)
    oracle = GAM**2 / 2 * sp.diff(L(TH), TH, 2) * sp.diff(L(TH), TH)
    assert err.order == 2
    assert sp.simplify(err.leading - oracle) == 0
    # the expansion starts like the Euler step: theta - gamma L'
    assert sp.simplify(err.expansion.coeff(GAM, 1) + sp.diff(L(TH), TH)) == 0


def test_flow_expansion_matches_exact_solutions() -> None:
    lam = sp.Symbol("lam", positive=True)
    # linear flow: theta(t + gamma) = theta exp(-lam gamma)
    exact = sp.series(TH * sp.exp(-lam * GAM), GAM, 0, 5).removeO()
    assert sp.expand(ode.flow_expansion(4, -lam * TH) - exact) == 0
    # cubic flow theta' = -theta^3 (L = theta^4/4): theta / sqrt(1 + 2 theta^2 gamma)
    exact3 = sp.series(TH / sp.sqrt(1 + 2 * TH**2 * GAM), GAM, 0, 4).removeO()
    assert sp.expand(ode.flow_expansion(3, -(TH**3)) - exact3) == 0
    err = ode.euler_local_error(4, -lam * TH)
    assert sp.simplify(err.leading - lam**2 * GAM**2 * TH / 2) == 0


def test_euler_local_error_numeric_witness() -> None:
    # L = theta^4/4 at theta = 1: one GD step misses the flow by gamma^2/2 L'' L' = 1.5 gamma^2
    # (derived) plus O(gamma^3); the flow comes from solve_ivp (rtol 1e-10).
    from optheory.numeric.ode import gradient_flow

    err = ode.euler_local_error(4, -(TH**3))
    c2 = float(err.leading.subs({TH: 1, GAM: 1}))
    c3 = float(err.error.coeff(GAM, 3).subs(TH, 1))
    for gamma in (1e-2, 5e-3, 2.5e-3):
        flow = gradient_flow(lambda x: x**3, [1.0], gamma)[0]
        measured = flow - (1.0 - gamma * 1.0)
        # leading term alone: relative remainder |c3/c2| gamma (+ O(gamma^2))
        assert measured == pytest.approx(c2 * gamma**2, rel=1.2 * abs(c3 / c2) * gamma)
        # through gamma^4 the remainder is c5 gamma^5 with |c5/c2| ~ 5.3, i.e. relative
        # 5.3 gamma^3 < 10 gamma^2, plus the solver's ~1e-10 absolute error over >= 9e-6.
        full = float(err.error.subs({TH: 1, GAM: gamma}))
        assert measured == pytest.approx(full, rel=10 * gamma**2 + 1e-5)


def test_euler_local_error_rejects_bad_order() -> None:
    with pytest.raises(ValueError, match="order"):
        ode.euler_local_error(1)
    with pytest.raises(ValueError, match="order"):
        ode.flow_expansion(0)


# --------------------------------------------------------- ode.error-control
def test_error_control_gives_sign_step() -> None:
    ctl = ode.error_control_step()
    g = sp.Symbol("g", real=True, nonzero=True)
    assert sp.simplify(ctl.update - (TH - ode.GAMMA_TILDE * sp.sign(g))) == 0
    assert sp.simplify(ctl.step_size * sp.Abs(g) - ode.GAMMA_TILDE) == 0
    # numeric evaluation at g = -3: theta moves by +gamma_tilde
    val = ctl.update.subs({g: -3, TH: 1, ode.GAMMA_TILDE: sp.Rational(1, 10)})
    assert val == sp.Rational(11, 10)


# ------------------------------------------------------------- ode.rmsprop
def test_smoothed_error_control_is_rmsprop() -> None:
    der = ode.rmsprop_from_error_control()
    assert der.matches
    assert der.difference == (0, 0)
    g = sp.Symbol("g", real=True, nonzero=True)
    assert sp.simplify(der.unsmoothed_limit - (TH - ode.GAMMA_TILDE * sp.sign(g))) == 0


def test_seed_scheme_runs_like_project_rmsprop() -> None:
    # Iterate the seed's derived map (lambdified) and compare with the project's
    # textbook RMSProp: same float64 operations up to ordering, 20 steps -> 1e-13.
    der = ode.rmsprop_from_error_control()
    big_g, g = sp.Symbol("G", nonnegative=True), sp.Symbol("g", real=True, nonzero=True)
    args = (TH, big_g, g, ode.GAMMA_TILDE, ode.LAMBDA, ode.EPS)
    theta_map = sp.lambdify(args, der.seed_map[0], "math")
    g_map = sp.lambdify(args, der.seed_map[1], "math")
    lam_curv, eta, gamma, eps = 4.0, 0.1, 0.9, 1e-6
    traj = run("rmsprop", EigenQuadratic([lam_curv]), [-2.0], 20, eta=eta, gamma=gamma, eps=eps)
    theta, acc = -2.0, 0.0
    for k in range(20):
        grad = lam_curv * theta
        theta, acc = (theta_map(theta, acc, grad, eta, gamma, eps),
                      g_map(theta, acc, grad, eta, gamma, eps))
        assert theta == pytest.approx(traj.x[k + 1, 0], abs=1e-13)


# ----------------------------------------------------- ode.scalar-vs-vector
def test_scalar_rule_keeps_direction_vector_rule_does_not() -> None:
    for n in (2, 3):
        chk = ode.direction_check(n)
        assert chk.scalar_keeps_direction and all(m == 0 for m in chk.scalar_minors)
        assert not chk.vector_keeps_direction
        assert any(m != 0 for m in chk.vector_minors)


def test_exact_counterexample() -> None:
    grad, step, minor = ode.per_coordinate_counterexample()
    assert grad == (1, 2)
    assert step == [-sp.sqrt(2), -sp.sqrt(2)]  # lam = 1/2, G = 0: sqrt(2) * sign(g)
    assert minor == -sp.sqrt(2)
    with pytest.raises(ValueError, match="lam"):
        ode.per_coordinate_counterexample(lam=1, eps=0)


def test_counterexample_witnessed_by_torch_rmsprop() -> None:
    # torch.optim.RMSprop (alpha = lam = 1/2, eps = 0, lr = 1) from a zero state on the
    # gradient (1, 2): its displacement must equal the derived eq. (15) step exactly
    # (float64, two square roots: 1e-15).
    torch = require_torch()
    grad, step, minor = ode.per_coordinate_counterexample()
    p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.RMSprop([p], lr=1.0, alpha=0.5, eps=0.0, foreach=False)
    p.grad = torch.tensor([float(v) for v in grad], dtype=torch.float64)
    opt.step()
    moved = p.detach().numpy()
    assert moved == pytest.approx([float(s) for s in step], abs=1e-15)
    cross = moved[0] * float(grad[1]) - moved[1] * float(grad[0])
    assert cross == pytest.approx(float(minor), abs=1e-15)
    # eq. (14) on the same gradient: a multiple of g, cross product 0
    s14, _ = ode.scalar_norm_update([sp.Integer(1), sp.Integer(2)], 0, sp.Rational(1, 2), 0, 1)
    assert sp.simplify(s14[0] * 2 - s14[1] * 1) == 0


# ----------------------------------------------------- heavy ball -> momentum
def test_heavy_ball_semi_implicit_is_momentum() -> None:
    hb = ode.heavy_ball_momentum_map()
    assert hb.solution is not None and hb.inverse is not None
    assert sp.simplify(hb.solution[ode.BETA] - (1 - ode.A * ode.H)) == 0
    assert sp.simplify(hb.solution[ode.ETA] - ode.H**2) == 0
    assert sp.simplify(hb.solution[ode.C] - ode.H) == 0
    assert hb.residual == (0, 0)
    assert sp.simplify(hb.inverse[ode.H] - sp.sqrt(ode.ETA)) == 0
    assert sp.simplify(hb.inverse[ode.A] - (1 - ode.BETA) / sp.sqrt(ode.ETA)) == 0


def test_explicit_euler_is_not_momentum() -> None:
    assert ode.heavy_ball_momentum_map("explicit").solution is None
    with pytest.raises(ValueError, match="scheme"):
        ode.heavy_ball_momentum_map("implicit")


def test_heavy_ball_map_witnessed_by_torch_sgd() -> None:
    # Semi-implicit Euler of the heavy-ball ODE vs torch.optim.SGD with the derived
    # (lr, momentum); 50 float64 steps on a 2-D quadratic, values O(1): 1e-12.
    torch = require_torch()
    from optheory.numeric.ode import heavy_ball_euler

    hb = ode.heavy_ball_momentum_map()
    assert hb.solution is not None
    h, a = 0.1, 1.5
    beta = float(hb.solution[ode.BETA].subs({ode.A: a, ode.H: h}))
    eta = float(hb.solution[ode.ETA].subs({ode.A: a, ode.H: h}))
    prob = EigenQuadratic([1.0, 4.0], basis="random", seed=2)
    xs, _ = heavy_ball_euler(prob.grad, [1.0, -1.0], h, 50, a=a)
    p = torch.tensor([1.0, -1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=eta, momentum=beta, dampening=0, foreach=False)
    for k in range(50):
        p.grad = torch.as_tensor(prob.grad(p.detach().numpy().copy()), dtype=torch.float64)
        opt.step()
        np.testing.assert_allclose(p.detach().numpy(), xs[k + 1], rtol=0, atol=1e-12)
