"""The noisy quadratic (optheory/numeric/noisy.py)."""

from __future__ import annotations

import numpy as np
import pytest

from optheory.numeric.noisy import NoisyQuadratic
from optheory.numeric.problems import EigenQuadratic
from optheory.numeric.run import run
from tests.conftest import require_torch


def test_reproducible_and_unbiased() -> None:
    base = EigenQuadratic([2.0, 4.0])
    x = np.tile([1.0, -1.0], (20000, 1))
    g1 = NoisyQuadratic([2.0, 4.0], 0.5, seed=4).grad(x)
    g2 = NoisyQuadratic([2.0, 4.0], 0.5, seed=4).grad(x)
    assert np.array_equal(g1, g2)
    assert not np.array_equal(g1, NoisyQuadratic([2.0, 4.0], 0.5, seed=5).grad(x))
    noise = g1 - base.grad(x)
    # 20000 draws: the mean has se 0.5/sqrt(20000) = 0.0035 (5 se = 0.018); the sd 0.5
    # has se 0.5/sqrt(40000) = 0.0025 (5 se = 0.013)
    assert np.all(np.abs(noise.mean(axis=0)) < 0.018)
    assert np.all(np.abs(noise.std(axis=0) - 0.5) < 0.013)
    point = np.array([1.0, 1.0])
    assert NoisyQuadratic([2.0, 4.0], 0.5, seed=4).f(point) == base.f(point) == 3.0


def test_zero_noise_is_the_quadratic_and_zero_curvature_is_pure_noise() -> None:
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    assert np.array_equal(NoisyQuadratic([2.0, 4.0], 0.0, seed=0).grad(x),
                          EigenQuadratic([2.0, 4.0]).grad(x))
    pure = NoisyQuadratic([0.0], 1.0, seed=3)
    assert np.array_equal(pure.grad(np.full((4, 1), 7.0)),
                          np.random.default_rng(3).standard_normal((4, 1)))


def test_runs_as_a_problem() -> None:
    # SGD on lam = 1 with sigma = 1 and eta = 0.1: stationary Var x = eta sigma^2 /
    # (lam (2 - eta lam)) = 1/19 (oracle); 2000 chains x 300 late steps with correlation
    # time ~10 steps give ~6e4 effective samples, relative se ~0.6%, so 5% is > 8 se
    traj = run("gd", NoisyQuadratic([1.0], 1.0, seed=1), [0.0], 600, eta=[0.1] * 2000)
    assert float(np.mean(traj.x[300:, :, 0] ** 2)) == pytest.approx(1 / 19, rel=0.05)


def test_torch_backend_draws_the_same_noise() -> None:
    torch = require_torch()
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    a = NoisyQuadratic([2.0, 4.0], 0.3, seed=7).grad(x)
    b = NoisyQuadratic([2.0, 4.0], 0.3, seed=7, backend="torch").grad(torch.tensor(x))
    assert isinstance(b, torch.Tensor) and np.array_equal(a, b.numpy())


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"eigenvalues": [1.0, -1.0]}, "eigenvalues"),
        ({"eigenvalues": [np.nan]}, "eigenvalues"),
        ({"eigenvalues": []}, "eigenvalues"),
        ({"sigma": -1.0}, "sigma"),
        ({"sigma": float("inf")}, "sigma"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"backend": "jax"}, "backend"),
        ({"dtype": "int8"}, "dtype"),
    ],
)
def test_bad_input(kwargs: dict[str, object], word: str) -> None:
    args: dict[str, object] = {"eigenvalues": [1.0], "sigma": 1.0, "seed": 0, **kwargs}
    with pytest.raises(ValueError, match=word):
        NoisyQuadratic(**args)  # type: ignore[arg-type]


def test_points_of_the_wrong_shape() -> None:
    with pytest.raises(ValueError, match="shape"):
        NoisyQuadratic([1.0, 2.0], 1.0, 0).grad(np.zeros(3))
