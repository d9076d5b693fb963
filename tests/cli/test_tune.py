"""``optheory tune``: tuned parameters side by side, checked against the Python API."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from optheory.symbolic.tuning import optimal_parameters
from tests.cli._helpers import run_error, run_json


def test_tune_matches_the_api_and_counts_steps(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, ["tune", "gd", "momentum", "nesterov", "--mu", "1", "--L", "100"])
    rows = {r["method"]: r for r in out["methods"]}
    assert list(rows) == ["gd", "momentum", "nesterov"]
    for name, row in rows.items():
        api = optimal_parameters(name, 1, 100)
        for key in ("eta", "beta", "rate"):
            assert row[key]["exact"] == str(api[key])
            assert row[key]["decimal"] == pytest.approx(float(api[key]), rel=1e-15)
        rate = float(api["rate"])
        # oracle: smallest t with rate**t <= 1e-6
        assert row["steps"] == math.ceil(math.log(1e-6) / math.log(rate))
        assert row["speedup_over_gd"] == pytest.approx(math.log(rate) / math.log(99 / 101), rel=1e-12)
    assert rows["momentum"]["rate"]["exact"] == "9/11"  # Polyak's (sqrt(k)-1)/(sqrt(k)+1), k = 100
    assert rows["gd"]["steps"] == 691 and rows["momentum"]["steps"] == 69


def test_tuned_momentum_really_converges_at_that_rate(capsys: pytest.CaptureFixture[str]) -> None:
    """Numeric witness: heavy ball with the printed parameters on eigenvalues 1..100."""
    from optheory.numeric.problems import EigenQuadratic
    from optheory.numeric.run import run

    out = run_json(capsys, ["tune", "momentum", "--mu", "1", "--L", "100"])
    row = out["methods"][0]
    traj = run("momentum", EigenQuadratic([1.0, 37.0, 100.0]), [1.0, 1.0, 1.0], 400,
               eta=row["eta"]["decimal"], beta=row["beta"]["decimal"])
    err = np.linalg.norm(traj.x, axis=1)
    measured = (err[400] / err[200]) ** (1 / 200)
    # the extreme eigenvalues sit on the double-root boundary (Jordan block: error ~ t r^t),
    # so the 200-step ratio carries a factor (400/200)^(1/200) = 1.0035 at most
    assert row["rate"]["decimal"] <= measured <= row["rate"]["decimal"] * 1.004


def test_equal_ends_give_rate_zero(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, ["tune", "momentum", "--mu", "2", "--L", "2"])
    row = out["methods"][0]
    assert row["rate"]["exact"] == "0" and row["speedup_over_gd"] is None
    # R is nilpotent at a zero rate: the error vanishes after at most 2 steps (state size 2)
    assert 1 <= row["steps"] <= 2
    assert sp.Rational(row["eta"]["exact"]) > 0


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["tune", "adam", "--mu", "1", "--L", "2"], "METHOD 'adam' is not linear"),
        (["tune", "gd", "--mu", "0", "--L", "2"], "--mu must be > 0"),
        (["tune", "gd", "--mu", "3", "--L", "2"], "--L must be >= --mu"),
        (["tune", "gd", "--mu", "1", "--L", "2", "--eps", "2"], "--eps must lie in (0, 1)"),
        (["tune", "gd", "--mu", "x", "--L", "2"], "--mu"),
        (["tune", "gd", "--mu", "1e-300", "--L", "1e300"], "condition number"),
    ],
)
def test_bad_input(argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert fragment in run_error(capsys, argv)
