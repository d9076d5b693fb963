"""The worst spectral radius over a curvature interval, maximised exactly."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from optheory.analysis.interval_rate import interval_rate
from optheory.analysis.rates import spectral_radius

R = sp.Rational


def test_gd_oracle() -> None:
    # oracle: |1 - eta lam| is convex in lam, so the worst is at an end
    for eta in (R(1, 50), R(2, 101), R(1, 10)):
        found = interval_rate("gd", eta, 0, 1, 100)
        assert found.rate == max(abs(1 - eta), abs(1 - 100 * eta))


def test_tuned_momentum_is_the_tuned_rate() -> None:
    from optheory.symbolic.tuning import optimal_parameters

    tuned = optimal_parameters("momentum", 1, 100)
    found = interval_rate("momentum", tuned["eta"], tuned["beta"], 1, 100)
    assert sp.simplify(found.rate - tuned["rate"]) == 0  # 9/11 (Polyak)
    assert found.rate == R(9, 11)


@pytest.mark.parametrize("method", ["momentum", "nesterov", "polyak", "ema"])
def test_against_a_dense_grid(method: str) -> None:
    """Numeric witness: no grid point is above the exact maximum, and the grid comes close."""
    rng = np.random.default_rng(2)
    for _ in range(6):
        eta = R(int(rng.integers(1, 30)), 100)
        beta = R(int(rng.integers(-9, 10)), 10)
        lo, hi = R(int(rng.integers(1, 20)), 10), R(int(rng.integers(21, 80)), 10)
        found = interval_rate(method, eta, beta, lo, hi)
        grid = np.linspace(float(lo), float(hi), 20001)
        rho = spectral_radius(method, float(eta), grid, float(beta))
        exact = float(found.rate)
        # rho is sqrt-like near a double root: between grid points it can rise by
        # ~sqrt(step) ~ 1e-2 at most; above the exact max only by rounding (1e-9)
        assert rho.max() <= exact * (1 + 1e-9) + 1e-12
        assert rho.max() >= exact - 2e-2
        assert float(found.at_ends[0]) == pytest.approx(float(rho[0]), rel=1e-9)
        assert float(found.at_ends[1]) == pytest.approx(float(rho[-1]), rel=1e-9)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="lam_min must be <= lam_max"):
        interval_rate("momentum", R(1, 10), R(1, 2), 2, 1)
    with pytest.raises(ValueError, match="adam' is not linear"):
        interval_rate("adam", 1, 0, 1, 2)
    with pytest.raises(ValueError, match="eta must be > 0"):
        interval_rate("gd", 0, 0, 1, 2)
