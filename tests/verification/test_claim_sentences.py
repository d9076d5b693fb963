"""Claim summaries and corrected statements follow the computed values (issue items)."""

from __future__ import annotations

import sympy as sp

from optheory.verification.claims import adaptive, leaky


def test_half_life_holds_summary_names_the_stated_expression() -> None:
    gamma = sp.Symbol("gamma", real=True)
    v = leaky.rmsprop_half_life(stated_expr=sp.log(2) / sp.log(1 / gamma))
    assert v.verdict == "holds"
    # no hard-coded "= 1/gamma": the summary prints what was stated and computed
    assert "= 1/gamma" not in v.summary
    assert "log(2)" in v.summary and "6.579" in v.summary
    refuted = leaky.rmsprop_half_life()
    assert refuted.verdict == "refuted" and "1/gamma = 1.111" in refuted.summary


def test_adagrad_to_zero_uses_the_noisy_runs() -> None:
    v = adaptive.adagrad_to_zero()
    ev = v.evidence
    assert v.verdict == "refuted"
    assert ev["noisy_keeps_improving"] is True
    gain_mid, gain_late = ev["noisy_gain_middle_and_last_third"]
    assert ev["noisy_progress_slows"] == (gain_late < gain_mid)
    # the corrected sentence is the one chosen by the two measured conditions
    slowing = ev["noisy_progress_slows"]
    assert ("slowing but not stopping progress" in (v.corrected or "")) == slowing
    assert ("slows but continues" in v.summary) == slowing
    # the statement with "keep improving" holds on the same runs
    assert adaptive.adagrad_to_zero(stops=False).verdict == "holds"


def test_adagrad_rate_compares_the_stated_exponent() -> None:
    assert adaptive.adagrad_rate(setting="noisy").verdict == "holds"
    assert adaptive.adagrad_rate(setting="noisy", stated_exponent=sp.Rational(-1, 3)).verdict == (
        "refuted")
