"""Demo claims reproduce the textbook's printed lines; the seed's exercise code is refuted."""

from __future__ import annotations

from optheory.verification import verify


def test_demo_lines_in_evidence() -> None:
    results = {r.id: r for r in verify(["momentum.demo-gd", "momentum.demo-momentum", "rmsprop.demo"])}
    gd = results["momentum.demo-gd"]
    assert gd.verdict == "holds"
    # oracle: the lines printed in seed 001
    assert gd.evidence["line_eta_0.4"] == "epoch 20, x1: -0.943467, x2: -0.000073"
    assert gd.evidence["line_eta_0.6"] == "epoch 20, x1: -0.387814, x2: -1673.365109"
    mom = results["momentum.demo-momentum"]
    assert mom.verdict == "holds"
    assert mom.evidence["line_beta_0.5"] == "epoch 20, x1: 0.007188, x2: 0.002553"
    assert mom.evidence["line_beta_0.25"] == "epoch 20, x1: -0.126340, x2: -0.186632"
    # oracle: seed 000 prints this line for RMSProp
    assert results["rmsprop.demo"].evidence["line_rmsprop"] == "epoch 20, x1: -0.010599, x2: 0.000000"


def test_seed_exercise_code_is_not_momentum() -> None:
    (r,) = verify(["answers.ex2-code"])
    assert r.verdict == "refuted"
    # after one step with eta = 0.1, lambda_1 = 1: the seed's code leaves x = eta * lam = 0.1,
    # momentum gives 1 - eta * lam = 0.9 (exact in binary? 0.1 is not, so compare to 1e-15)
    assert abs(r.evidence["step1_seed_code"][0] - 0.1) < 1e-15
    assert abs(r.evidence["step1_momentum"][0] - 0.9) < 1e-15
