"""IQC rate certificates: tight for gd, none for tuned heavy ball, a rate for Nesterov."""

from __future__ import annotations

import math

import pytest

from optheory.analysis.interval_rate import interval_rate
from optheory.pep.iqc import iqc_rate

pytestmark = pytest.mark.pep


@pytest.mark.parametrize("eta", [0.05, 0.1, 2 / 11, 0.19])
def test_gd_matches_the_known_tight_rate(eta: float) -> None:
    mu, L = 1.0, 10.0
    known = max(abs(1 - eta * mu), abs(1 - eta * L))  # oracle: LRP section 4.4
    cert = iqc_rate("gd", mu, L, {"eta": eta}, tol=1e-4)
    assert cert.rate is not None
    # the certificate is the upper end of a bracket narrower than tol around the smallest
    # certified rate; the LMI's numpy check allows 1e-7 relative slack
    assert known - 1e-6 <= cert.rate <= known + 1e-4 + 1e-6
    assert cert.solver == "CLARABEL"


def test_gd_beyond_two_over_L_has_no_certificate() -> None:
    assert iqc_rate("gd", 1.0, 10.0, {"eta": 0.21}).rate is None


@pytest.mark.parametrize("method", ["momentum", "polyak"])
def test_heavy_ball_at_the_quadratic_optimal_tuning_has_no_certificate(method: str) -> None:
    cert = iqc_rate(method, 1, 25)  # params=None: the derived tuning on [1, 25]
    assert cert.eta == pytest.approx(1 / 9) and cert.beta == pytest.approx(4 / 9)
    assert cert.rate is None and cert.solves == 1


@pytest.mark.parametrize("kappa", [10, 100])
def test_nesterov_at_the_standard_tuning_certifies_a_rate_between_quadratic_and_one(
    kappa: int,
) -> None:
    eta, beta = 1 / kappa, (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    cert = iqc_rate("nesterov", 1, kappa, {"eta": eta, "beta": beta})
    quadratic = float(interval_rate("nesterov", eta, beta, 1, kappa).rate)
    assert quadratic == pytest.approx(1 - 1 / math.sqrt(kappa))  # oracle for the oracle
    assert cert.rate is not None
    # strictly above the quadratic rate (F(1, kappa) holds the quadratics, and more) and
    # below the known Nesterov bound sqrt(1 - 1/sqrt(kappa)) (LRP section 4.5)
    assert quadratic < cert.rate < math.sqrt(1 - 1 / math.sqrt(kappa)) < 1


def test_certificate_is_scale_free() -> None:
    a = iqc_rate("nesterov", 1, 10, {"eta": 0.1, "beta": 0.5}, tol=1e-3)
    b = iqc_rate("nesterov", 10, 100, {"eta": 0.01, "beta": 0.5}, tol=1e-3)
    assert a.rate == b.rate


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"mu": 0.0}, "mu must be > 0"),
    ({"L": 0.5}, "L must be > mu"),
    ({"params": {"eta": float("nan"), "beta": 0.1}}, "eta must be finite"),
    ({"params": {"eta": 0.1, "beta": 1.0}}, r"beta must lie in \[0, 1\)"),
    ({"params": {"eta": -0.1, "beta": 0.1}}, "eta must be > 0"),
    ({"tol": 0.0}, "tol must lie"),
    ({"solver": "MOSEK"}, "solver must be"),
])
def test_bad_input(kwargs: dict, match: str) -> None:
    args = {"mu": 1.0, "L": 10.0, "params": {"eta": 0.1, "beta": 0.1}} | kwargs
    with pytest.raises(ValueError, match=match):
        iqc_rate("momentum", **args)


def test_scs_path_gives_the_same_certificate_to_its_accuracy() -> None:
    cert = iqc_rate("gd", 1.0, 10.0, {"eta": 0.15}, solver="SCS", tol=1e-2)
    assert cert.solver == "SCS"
    assert cert.rate is not None and 0.85 - 1e-6 <= cert.rate <= 0.85 + 1e-2 + 1e-6
