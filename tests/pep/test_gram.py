"""The Gram PEP set up once per grid gives PEPit's values, cell by cell."""

from __future__ import annotations

import pytest

from optheory.pep.gram import GramPEP
from tests.pep._pepit import pepit_value

pytestmark = pytest.mark.pep


@pytest.mark.parametrize(("method", "mu", "L", "steps", "cells"), [
    ("momentum", 1.0, 25.0, 3, [(1 / 9, 4 / 9), (0.05, 0.3), (0.02, 0.8)]),
    ("nesterov", 1.0, 10.0, 2, [(0.1, 0.52), (0.15, 0.2)]),
    ("polyak", 1.0, 100.0, 3, [(0.03, 0.6)]),
    ("gd", 2.0, 20.0, 2, [(0.05, 0.0)]),
])
def test_matches_pepit(method: str, mu: float, L: float, steps: int, cells: list) -> None:
    pep = GramPEP(method, mu, L, steps)
    for eta, beta in cells:
        ours = pep.solve(eta, beta)
        reference = pepit_value(method, mu, L, steps, eta, beta)
        assert ours.status == "optimal" and ours.solver == "CLARABEL"
        # both CLARABEL (about 1e-9 relative); PEPit's own formulation differs in
        # scaling and bookkeeping, so agreement is asked to 1e-6 relative
        assert ours.value == pytest.approx(reference, rel=1e-6)


def test_gd_worst_case_is_the_known_tight_value() -> None:
    # oracle: for gd on F(mu, L) the distance ratio after N steps is max|1 - eta lam|^(2N)
    pep = GramPEP("gd", 1.0, 10.0, 4)
    for eta in (0.05, 2 / 11, 0.19):
        rate = max(abs(1 - eta), abs(1 - 10 * eta))
        assert pep.solve(eta, 0.0).value == pytest.approx(rate ** 8, rel=1e-6)


def test_scs_fallback_gives_the_same_value_to_its_accuracy() -> None:
    pep = GramPEP("momentum", 1.0, 25.0, 2)
    fast = pep.solve(0.05, 0.3)
    scs = pep.solve(0.05, 0.3, solver="SCS")
    assert scs.solver == "SCS" and scs.status == "optimal"
    assert scs.value == pytest.approx(fast.value, rel=1e-4)  # SCS: about 1e-5 relative


@pytest.mark.parametrize("steps", [0, 31, 2.5])
def test_horizon_limits(steps: object) -> None:
    with pytest.raises(ValueError, match="steps"):
        GramPEP("momentum", 1.0, 25.0, steps)  # type: ignore[arg-type]


def test_matches_the_projects_pepit_route() -> None:
    from optheory.pep.pepit_problem import pepit_worst_case

    pep = GramPEP("nesterov", 1.0, 25.0, 3)
    for eta, beta in [(0.04, 0.6), (0.08, 0.3)]:
        reference = pepit_worst_case("nesterov", 1.0, 25.0, 3, {"eta": eta, "beta": beta})
        assert reference.solver == "CLARABEL"
        assert pep.solve(eta, beta).value == pytest.approx(reference.value, rel=1e-6)
