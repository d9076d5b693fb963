"""The Gram PEP set up once per grid gives PEPit's values, cell by cell."""

from __future__ import annotations

import numpy as np
import pytest

from optheory.pep.gram import SCALE_CURVATURES, GramPEP, coefficient_vectors, gradient_scales
from optheory.pep.reference import pepit_from_state_space

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
        reference = pepit_from_state_space(method, mu, L, steps, eta, beta)
        assert reference is not None
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


def test_gradient_scales_are_the_quadratic_gradients() -> None:
    # oracle: for gd on lam x^2 / 2 from x0 = 1, g_k = lam (1 - eta lam)^k
    eta, m, steps = 1.7, 0.04, 6
    points, _ = coefficient_vectors("gd", eta, 0.0, steps)
    lam = np.linspace(m, 1.0, SCALE_CURVATURES)
    expected = [np.max(np.abs(lam * (1 - eta * lam) ** k)) for k in range(steps)]
    np.testing.assert_allclose(gradient_scales(points, m), expected, rtol=1e-13)


def test_scaled_rows_and_objective_are_normalised() -> None:
    pep = GramPEP("momentum", 1.0, 25.0, 4)
    rows, objective, factor = pep.scaled(0.17, 0.3)
    assert rows.shape == (pep.npairs, pep.nsvec + pep.steps)
    np.testing.assert_allclose(np.abs(rows).max(axis=1), 1.0, rtol=1e-15)
    assert np.abs(objective).max() == pytest.approx(1.0, rel=1e-15)
    assert factor > 1.0  # a diverging cell: x_N's coefficients are large


@pytest.mark.parametrize("eta_L", [3.2, 4.4])
def test_diverging_gd_gives_the_tight_value(eta_L: float) -> None:
    # oracle: max(|1 - eta mu|, |1 - eta L|)^(2N); here up to 5e10, where the unscaled SDP
    # made CLARABEL stop with a numerical error and SCS report "unbounded"
    pep = GramPEP("gd", 1.0, 25.0, 10)
    cell = pep.solve(eta_L / 25.0, 0.0)
    assert (cell.solver, cell.status) == ("CLARABEL", "optimal")
    assert cell.value == pytest.approx((eta_L - 1.0) ** 20, rel=1e-6)


def test_diverging_heavy_ball_matches_pepit() -> None:
    # a cell whose worst case is about 1.04e4 after 10 steps; PEPit's own (unscaled)
    # formulation and SCS agree with it to about 5e-6 there, hence 1e-4
    eta, beta = 2.7778 / 25.0, 0.1286
    ours = GramPEP("momentum", 1.0, 25.0, 10).solve(eta, beta)
    reference = pepit_from_state_space("momentum", 1.0, 25.0, 10, eta, beta)
    assert ours.solver == "CLARABEL" and ours.status == "optimal"
    assert reference is not None and reference > 1e3
    assert ours.value == pytest.approx(reference, rel=1e-4)


def test_a_grid_at_n_10_is_solved_by_clarabel_directly() -> None:
    # the whole bench grid (eta 0.2 .. 1.6 times the tuned step, beta 0 .. 0.9) has worst
    # cases from 0.1 to 5e10; every cell gets a value without the cvxpy fallback
    pep = GramPEP("momentum", 1.0, 25.0, 10)
    eta_opt = 1 / 9
    cells = [pep.solve(e, b) for e in np.linspace(0.2 * eta_opt, 1.6 * eta_opt, 6)
             for b in np.linspace(0.0, 0.9, 6)]
    assert {c.solver for c in cells} == {"CLARABEL"}
    assert all(c.status in ("optimal", "optimal_inaccurate") for c in cells)
    values = np.array([c.value for c in cells])
    assert values.min() < 1.0 < 1e10 < values.max()
    # the beta = 0 cells are gd: their tight value is known
    for k, e in enumerate(np.linspace(0.2 * eta_opt, 1.6 * eta_opt, 6)):
        tight = max(abs(1 - e), abs(1 - 25 * e)) ** 20
        assert values[6 * k] == pytest.approx(tight, rel=1e-6)
