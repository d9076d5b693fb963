"""``optheory regime``: exact regime, eigenvalues and spectral radius from the shell."""

from __future__ import annotations

import pytest

from optheory.analysis.rates import spectral_radius
from optheory.symbolic.heavy_ball import regime
from tests.cli._helpers import run_error, run_json


def test_the_question_from_the_issue(capsys: pytest.CaptureFixture[str]) -> None:
    # "is eta 0.5, beta 0.9 stable at lambda 3.5, and in which regime?"
    out = run_json(capsys, ["regime", "momentum", "--eta", "0.5", "--beta", "0.9", "--lam", "3.5"])
    (row,) = out["points"]
    assert row["regime"] == regime(0.5, 3.5, 0.9) == "ripples"
    assert row["converges"] is True
    # in the ripples regime |sigma| = sqrt(beta) (the product of the complex pair)
    assert row["spectral_radius"]["exact"] == "3*sqrt(10)/10"
    assert row["spectral_radius"]["decimal"] == pytest.approx(
        float(spectral_radius("momentum", 0.5, 3.5, 0.9)), rel=1e-12)
    assert len(row["eigenvalues"]) == 2 and row["eigenvalues"][0]["imag"] != 0


def test_comma_lists_are_combined(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, ["regime", "nesterov", "--eta", "0.1,0.2", "--beta", "0.5",
                            "--lam", "1,10"])
    points = out["points"]
    assert len(points) == 4
    assert [(p["eta"]["exact"], p["lam"]["exact"]) for p in points] == [
        ("1/10", "1"), ("1/10", "10"), ("1/5", "1"), ("1/5", "10")]
    for p in points:
        want = float(spectral_radius("nesterov", p["eta"]["decimal"], p["lam"]["decimal"], 0.5))
        assert p["spectral_radius"]["decimal"] == pytest.approx(want, rel=1e-9, abs=1e-12)
        assert p["converges"] == (want < 1)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["regime", "gd", "--eta", "1", "--beta", "0.5", "--lam", "1"], "--beta must be 0"),
        (["regime", "momentum", "--eta", "-1", "--beta", "0.5", "--lam", "1"], "--eta must be > 0"),
        (["regime", "momentum", "--eta", "1", "--lam", "0"], "--lam must be > 0"),
        (["regime", "momentum", "--eta", "nan", "--lam", "1"], "--eta"),
        (["regime", "adam", "--eta", "1", "--lam", "1"], "is not linear"),
        (["regime", "momentum", "--eta", ",".join(["1"] * 20), "--beta", ",".join(["0"] * 20),
          "--lam", "1"], "at most"),
    ],
)
def test_bad_input(argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert fragment in run_error(capsys, argv)
