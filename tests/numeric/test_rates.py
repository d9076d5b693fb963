"""empirical_rate: log-linear fit of |z_t|."""

from __future__ import annotations

import numpy as np
import pytest

from optheory.numeric.problems import EigenQuadratic
from optheory.numeric.rates import empirical_rate
from optheory.numeric.run import run


def test_geometric_sequence_gives_its_ratio():
    t = np.arange(40)
    assert empirical_rate(3.0 * 0.7**t) == pytest.approx(0.7, rel=1e-12)
    # signs are ignored: an oscillating sequence contracts at |q|
    assert empirical_rate(2.0 * (-0.9) ** t) == pytest.approx(0.9, rel=1e-12)
    assert empirical_rate(1e-3 * 1.1**t) == pytest.approx(1.1, rel=1e-12)


def test_vectors_use_their_norm_and_skip_drops_a_transient():
    t = np.arange(60)[:, None]
    # a fast mode (0.2^t) dies out; after it the slow mode 0.95^t alone sets the rate
    z = np.hstack([5.0 * 0.2**t, 0.01 * 0.95**t])
    assert empirical_rate(z, skip=30) == pytest.approx(0.95, rel=1e-9)
    assert empirical_rate(z) < 0.95


def test_exact_zero_ends_the_fit():
    values = [8.0, 4.0, 2.0, 1.0, 0.0, 0.0]
    assert empirical_rate(values) == pytest.approx(0.5, rel=1e-12)


def test_gradient_descent_rate_on_one_eigenvalue():
    # GD on f = lam x^2 / 2 multiplies x by (1 - eta lam) each step: the textbook rate.
    lam, eta = 2.0, 0.3
    traj = run("gd", EigenQuadratic([lam]), [1.5], 60, eta=eta)
    assert empirical_rate(traj.x[:, 0]) == pytest.approx(abs(1 - eta * lam), rel=1e-10)


@pytest.mark.parametrize(
    ("values", "skip", "message"),
    [
        ([1.0, 0.5], -1, "skip must be an integer >= 0"),
        ([1.0, 0.5], 0.5, "skip must be an integer >= 0"),
        ([1.0, float("inf")], 0, "values must be finite"),
        ([[[1.0]]], 0, "values must have shape (T,) or (T, d)"),
        (["a", "b"], 0, "values must be a sequence of numbers"),
        ([1.0, 0.5, 0.25], 2, "at least two nonzero entries after skip=2"),
        ([1.0, 0.0, 3.0], 0, "at least two nonzero entries"),
    ],
)
def test_bad_input(values, skip, message):
    with pytest.raises(ValueError) as info:
        empirical_rate(values, skip=skip)
    assert message in str(info.value)
