"""Iteration matrices derived from update rules, against oracles and torch.optim."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from optheory.symbolic.linear import (
    BETA,
    ETA,
    LAM,
    METHODS,
    characteristic_polynomial,
    iteration_matrix,
    memory_update,
    method_update,
    momentum_matrix,
)
from tests.conftest import require_torch

eta, lam, beta = ETA, LAM, BETA
z = sp.Symbol("z")

# Oracles: the matrices written out by hand from the update rules in
# reference/conventions.md (textbook scratch code and torch.optim.SGD).
ORACLE = {
    "gd": sp.Matrix([[1 - eta * lam]]),
    "momentum": sp.Matrix([[beta, lam], [-eta * beta, 1 - eta * lam]]),  # claim momentum.matrix
    "polyak": sp.Matrix([[1 + beta - eta * lam, -beta], [1, 0]]),
    "ema": sp.Matrix([[beta, (1 - beta) * lam], [-eta * beta, 1 - eta * (1 - beta) * lam]]),
    "nesterov": sp.Matrix([[beta, lam], [-eta * beta**2, 1 - eta * lam * (1 + beta)]]),
}


def _is_zero_matrix(m: sp.Matrix) -> bool:
    return all(sp.expand(e) == 0 for e in m)


@pytest.mark.parametrize("name", METHODS)
def test_matrix_matches_hand_derived_oracle(name: str) -> None:
    update, state = method_update(name)
    assert _is_zero_matrix(iteration_matrix(update, state) - ORACLE[name])


def test_symbol_names_and_momentum_matrix() -> None:
    assert (eta.name, lam.name, beta.name) == ("eta", "lam", "beta")
    assert eta.is_positive and lam.is_positive and beta.is_real
    _, state = method_update("momentum")
    assert [s.name for s in state] == ["v", "x"]
    assert _is_zero_matrix(momentum_matrix() - ORACLE["momentum"])


@pytest.mark.parametrize("name", METHODS)
def test_matrix_power_reproduces_the_iterated_update(name: str) -> None:
    # exact rational iteration of the update rule vs R^t applied to the start
    update, state = method_update(name)
    point = {eta: sp.Rational(3, 7), lam: sp.Rational(5, 2), beta: sp.Rational(-2, 9)}
    R = iteration_matrix(update, state).subs(point)
    s = [sp.Rational(k + 2, 3) for k in range(len(state))]
    s0 = sp.Matrix(s)
    for _ in range(9):
        s = [update[v].subs(point).subs(dict(zip(state, s, strict=True))) for v in state]
    assert sp.Matrix(s) == R**9 * s0


def test_scalar_gd_closed_form() -> None:
    # claim momentum.scalar-gd: x_t = (1 - eta lam)^t x_0
    update, state = method_update("gd")
    R = iteration_matrix(update, state)
    for t in range(6):
        assert sp.expand((R**t)[0, 0] - (1 - eta * lam) ** t) == 0


def test_lam_substitution() -> None:
    lam1 = sp.Symbol("lam_1", positive=True)
    R = iteration_matrix(*method_update("momentum"), lam=lam1)
    assert _is_zero_matrix(R - ORACLE["momentum"].subs(lam, lam1))
    assert iteration_matrix(*method_update("gd"), lam=4) == sp.Matrix([[1 - 4 * eta]])


def test_memory_update_degree_three() -> None:
    update, state, (b1, b2) = memory_update(2)
    R = iteration_matrix(update, state)
    assert R.shape == (3, 3)
    # x_{t+1} = (1 + b1 - eta lam) x_t + (b2 - b1) x_{t-1} - b2 x_{t-2}
    oracle = z**3 - (1 + b1 - eta * lam) * z**2 - (b2 - b1) * z + b2
    assert sp.expand(characteristic_polynomial(R, z).as_expr() - oracle) == 0
    # depth 1 is Polyak's heavy ball with beta_1 for beta
    u1, s1, (c1,) = memory_update(1)
    assert _is_zero_matrix(iteration_matrix(u1, s1).subs(c1, beta) - ORACLE["polyak"])


@pytest.mark.parametrize("name", METHODS)
def test_characteristic_polynomial_is_monic_det(name: str) -> None:
    R = iteration_matrix(*method_update(name))
    p = characteristic_polynomial(R, z)
    assert p.degree() == R.rows and p.LC() == 1
    assert sp.expand(p.as_expr() - (z * sp.eye(R.rows) - R).det()) == 0


def test_rejects_nonlinear_and_affine_updates() -> None:
    x, v = sp.symbols("x v", real=True)
    with pytest.raises(ValueError, match="not linear") as err:
        iteration_matrix({x: x - eta * lam * x**2}, (x,))
    assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match="constant part"):
        iteration_matrix({x: x - eta * (lam * x + 1)}, (x,))
    with pytest.raises(ValueError, match="not linear"):
        iteration_matrix({x: x - eta * v * x, v: v}, (x, v))
    with pytest.raises(ValueError, match="one expression per state"):
        iteration_matrix({x: x}, (x, v))
    with pytest.raises(ValueError, match="adam' is not linear on quadratics"):
        method_update("adam")
    with pytest.raises(ValueError, match="unknown method"):
        method_update("adamw")
    with pytest.raises(ValueError, match="square"):
        characteristic_polynomial(sp.Matrix([[1, 2]]), z)
    with pytest.raises(ValueError, match="depth"):
        memory_update(0)


@pytest.mark.parametrize("nesterov", [False, True])
def test_update_matches_torch_sgd(nesterov: bool) -> None:
    torch = require_torch()
    name = "nesterov" if nesterov else "momentum"
    update, state = method_update(name)
    lams = np.array([0.3, 1.7, 4.0])
    eta_v, beta_v = 0.35, 0.8
    x0 = np.array([1.0, -2.0, 0.5])
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD(
        [p], lr=eta_v, momentum=beta_v, dampening=0, nesterov=nesterov, foreach=False
    )
    lam_t = torch.tensor(lams, dtype=torch.float64)
    f = sp.lambdify((*state, eta, lam, beta), [update[s] for s in state], "numpy")
    s = [np.zeros(3), x0.copy()]  # buffer starts at 0: torch's first buffer g equals beta*0 + g
    for _ in range(40):
        opt.zero_grad()
        (0.5 * (lam_t * p * p).sum()).backward()
        opt.step()
        s = [np.asarray(a, dtype=float) for a in f(*s, eta_v, lams, beta_v)]
        # both sides do the same few float64 operations per step on O(1) numbers;
        # 40 steps of rounding at 2**-53 stay far below 1e-12
        np.testing.assert_allclose(p.detach().numpy(), s[1], rtol=1e-12, atol=1e-13)
        buf = opt.state[p]["momentum_buffer"].numpy()
        np.testing.assert_allclose(buf, s[0], rtol=1e-12, atol=1e-13)
