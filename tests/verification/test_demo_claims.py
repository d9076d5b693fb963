"""Demo claims reproduce the textbook's printed lines; the seed's exercise code is refuted."""

from __future__ import annotations

import math

import pytest

from optheory.verification import verify


def test_demo_lines_in_evidence() -> None:
    results = {r.id: r for r in verify(["momentum.demo-gd", "momentum.demo-momentum", "rmsprop.demo"])}
    gd = results["momentum.demo-gd"]
    assert gd.verdict == "holds"
    # oracle: the lines printed in seed 001
    assert gd.evidence["lines"]["0.4"] == "epoch 20, x1: -0.943467, x2: -0.000073"
    assert gd.evidence["lines"]["0.6"] == "epoch 20, x1: -0.387814, x2: -1673.365109"
    # oracle: factors |1 - eta lam| on lam = 0.2, 4
    assert gd.evidence["factors"]["0.4"] == pytest.approx([0.92, 0.6], abs=1e-15)
    assert gd.evidence["factors"]["0.6"] == pytest.approx([0.88, 1.4], abs=1e-15)
    mom = results["momentum.demo-momentum"]
    assert mom.verdict == "holds"
    assert mom.evidence["line_beta_0.5"] == "epoch 20, x1: 0.007188, x2: 0.002553"
    assert mom.evidence["line_beta_barely"] == "epoch 20, x1: -0.126340, x2: -0.186632"
    # oracle: z^2 - (1 + beta - eta lam) z + beta; complex pair of modulus sqrt(0.5) for beta = 0.5
    # on both eigenvalues; for beta = 0.25 the worst root is on lam = 4: (1.15 + sqrt(1.15^2 - 1))/2
    rho = mom.evidence["spectral_radius"]
    assert rho["beta_0.5"] == pytest.approx(math.sqrt(0.5), abs=1e-12)
    assert rho["beta_barely"] == pytest.approx((1.15 + math.sqrt(1.15**2 - 1)) / 2, abs=1e-12)
    assert rho["gd"] == pytest.approx(1.4, abs=1e-12)
    # oracle: seed 000 prints this line for RMSProp
    assert results["rmsprop.demo"].evidence["lines"]["rmsprop"] == (
        "epoch 20, x1: -0.010599, x2: 0.000000")


def test_rmsprop_demo_measures_late_slowdown() -> None:
    # the witness measures the statement's content: x1's per-step contraction factor over the
    # first and the last 5 of the 20 demo steps
    (r,) = verify(["rmsprop.demo"])
    assert r.verdict == "holds"
    early, late = r.evidence["x1_factor_first_5_steps"], r.evidence["x1_factor_last_5_steps"]
    # oracle for AdaGrad's first step: s_1 = g^2, so x1 moves by eta * g / |g| = 0.4 from -5
    assert r.evidence["slows_down_late"] == {"rmsprop": False, "adagrad": True}
    assert late["adagrad"] > early["adagrad"] and late["rmsprop"] < early["rmsprop"]
    # not a margin of orders of magnitude: the factors are O(1) numbers a wrong optimizer moves
    assert 0.5 < early["rmsprop"] < 1 and 0.9 < early["adagrad"] < 1


def test_rmsprop_demo_detects_an_adagrad_like_rmsprop() -> None:
    # RMSProp with gamma = 0.999 and eta scaled by sqrt(1 - gamma) behaves like AdaGrad over 20
    # steps: the same measurement must see it slow down and refute the statement
    from optheory.verification.claims.demos import rmsprop_demo

    v = rmsprop_demo(eta=0.4 * 0.001**0.5, gamma=0.999)
    assert v.verdict == "refuted"
    assert v.evidence["slows_down_late"]["rmsprop"] is True


def test_seed_exercise_code_is_not_momentum() -> None:
    (r,) = verify(["answers.ex2-code"])
    assert r.verdict == "refuted"
    assert r.evidence["seed_update_x"] == "beta*eta*v + eta*lam*x"
    # after one step with eta = 0.1, lambda_1 = 1: the seed's code leaves x = eta * lam = 0.1,
    # momentum gives 1 - eta * lam = 0.9 (exact in binary? 0.1 is not, so compare to 1e-15)
    assert abs(r.evidence["step1_seed_code"][0] - 0.1) < 1e-15
    assert abs(r.evidence["step1_momentum"][0] - 0.9) < 1e-15
