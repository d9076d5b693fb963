"""Limit-cycle detection at the end of a trajectory."""

from __future__ import annotations

import numpy as np
import pytest

from optheory._checks import check_positive_int
from optheory.numeric.cycles import find_cycle


def test_period_two_orbit_of_gd_at_eta_two_over_lam() -> None:
    # GD on lam x^2/2 with eta = 2/lam maps x -> -x: a period-2 cycle.
    x = 3.0 * (-1.0) ** np.arange(40)
    cycle = find_cycle(x)
    assert cycle is not None and cycle.period == 2


@pytest.mark.parametrize("bad", [np.array([]), np.zeros((0, 2)), np.zeros((3, 0)), np.zeros((2, 2, 2))])
def test_empty_or_misshaped_trajectory_is_a_value_error(bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match="x must be"):
        find_cycle(bad)


def test_check_positive_int_accepts_numpy_integers_and_integral_floats() -> None:
    assert check_positive_int("n", np.int64(10)) == 10
    assert check_positive_int("n", np.uint8(3)) == 3
    assert check_positive_int("n", 10.0) == 10
    for bad in (True, np.int64(0), 2.5, float("inf"), "3", np.bool_(True)):
        with pytest.raises(ValueError, match="n must be"):
            check_positive_int("n", bad)
    assert find_cycle(np.zeros(20), max_period=np.int64(3), repeats=np.int32(2)) is not None
