"""Answers of the section "Momentum" (optheory/exercises/momentum.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optheory.exercises.momentum import seed_code_matrix, stationary_variance, worst_rate
from tests.exercises._cache import solved


def test_worst_rate_against_numpy() -> None:
    lams = [0.2, 1.0, 4.0]
    for eta, beta in ((0.1, 0.9), (0.5, 0.2), (1.2, 0.0)):
        # oracle: eigenvalues of the textbook heavy ball's matrix on (v, x), worst over lams
        want = max(max(abs(np.linalg.eigvals(np.array([[beta, lam], [-eta * beta, 1 - eta * lam]]))))
                   for lam in lams)
        assert float(worst_rate(eta, beta, lams)) == pytest.approx(want, rel=1e-12)
    grid = worst_rate(np.array([[0.3, 0.4]]), np.array([[0.0, 0.5]]), lams)
    assert grid.shape == (1, 2)
    assert float(worst_rate(0.3, 0.0, [4.0], method="gd")) == pytest.approx(0.2, rel=1e-12)


def test_m1_rate_map() -> None:
    n = solved("momentum", 1).numbers
    # fits over steps 100..200; near critical damping a t rho^t term biases the log-slope
    # by up to ~log(2)/100 per step, so rates agree to 0.02
    assert n["max_rate_gap"] < 0.02
    kappa = 4 / 0.2
    gd_oracle = (kappa - 1) / (kappa + 1)
    polyak = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    # grids cannot beat the optima; their spacing (0.02 in eta and beta) costs < 0.02
    assert gd_oracle - 1e-12 <= n["best_gd_rate"] < gd_oracle + 0.02
    assert polyak - 1e-12 <= n["best_rate"] < polyak + 0.02
    assert n["optimal"]["rate"] == pytest.approx(polyak, rel=1e-12)  # irrational -> float
    pairs = {(r["eta"], r["beta"]): r for r in n["seed_pairs"]}
    assert pairs[(0.002, 0.9)]["effective_eta"] == pytest.approx(0.02)
    assert pairs[(0.02, 0.2)]["effective_eta"] == pytest.approx(0.025)


def test_m2_many_eigenvalues() -> None:
    n = solved("momentum", 2).numbers
    kappa = 32
    assert n["rate_gd"] == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-12)
    polyak = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    assert n["rate_momentum"] == pytest.approx(polyak, rel=1e-12)  # Polyak's tuning
    for row in n["per_coordinate"]:
        if row["gd_predicted"] > 0.1:  # faster modes vanish below the fit's resolution
            assert row["gd_measured"] == pytest.approx(row["gd_predicted"], abs=1e-6)
        # complex roots make |x_i| oscillate around rho^t; a 50-step fit is within 0.03
        assert row["momentum_measured"] == pytest.approx(row["momentum_predicted"], abs=0.03)
    assert n["seed_code_rates"][0] == pytest.approx(1.0)  # beta + eta lam = 0.9 + 0.1
    spec = set(seed_code_matrix().eigenvals())
    assert 0 in spec


def test_m3_quadratic() -> None:
    n = solved("momentum", 3).numbers
    assert n["symbolic_matches"] and n["general_n"]
    Q, c, b = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -2.0]), 4.0
    x_star = -np.linalg.solve(Q, c)  # oracle
    assert [float(eval_fraction(v)) for v in n["example_x_star"]] == pytest.approx(x_star)
    assert float(eval_fraction(n["example_h_min"])) == pytest.approx(b + 0.5 * c @ x_star)
    assert n["gd_gap"] < 1e-12
    assert n["indefinite_limit"] == "-oo"


def eval_fraction(text: str) -> float:
    num, _, den = str(text).partition("/")
    return int(num) / (int(den) if den else 1)


def test_m4_stationary_variance() -> None:
    var, (eta, beta, lam, sigma) = stationary_variance()
    # oracle (heavy ball with additive noise): eta s^2 (1+b) / (lam (1-b) (2(1+b) - eta lam))
    oracle = eta * sigma**2 * (1 + beta) / (lam * (1 - beta) * (2 * (1 + beta) - eta * lam))
    assert (var - oracle).simplify() == 0
    rows = solved("momentum", 4).numbers["variance_table"]
    for r in rows:
        e, b_ = r["eta"], r["beta"]
        s2 = 1 / r["batch"]
        exact = e * s2 * (1 + b_) / ((1 - b_) * (2 * (1 + b_) - e))
        assert r["predicted_variance"] == pytest.approx(exact, rel=1e-12)
        # 1000 chains x 1000 steps with correlation times <= ~20 steps: >= 5e4 effective
        # samples, relative se of the variance < 1%; 5% is > 5 standard errors
        assert r["measured_variance"] == pytest.approx(exact, rel=0.05)



def test_m4_momentum_amplifies_the_floor_by_the_derived_factor() -> None:
    a = solved("momentum", 4)
    n = a.numbers
    beta, eta, lam = (n["amplification_at"][k] for k in ("beta", "eta", "lambda"))
    # oracle from the closed form above: Var(beta)/Var(0) = (1+b)(2-eta lam)/((1-b)(2+2b-eta lam)),
    # which tends to 1/(1 - beta) as eta -> 0 (10 at beta = 0.9), not (1 + beta)/(1 - beta)
    assert n["amplification_small_eta_at_beta"] == pytest.approx(1 / (1 - beta), rel=1e-12)
    exact = (1 + beta) * (2 - eta * lam) / ((1 - beta) * (2 + 2 * beta - eta * lam))
    assert n["amplification_at_eta"] == pytest.approx(exact, rel=1e-12)
    table = {(r["batch"], r["eta"], r["beta"]): r for r in n["variance_table"]}
    # the table's predicted variances carry the same factor (their measured counterparts are
    # checked against them in test_m4_stationary_variance)
    predicted = table[(1, eta, beta)]["predicted_variance"] / table[(1, eta, 0.0)]["predicted_variance"]
    assert predicted == pytest.approx(exact, rel=1e-12)
    assert n["same_effective_rate_limit"] == 1 and n["minibatch_factor"] == "1/b"
    # the text carries the derived numbers and not the old typed factor
    assert f"{exact:.3g}" in a.answer and f"{1 / (1 - beta):.3g} at beta = {beta}" in a.answer
    assert "(1 + beta)/(1 - beta)" not in a.answer
