"""Acceleration in general: verdicts from the PEPit table (marked pep)."""

from __future__ import annotations

import pytest

from optheory.verification.claims import beyond

pytestmark = pytest.mark.pep


def test_acceleration_convex_refuted_over_F_holds_on_quadratics() -> None:
    over_f = beyond.acceleration_convex()
    assert over_f.verdict == "refuted"
    ev = over_f.evidence
    # heavy ball's worst case grows on both classes; gd contracts at its rate (L - 1)/(L + 1)
    assert ev["momentum_factor_L25"] > 1 and ev["momentum_factor_L100"] > 1
    assert ev["gd_factor_L25"] == pytest.approx(24 / 26, abs=5e-4)  # printed to 3 digits
    assert str(ev["momentum_factor_L100"]) in (over_f.corrected or "")
    quad = beyond.acceleration_convex(function_class="quadratic")
    assert quad.verdict == "holds"
    assert quad.evidence["momentum_factor_L25"] < quad.evidence["gd_factor_L25"]


def test_acceleration_ill_conditioned() -> None:
    assert beyond.acceleration_ill_conditioned().verdict == "refuted"
    quad = beyond.acceleration_ill_conditioned(function_class="quadratic")
    assert quad.verdict == "holds"
    assert quad.evidence["speedup_L100"] > quad.evidence["speedup_L25"] > 1
