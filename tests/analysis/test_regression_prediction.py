"""Regression is a quadratic: the eigenvalues of A^T A / n predict GD and momentum on it."""

from __future__ import annotations

import numpy as np
import pytest

from optheory.analysis.rates import spectral_radius
from optheory.analysis.regression import (
    predicted_mean_path,
    predicted_rate,
    regression_data,
    train,
)
from tests.conftest import require_airfoil


@pytest.fixture(scope="module")
def data():
    return regression_data(require_airfoil())


def _start(dim: int) -> np.ndarray:
    rng = np.random.default_rng(0)  # the textbook's w ~ N(0, 0.01^2), b = 0
    return np.concatenate([rng.normal(0.0, 0.01, dim - 1), [0.0]])


@pytest.mark.parametrize(("method", "hyper"), [("gd", {"eta": 0.5}), ("momentum", {"eta": 0.2, "beta": 0.5})])
def test_full_batch_path_is_predicted_exactly(data, method: str, hyper: dict) -> None:
    theta0 = _start(data.dim)
    predicted = predicted_mean_path(data, method, 40, theta0, **hyper)
    measured = train(data, method, batch=data.n, epochs=40, hyper=hyper, start=theta0,
                     evals_per_epoch=1)
    # both are float64 evaluations of the same linear recursion in different bases:
    # differences are rounding, ~1e-15 on losses of order 0.5
    np.testing.assert_allclose(data.loss(predicted), measured.loss[:, 0, 0], rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("method", "hyper"),
    [  # the textbook's minibatch (batch 10) settings for SGD and momentum
        ("gd", {"eta": 0.05}),
        ("momentum", {"eta": 0.02, "beta": 0.5}),
        ("momentum", {"eta": 0.005, "beta": 0.9}),
    ],
)
def test_minibatch_mean_path_is_predicted(data, method: str, hyper: dict) -> None:
    theta0 = _start(data.dim)
    run = train(data, method, batch=10, epochs=1, hyper=hyper, start=theta0, replace=True,
                replicas=400, seed=3, evals_per_epoch=1)
    predicted = predicted_mean_path(data, method, run.steps_per_epoch, theta0, **hyper)[-1]
    final = run.theta[0]
    se = final.std(axis=0, ddof=1) / np.sqrt(final.shape[0])
    # Unbiased, independent minibatch gradients: the mean over 400 streams is the
    # predicted mean up to Monte Carlo error; 4.5 standard errors bounds all 6 coordinates
    # (a false alarm has probability < 1e-4 even before fixing the seed).
    assert np.all(np.abs(final.mean(axis=0) - predicted) < 4.5 * se)
    # and the prediction is informative: the mean is still far (in standard errors)
    # from the least-squares solution after one epoch
    assert np.max(np.abs(predicted - data.minimizer()) / se) > 10


def test_predicted_rate_is_the_largest_spectral_radius(data) -> None:
    lam = np.linalg.eigvalsh(data.hessian())
    # GD at eta = 0.05: the slowest direction contracts by 1 - eta * lam_min
    assert predicted_rate(data, "gd", eta=0.05) == pytest.approx(1 - 0.05 * lam.min(), rel=1e-12)
    rate = predicted_rate(data, "momentum", eta=0.02, beta=0.5)
    assert rate == pytest.approx(float(np.max(spectral_radius("momentum", 0.02, lam, 0.5))))
