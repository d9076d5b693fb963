"""Answers of the section "Stochastic Gradient Descent" (optheory/exercises/sgd.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optheory.exercises.sgd import expected_second_moments, moment_map
from tests.exercises._cache import solved


def test_moment_map_matches_the_closed_form() -> None:
    mean, second, (m, s, eta, lam, sigma) = moment_map()
    # oracle: E x' = (1 - eta lam) m, E x'^2 = (1 - eta lam)^2 s + eta^2 sigma^2
    assert (mean - (1 - eta * lam) * m).expand() == 0
    assert (second - ((1 - eta * lam) ** 2 * s + eta**2 * sigma**2)).expand() == 0


def test_expected_second_moments_constant_rate_limit() -> None:
    sq = expected_second_moments(np.array([2.0]), np.array([1.0]), lambda t: 0.1, 400)
    # oracle: eta / (lam (2 - eta lam)); the transient (0.8^2)^400 is below 1e-70
    assert sq[-1, 0] == pytest.approx(0.1 / (2 * 1.8), rel=1e-12)


def test_sgd1_schedules() -> None:
    n = solved("sgd", 1).numbers
    floor = math.sqrt(0.1 / (2 * (2 - 0.2)) + 0.1 / (4 * (2 - 0.4)))  # oracle
    assert n["noise_floor"] == pytest.approx(floor, rel=1e-12)
    for name, row in n["schedules"].items():
        for t, measured in row["rms_distance"].items():
            # 500 chains: the mean of |x|^2 has a relative standard error of at most
            # sqrt(2/500) ~ 6%, the RMS half of that; 15% is about 5 standard errors
            assert measured == pytest.approx(row["predicted_rms_distance"][t], rel=0.15), (
                name, t)
    s = n["schedules"]
    assert s["constant"]["predicted_rms_distance"]["1000"] == pytest.approx(floor, rel=1e-9)
    assert s["exponential"]["sum_eta_finite"] and not s["polynomial"]["sum_eta_finite"]
    assert not s["polynomial"]["sum_eta_squared_finite"]
    assert n["best_at_1000"] == "polynomial"


def test_sgd2_noise_equivalence() -> None:
    n = solved("sgd", 2).numbers
    assert n["mean_matches_gradient"] and n["noise_independent_of_x"]
    assert (n["sigma1"], n["sigma2"]) == ("1/2", "1/4")
    assert n["noise_variances"] == ["4*sigma1**2", "16*sigma2**2"]
    assert n["noise_covariance"] == 0
    samples = n["samples"]
    se_mean, se_var = 1 / math.sqrt(samples), math.sqrt(2 / samples)
    assert np.all(np.abs(n["empirical_mean"]) < 5 * se_mean)  # 5 standard errors
    cov = np.array(n["empirical_cov"])
    assert np.all(np.abs(np.diag(cov) - 1) < 5 * se_var) and abs(cov[0, 1]) < 5 * se_mean
    # normal law: skewness 0 (se sqrt(6/n)) and kurtosis 3 (se sqrt(24/n)), 5 standard errors
    assert np.all(np.abs(n["skewness"]) < 5 * math.sqrt(6 / samples))
    assert np.all(np.abs(np.array(n["kurtosis"]) - 3) < 5 * math.sqrt(24 / samples))
    # both processes: after 30 steps the variance is the stationary eta/(lam (2 - eta lam))
    # up to (1 - eta lam)^60 < 1e-5; 4000 runs give a 2.2% standard error, so 10% is ~4.5
    oracle = [0.1 / (2 * (2 - 0.2)), 0.1 / (4 * (2 - 0.4))]
    for key in ("process_additive_noise", "process_shifted_objective"):
        assert n[key]["var"] == pytest.approx(oracle, rel=0.1)


def test_sgd3_replacement() -> None:
    n = solved("sgd", 3).numbers
    assert n["unseen_fraction_exact"] == pytest.approx((1 - 1 / 1500) ** 1500, rel=1e-12)
    # 200 epochs of 1500 draws: the unseen fraction has sd ~0.0125 per epoch -> se ~0.001
    assert n["unseen_fraction_measured"] == pytest.approx(math.exp(-1), abs=0.005)
    small = n["by_eta"][0]
    gap = small["excess_with"] - small["excess_without"]
    # the advantage of permutations at the smallest rate exceeds 4 combined standard errors
    assert gap > 4 * math.hypot(small["se_with"], small["se_without"])
    # with replacement the stationary excess loss is proportional to eta (slope 1 +- 0.2)
    assert n["exponent_with"] == pytest.approx(1.0, abs=0.2)


def test_sgd4_per_coordinate_scaling() -> None:
    n = solved("sgd", 4).numbers
    assert n["eta_best_sgd_theory"] == "10/101" and n["rate_best"] == "99/101"
    m = n["methods"]
    assert m["adagrad"]["mean_loss"] < 0.5 * m["sgd"]["mean_loss"]
    assert m["rmsprop"]["mean_loss"] < 0.5 * m["sgd"]["mean_loss"]


def test_sgd5_minima() -> None:
    n = solved("sgd", 5).numbers
    assert n["nonnegative"] and n["factor_minima"] == [0, 0]
    # oracle: 0 and 3pi/2 + 2 pi k in [-40 pi, 40 pi]: k = -20..19 -> 40 points, plus 0
    assert n["minima_found"] == 41 and n["minima_are_the_zeros"]
    assert n["max_value_at_minima"] < 1e-20
    assert n["modified_minima"] == 100  # one per period on [0, 200 pi]
    assert abs(n["modified_position_correlation"]) < 0.2
