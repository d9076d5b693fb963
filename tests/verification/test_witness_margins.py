"""Witnesses that can fail: each claim's numeric witness must notice a broken optimizer.

A witness passes when the real optimizer agrees with the derivation.  That is
only evidence if a plausible wrong implementation would *not* agree: a witness
whose pass condition holds by orders of magnitude for any implementation (a run
that converges "below 1e-6" where any variant converges to 1e-60) tests
nothing.  For every claim whose witness runs the project's optimizers, this
module swaps one plausible bug into the optimizer registry (``_broken.py``: a
constant 10% off, the EMA instead of the heavy-ball convention, a dropped
``1 - gamma`` or square root, swapped weights of a leaky average, a forgotten
bias correction) and asserts that the claim's check notices: its witness raises
(verdict "error": the run disagrees with the derivation beyond the stated
tolerance) or, where the verdict is measured, the verdict changes.

Claims whose witness does not run the project's optimizers are listed with the
reason; their statements are perturbed by the mutants of ``test_mutants.py``.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

import pytest

from optheory.verification.registry import _run_one, registered_claims
from tests.verification._broken import BREAKS, broken

#: claim id -> (the break, what the check must return under it).  "error": the witness
#: raises (the run disagrees with the derivation); a verdict: the measured verdict changes
#: to it.  The comments give each group's tolerance and the gap the break produces (the real
#: optimizers stay at rounding level, or for fits within the tolerances checked below).
CAUGHT: dict[str, tuple[str | tuple[str, ...], str]] = {
    # AdaGrad: rate ratio 1e-9 (deterministic; broken 0.475), late factor 1e-9 (broken 4.7e-3),
    # scale invariance of the loss ratio 1e-9 relative (broken: 1e66, the run blows up)
    "adagrad.rate": ("adagrad-no-root", "error"),
    "adagrad.to-zero": ("adagrad-no-root", "error"),
    "seed003.adagrad-no-tuning": ("adagrad-no-root", "error"),
    # RMSProp: states and steps to 1e-14 (broken: O(1) gaps)
    "textbook.rmsprop-eps": ("rmsprop-no-1-gamma", "error"),
    "rmsprop.expansion": ("rmsprop-no-1-gamma", "error"),
    "rmsprop.weights-sum": ("rmsprop-no-1-gamma", "error"),
    "rmsprop.window": ("rmsprop-no-1-gamma", "error"),
    "ode.rmsprop": ("rmsprop-no-1-gamma", "error"),
    # a half-life is a ratio of weights: a dropped scale leaves it, swapped weights do not
    "rmsprop.half-life": ("rmsprop-swapped-gamma", "error"),
    # gamma = 0: the factor 1 - gamma is 1, so the swapped weights break it (s stays 0)
    "ode.error-control": ("rmsprop-swapped-gamma", "error"),
    # the demo's statement is measured: a leak-free average slows down like AdaGrad
    "rmsprop.demo": ("rmsprop-no-1-gamma", "refuted"),
    # Adam: steps to 1e-12, moments to 1e-14 / 1e-15 (broken: O(1))
    "seed002.scratch-vs-torch": ("adam-no-bias-correction", "error"),
    "adam.bias-correction": ("adam-no-bias-correction", "error"),
    "adam.weights-sum": ("adam-undamped-m", "error"),
    "adam.example": ("adam-undamped-m", "error"),
    # Adadelta: first steps to 1e-14, half-life to 1e-12 relative
    "textbook.adadelta-no-lr": ("adadelta-swapped-rho", "error"),
    "adadelta.half-life": ("adadelta-swapped-rho", "error"),
    # GD: closed forms to 1e-12..1e-13 relative, fitted Euler orders to 0.1 (broken 0.78)
    "momentum.demo-gd": ("gd-step-1.1", "error"),
    "momentum.scalar-gd": ("gd-step-1.1", "error"),
    "momentum.scalar-gd-rate": ("gd-step-1.1", "error"),
    "momentum.gd-in-z": ("gd-step-1.1", "error"),
    "ode.euler": ("gd-step-1.1", "error"),
    # momentum: iterates against R^t to 1e-12, fitted rates to 2e-3 (broken 0.15), the speed
    # 1 - rho to 1e-6 relative (broken 0.1), Kish size to 5% (broken x100), the region's
    # boundary 3% inside and outside
    "momentum.demo-momentum": (("momentum-ema", "momentum-step-1.1"), "error"),
    "answers.ex2-code": ("momentum-ema", "error"),
    "momentum.decoupling": ("momentum-ema", "error"),
    "momentum.matrix": ("momentum-ema", "error"),
    "momentum.region": (("momentum-ema", "momentum-step-1.1"), "error"),
    "textbook.momentum-range": (("momentum-ema", "momentum-step-1.1"), "error"),
    "textbook.large-beta": (("momentum-ema", "momentum-step-1.1"), "error"),
    "momentum.effective-weight": (("momentum-ema", "momentum-step-1.1"), "error"),
    "momentum.effective-samples": ("momentum-ema", "error"),
    "answers.ex1": (("momentum-ema", "momentum-step-1.1"), "error"),
}

#: claims whose witness does not run the project's optimizers, and what it runs instead
NOT_AN_OPTIMIZER_WITNESS: dict[str, str] = {
    "adagrad.orthogonal": "random orthogonal maps (linear algebra)",
    "adagrad.precondition-diagonal": "ensembles of SPD matrices (linear algebra)",
    "adagrad.eps": "torch.optim.Adagrad's signature and runs",
    "seed003.torch-default": "torch.optim.RMSprop's signature and state",
    "seed003.rmsprop-form": "the seed's loop against torch.optim.RMSprop",
    "adam.combination": "torch.optim.Adam against torch.optim.RMSprop",
    "seed003.time-decay": "the seed's own update rule (the statement is that rule)",
    "ode.scalar-vs-vector": "the direction of RMSProp's steps (any per-coordinate rule turns "
                            "them; eq. (15)'s arithmetic is ode.rmsprop's witness)",
    "momentum.minimizer": "GD's limit (any convergent GD ends at x*: the witness checks the "
                          "derived x*, see test_a_wrong_minimizer_is_caught)",
    "answers.ex3": "GD's limit (as momentum.minimizer)",
    "momentum.completed-square": "the problem's f at the counterexample (see "
                                 "test_a_wrong_objective_is_caught)",
    "momentum.gradient": "the problem's gradient at 0 (see test_a_wrong_objective_is_caught)",
    "momentum.eigen-change": "the problem's f against the derived eigen form (see "
                             "test_a_wrong_eigen_form_is_caught)",
    "momentum.acceleration-convex": "PEPit's worst case over F(mu, L) from the symbolic step "
                                    "rules, guarded by the exact quadratic worst case "
                                    "(tests/pep)",
    "momentum.acceleration-ill-conditioned": "as momentum.acceleration-convex",
}


def test_every_claim_is_classified() -> None:
    ids = set(registered_claims())
    assert set(CAUGHT) | set(NOT_AN_OPTIMIZER_WITNESS) == ids
    assert not set(CAUGHT) & set(NOT_AN_OPTIMIZER_WITNESS)
    used = {b for breaks, _ in CAUGHT.values() for b in _names(breaks)}
    assert used == set(BREAKS)  # every break catches something


def _names(breaks: str | tuple[str, ...]) -> tuple[str, ...]:
    return (breaks,) if isinstance(breaks, str) else breaks


_PAIRS = [(cid, name) for cid in sorted(CAUGHT) for name in _names(CAUGHT[cid][0])]


@pytest.mark.slow
@pytest.mark.parametrize("cid, name", _PAIRS)
def test_the_witness_notices_a_broken_optimizer(cid: str, name: str) -> None:
    expected = CAUGHT[cid][1]
    item = registered_claims()[cid]
    with broken(name):
        result = _run_one(item)
    if expected == "error":
        assert result.verdict == "error", (cid, name, result.verdict, result.summary)
        assert result.error is not None and "witness disagrees with the derivation" in result.error
        # where the witness compares numbers, the break misses the tolerance by a wide margin
        # (at least 5x; a NaN or inf from a break that blows up counts as missing it)
        found = re.search(r"gap (\S+) > tolerance (\S+)", result.error)
        if found:
            gap, tol = float(found.group(1)), float(found.group(2))
            assert not math.isfinite(gap) or gap >= 5 * tol, (cid, name, gap, tol)
    else:
        assert result.verdict == expected, (cid, name, result.verdict, result.summary)


def test_the_registry_is_restored_after_a_break() -> None:
    from optheory.numeric.optimizers import get_method

    before = get_method("momentum").update
    with broken("momentum-ema"):
        assert get_method("momentum").update is not before
        assert get_method("momentum", "torch").update is not before
    assert get_method("momentum").update is before


def test_a_wrong_minimizer_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # GD's limit does not depend on GD's step, so the minimizer claims' witness guards the
    # derivation: a sign error in the derived x* must make the witness raise
    from optheory.verification.claims import quadratic

    real = quadratic.quadratic_minimizer

    def wrong_sign(Q, c, b):  # type: ignore[no-untyped-def]
        x_star, h_min = real(Q, c, b)
        return -x_star, h_min

    monkeypatch.setattr(quadratic, "quadratic_minimizer", wrong_sign)
    for cid in ("momentum.minimizer", "answers.ex3"):
        result = _run_one(registered_claims()[cid])
        assert result.verdict == "error" and "GD's limit" in (result.error or ""), cid


def test_a_wrong_eigen_form_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # the eigenvalues paired with the wrong eigenvectors: the objective on the grid disagrees
    from optheory.verification.claims import quadratic

    real = quadratic.eigen_form

    def swapped(Q, c, b):  # type: ignore[no-untyped-def]
        eig = real(Q, c, b)
        lam = eig.Lambda
        return replace(eig, Lambda=type(lam).diag(lam[1, 1], lam[0, 0]))

    monkeypatch.setattr(quadratic, "eigen_form", swapped)
    result = _run_one(registered_claims()["momentum.eigen-change"])
    assert result.verdict == "error" and "derived eigen form" in (result.error or "")


@pytest.mark.parametrize("cid, attribute", [("momentum.completed-square", "f"),
                                            ("momentum.gradient", "grad")])
def test_a_wrong_objective_is_caught(monkeypatch: pytest.MonkeyPatch, cid: str,
                                     attribute: str) -> None:
    # the numeric objective off by a factor 2 (the classic x^T Q x vs x^T Q x / 2 slip)
    from optheory.numeric.problems import EigenQuadratic

    real = getattr(EigenQuadratic, attribute)
    monkeypatch.setattr(EigenQuadratic, attribute, lambda self, x: 2 * real(self, x))
    result = _run_one(registered_claims()[cid])
    assert result.verdict == "error", (cid, result.verdict)
    assert "witness disagrees with the derivation" in (result.error or "")


def _fit_gaps(evidence_of: dict) -> dict[str, tuple[float, float]]:
    """(observed gap, tolerance) of the witnesses whose tolerance is a fit or sampling allowance."""
    demo, beta, samples, ex1, euler = (evidence_of[k] for k in (
        "momentum.demo-momentum", "textbook.large-beta", "momentum.effective-samples",
        "answers.ex1", "ode.euler"))
    hh = "high_eta_high_beta"  # ex1's complex pair: 1 - rho compared relative, 5e-2
    return {
        "momentum.demo-momentum": (demo["max_gap_fitted_vs_spectral_radius"],
                                   demo["rate_tolerance"]),
        "textbook.large-beta": (max(abs(beta["measured_rate_optimal"] - beta["optimal_rate"]),
                                    abs(beta["measured_rate_beta_0.9"] - beta["beta_0.9_best_rate"])),
                                0.02),
        "momentum.effective-samples": (
            abs(samples["measured_effective_sample_size"] / samples["kish_effective_sample_size"] - 1),
            samples["relative_tolerance"]),
        "answers.ex1": (abs((1 - ex1["regression_measured_rates_full_batch"][hh])
                            / (1 - ex1["rate_maps"]["regression"]["rates"][hh]) - 1),
                        ex1["relative_tolerance_on_1_minus_rho"][hh]),
        "ode.euler": (max(abs(euler["fitted_local_order"] - 2), abs(euler["fitted_global_order"] - 1)),
                      0.1),
    }


@pytest.mark.slow
def test_fit_and_sampling_tolerances_are_not_loose() -> None:
    # these tolerances allow for a fit's bias or a sampling error, not for rounding: the real
    # optimizer's gap must use a visible part of them (more than 1/200), or the tolerance would
    # let through any implementation that is only a little wrong
    ids = ["momentum.demo-momentum", "textbook.large-beta", "momentum.effective-samples",
           "answers.ex1", "ode.euler"]
    table = registered_claims()
    evidence = {cid: _run_one(table[cid]).evidence for cid in ids}
    for cid, (gap, tol) in _fit_gaps(evidence).items():
        assert tol / 200 < gap <= tol, (cid, gap, tol)
