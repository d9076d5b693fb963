"""The state-space form (A, B, C) comes from the step rules and reproduces the iterates."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from optheory.pep.gram import coefficient_vectors
from optheory.pep.state_space import numeric_state_space, state_space
from optheory.symbolic.linear import BETA, ETA, LAM, iteration_matrix, method_step, method_update

METHODS = ("gd", "momentum", "nesterov", "polyak", "ema")


@pytest.mark.parametrize("method", METHODS)
def test_quadratic_feedback_is_the_iteration_matrix(method: str) -> None:
    ss = state_space(method)
    R = iteration_matrix(*method_update(method))
    assert sp.simplify(ss.A + LAM * ss.B * ss.C - R) == sp.zeros(*R.shape)


def test_rest_states() -> None:
    assert state_space("momentum").start.T.tolist() == [[0, 1]]  # v_0 = 0
    assert state_space("nesterov").start.T.tolist() == [[0, 1]]  # b_0 = 0
    assert state_space("polyak").start.T.tolist() == [[1, 1]]  # x_prev = x_0
    assert state_space("gd").start.T.tolist() == [[1]]


@pytest.mark.parametrize("method", METHODS)
def test_coefficients_reproduce_the_step_rule_on_a_nonlinear_function(method: str) -> None:
    # numeric witness: run the step rule itself on f'(x) = x + sin(x)/2 (not linear) and
    # rebuild every gradient point and x_N from the Gram basis (x_0, g_0, ..., g_{N-1})
    eta, beta, steps, x0 = 0.3, 0.4, 6, 1.7
    step, names = method_step(method)
    grads: list[float] = []
    points: list[float] = []

    def num(e: object) -> float:
        return float(e.subs({ETA: eta, BETA: beta})) if isinstance(e, sp.Basic) else float(e)

    def grad(x: sp.Expr) -> float:
        value = num(x)
        points.append(value)
        grads.append(value + math.sin(value) / 2)
        return grads[-1]

    _, _, _, start = numeric_state_space(method, eta, beta)
    state = tuple(float(v) * x0 for v in start[:, 0])
    for _ in range(steps):
        state = tuple(num(e) for e in step(state, grad))
    coeff_points, last = coefficient_vectors(method, eta, beta, steps)
    basis = np.array([x0, *grads])
    # float64 recursions of 6 steps on O(1) numbers: agreement to 1e-12
    np.testing.assert_allclose(coeff_points @ basis, points, rtol=0, atol=1e-12)
    assert abs(last @ basis - state[names.index("x")]) < 1e-12


@pytest.mark.parametrize("method", METHODS)
def test_derived_rest_state_is_the_stated_initial_state(method: str) -> None:
    from optheory.symbolic.linear import initial_state

    x0 = sp.Symbol("x0", real=True)
    stated = initial_state(method, x0)
    assert tuple(state_space(method).start[:, 0] * x0) == tuple(stated)
