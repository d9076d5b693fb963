"""Rotation: linear methods are equivariant, per-coordinate adaptive methods are not."""

from __future__ import annotations

import numpy as np
import pytest

from optheory.analysis.rotation import rotation_table, steps_to_tolerance


@pytest.fixture(scope="module")
def table():
    return {row.method: row for row in rotation_table(max_steps=3000)}


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov"])
def test_linear_methods_rotation_invariant(table, method: str) -> None:
    row = table[method]
    # the rotated run, mapped back, equals the axis-aligned run up to float64 rounding
    assert row.equivariance_error < 1e-12
    assert row.steps_axis == row.steps_rotated is not None


@pytest.mark.parametrize("method", ["adagrad", "adam", "amsgrad", "yogi"])
def test_adaptive_methods_are_not(table, method: str) -> None:
    row = table[method]
    assert row.equivariance_error > 1e-2
    # axis-aligned curvature is what per-coordinate scaling exploits: rotating costs steps
    assert row.steps_axis is not None and row.steps_rotated is not None
    assert row.steps_rotated > 1.3 * row.steps_axis


def test_textbook_rotation_also_rescales(table) -> None:
    # eigenvalues (0.4, 8) are twice (0.2, 4): GD with eta = 0.2 contracts the slow
    # direction by 1 - 0.08 instead of 1 - 0.04, so it needs about half the steps.
    gd = table["gd"]
    assert gd.steps_textbook_rotated is not None and gd.steps_axis is not None
    ratio = gd.steps_textbook_rotated / gd.steps_axis
    expected = np.log(1 - 0.04) / np.log(1 - 0.08)
    assert ratio == pytest.approx(expected, rel=0.05)


def test_rmsprop_with_constant_rate_stalls(table) -> None:
    # with a constant eta RMSProp ends in an oscillation instead of reaching 1e-6
    assert table["rmsprop"].steps_axis is None


def test_steps_to_tolerance_requires_staying_below() -> None:
    x = np.array([[1.0], [1e-9], [1.0], [1e-9], [1e-10]])
    assert steps_to_tolerance(x, np.zeros(1), 1e-6) == 3
    assert steps_to_tolerance(x[:3], np.zeros(1), 1e-6) is None
