"""The regression problem and minibatch trainer (optheory.analysis.regression)."""

from __future__ import annotations

import numpy as np
import pytest

from optheory.analysis.regression import regression_data, stationary_excess, train


def test_synthetic_stand_in_has_the_airfoil_shape() -> None:
    data = regression_data(None)
    assert data.source == "synthetic" and data.A.shape == (1500, 6) and data.y.shape == (1500,)
    assert np.allclose(data.A[:, :5].mean(axis=0), 0, atol=1e-12)  # standardised columns
    assert np.allclose(data.A[:, :5].std(axis=0), 1, atol=1e-12)
    assert np.all(data.A[:, 5] == 1)
    again = regression_data(None)
    assert np.array_equal(data.A, again.A) and np.array_equal(data.y, again.y)  # fixed seed


def test_full_batch_training_is_gradient_descent() -> None:
    data = regression_data(None)
    res = train(data, "gd", batch=data.n, epochs=3, hyper={"eta": 0.5}, seed=0)
    rng = np.random.default_rng(0)
    theta = np.concatenate([rng.normal(0.0, 0.01, 5), [0.0]])  # the textbook's start
    for _ in range(3):
        theta = theta - 0.5 * data.A.T @ (data.A @ theta - data.y) / data.n
    # the trainer sums the batch in a shuffled order: agreement to rounding
    assert np.max(np.abs(res.theta[0, 0] - theta)) < 1e-13
    assert res.final[0, 0] == pytest.approx(data.loss(theta), rel=1e-12)


def test_min_loss_and_hessian() -> None:
    data = regression_data(None)
    theta = data.minimizer()
    grad = data.A.T @ (data.A @ theta - data.y) / data.n
    assert np.max(np.abs(grad)) < 1e-12
    assert np.allclose(data.hessian(), data.A.T @ data.A / data.n)
    dup = data.duplicated()
    assert dup.n == 2 * data.n and dup.min_loss() == pytest.approx(data.min_loss(), rel=1e-12)


def test_batched_settings_and_schedules() -> None:
    data = regression_data(None)
    a = train(data, "gd", batch=10, epochs=1, hyper={"eta": [0.01, 0.05]}, replicas=2, seed=3)
    assert a.loss.shape[1:] == (2, 2) and a.theta.shape == (2, 2, 6)
    b = train(data, "gd", batch=10, epochs=1, hyper={"eta": 0.05}, replicas=2, seed=3,
              schedule=lambda t: 0.2)
    c = train(data, "gd", batch=10, epochs=1, hyper={"eta": 0.01}, replicas=2, seed=3)
    # a constant schedule factor 0.2 turns eta = 0.05 into 0.01 (same seed, same sampling);
    # 0.05 * 0.2 and 0.01 differ in the last bit, hence the 1e-12 tolerance
    assert np.allclose(b.loss, c.loss, rtol=1e-12, atol=0)
    with pytest.raises(ValueError, match="batch"):
        train(data, "gd", batch=0, epochs=1, hyper={"eta": 0.1})


def test_stationary_excess_is_nonnegative_and_grows_with_eta() -> None:
    data = regression_data(None)
    mean, se = stationary_excess(data, batch=10, etas=[0.01, 0.1], replace=True, epochs=2,
                                 replicas=4)
    assert np.all(mean > 0) and np.all(se > 0) and mean[1] > mean[0]


def test_evaluation_steps_when_an_epoch_is_shorter_than_its_evaluations() -> None:
    # batch 500 of 1500 examples: 3 steps per epoch, so 10 evaluations per epoch collapse
    # onto steps 1, 2, 3 (rounded); each evaluation records the step it follows
    data = regression_data(None)
    res = train(data, "gd", batch=500, epochs=2, hyper={"eta": 0.1}, evals_per_epoch=10)
    assert res.steps_per_epoch == 3
    assert res.steps.tolist() == [0, 1, 2, 3, 4, 5, 6]
    assert res.examples.tolist() == [500 * t for t in range(7)]


def test_stationary_excess_discards_exactly_the_first_epoch() -> None:
    # 3 steps per epoch and 3 epochs: the mean is over the 6 losses after step 3 (was NaN
    # with a warning when the first epoch was counted as 11 evaluations)
    data = regression_data(None)
    mean, se = stationary_excess(data, batch=500, etas=[0.05], replace=True, epochs=3,
                                 replicas=3)
    res = train(data, "gd", batch=500, epochs=3, hyper={"eta": [0.05]}, replicas=3, seed=0,
                replace=True, evals_per_epoch=10, start=data.minimizer())
    expected = (res.loss[4:] - data.min_loss()).mean(axis=0).mean(axis=1)
    assert np.isfinite(mean).all() and np.isfinite(se).all()
    np.testing.assert_array_equal(mean, expected)
    with pytest.raises(ValueError, match="epochs"):
        stationary_excess(data, batch=500, etas=[0.05], replace=True, epochs=1)
