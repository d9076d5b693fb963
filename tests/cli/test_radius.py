"""``optheory radius``: the worst rate over an eigenvalue range, against the API and a grid."""

from __future__ import annotations

import numpy as np
import pytest

from optheory.analysis.rates import spectral_radius
from tests.cli._helpers import run_error, run_json


def test_tuned_heavy_ball(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, ["radius", "momentum", "--eta", "4/121", "--beta", "81/121",
                            "--lam-min", "1", "--lam-max", "100"])
    assert out["rate"]["exact"] == "9/11" and out["converges"] is True
    grid = spectral_radius("momentum", 4 / 121, np.linspace(1, 100, 10001), 81 / 121)
    # witness: the map over the range never exceeds the exact maximum; both ends are
    # double roots at the tuned point, where any float evaluation of the roots loses
    # ~sqrt(eps) = 1.5e-8 relative (see spectral_radius_real), hence 1e-7
    assert grid.max() <= out["rate"]["decimal"] * (1 + 1e-7)


def test_gd_on_the_edge(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, ["radius", "gd", "--eta", "0.02", "--lam-min", "1", "--lam-max", "100"])
    # oracle max(|1 - eta m|, |1 - eta L|) = max(0.98, 1) = 1: no convergence at lam = 100
    assert out["rate"]["exact"] == "1" and out["worst_lam"]["exact"] == "100"
    assert out["converges"] is False


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["radius", "gd", "--eta", "0.1", "--beta", "0.5", "--lam-min", "1", "--lam-max", "2"],
         "--beta must be 0"),
        (["radius", "momentum", "--eta", "0", "--lam-min", "1", "--lam-max", "2"], "--eta must be > 0"),
        (["radius", "momentum", "--eta", "1", "--lam-min", "3", "--lam-max", "2"],
         "--lam-min must be <= --lam-max"),
        (["radius", "adam", "--eta", "1", "--lam-min", "1", "--lam-max", "2"], "is not linear"),
        (["radius", "gd", "--eta", "1e999", "--lam-min", "1", "--lam-max", "2"], "--eta"),
    ],
)
def test_bad_input(argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert fragment in run_error(capsys, argv)
