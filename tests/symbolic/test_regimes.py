"""Exact regime, eigenvalues and spectral radius at a point, for every linear method."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp

from optheory.symbolic.heavy_ball import regime as heavy_ball_regime
from optheory.symbolic.regimes import analyse_point

R = sp.Rational


def test_momentum_agrees_with_the_heavy_ball_module() -> None:
    # includes exact boundary points: critical damping at eta lam = (1 - sqrt(beta))^2
    # (beta = 1/4, eta lam = 1/4), one step at eta lam = 1, beta = 0, divergence at 2 + 2 beta
    etas = [R(1, 8), R(1, 4), R(1, 2), R(1), R(3, 2), R(5, 2)]
    betas = [R(-1, 2), R(0), R(1, 4), R(1, 2), R(9, 10)]
    for eta, beta in itertools.product(etas, betas):
        found = analyse_point("momentum", eta, 1, beta)
        assert found.regime == heavy_ball_regime(eta, 1, beta), (eta, beta)
    assert analyse_point("momentum", R(1, 4), 1, R(1, 4)).regime == "critical"
    assert analyse_point("momentum", 1, 1, 0).regime == "one_step"


def _hand_matrix(method: str, eta: float, lam: float, beta: float) -> np.ndarray:
    """The iteration matrix typed from each update rule on lam x^2 / 2 (oracle)."""
    if method == "gd":
        return np.array([[1 - eta * lam]])
    if method == "momentum":  # v = beta v + g, x -= eta v; state (v, x)
        return np.array([[beta, lam], [-eta * beta, 1 - eta * lam]])
    if method == "polyak":  # x' = x - eta g + beta (x - x_prev); state (x, x_prev)
        return np.array([[1 + beta - eta * lam, -beta], [1.0, 0.0]])
    if method == "ema":  # v = beta v + (1 - beta) g, x -= eta v; state (v, x)
        return np.array([[beta, (1 - beta) * lam],
                         [-eta * beta, 1 - eta * (1 - beta) * lam]])
    # nesterov as torch.optim.SGD(nesterov=True): v = beta v + g, x -= eta (g + beta v)
    return np.array([[beta, lam], [-eta * beta**2, 1 - eta * lam * (1 + beta)]])


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov", "polyak", "ema"])
def test_radius_and_eigenvalues_against_numpy(method: str) -> None:
    rng = np.random.default_rng(11)
    for _ in range(15):
        eta, lam = R(int(rng.integers(1, 40)), 20), R(int(rng.integers(1, 60)), 10)
        beta = R(0) if method == "gd" else R(int(rng.integers(-9, 10)), 10)
        found = analyse_point(method, eta, lam, beta)
        want = np.linalg.eigvals(_hand_matrix(method, float(eta), float(lam), float(beta)))
        # exact roots vs LAPACK on a 2 x 2 matrix: rounding only, and at a double root
        # (critical damping) the eigenvalues split by sqrt(1e-16): 1e-7 covers both
        got = sorted((complex(sp.N(z)) for z in found.eigenvalues), key=lambda z: (z.real, z.imag))
        want_sorted = sorted(want, key=lambda z: (z.real, z.imag))
        assert len(got) == len(want_sorted)
        for a, b in zip(got, want_sorted, strict=True):
            assert abs(a - b) < 1e-7, (eta, lam, beta)
        assert float(found.radius) == pytest.approx(max(abs(want)), rel=1e-7, abs=1e-12)
        assert found.stable == (float(found.radius) < 1)
        assert (found.regime == "divergence") == (not found.stable)


def test_gd_regimes_and_bad_input() -> None:
    assert [analyse_point("gd", R(1, 2), lam).regime for lam in (1, 2, 3, 4)] == [
        "monotone", "one_step", "oscillation", "divergence"]
    with pytest.raises(ValueError, match="beta must be 0"):
        analyse_point("gd", 1, 1, R(1, 2))
    with pytest.raises(ValueError, match="eta must be > 0"):
        analyse_point("momentum", 0, 1, R(1, 2))
    with pytest.raises(ValueError, match="adam' is not linear"):
        analyse_point("adam", 1, 1)
