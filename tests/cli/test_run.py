"""``optheory run``: any method on an objective given as text."""

from __future__ import annotations

import json

import pytest

from optheory.cli import main

LRP = (
    "Piecewise((25*x**2/2, x < 1), (x**2/2 + 24*x - 12, x < 2), "
    "(25*x**2/2 - 24*x + 36, True))"
)


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_textbook_momentum_demo(capsys: pytest.CaptureFixture[str]) -> None:
    out = _json(capsys, ["run", "momentum", "--f", "0.1*x1**2 + 2*x2**2", "--x0", "-5,-2",
                         "--eta", "0.6", "--beta", "0.5", "--steps", "20", "--json"])
    # oracle: the textbook prints epoch 20, x1: 0.007188, x2: 0.002553
    assert [f"{v:f}" for v in out["x_final"]] == ["0.007188", "0.002553"]
    assert out["gradient"] == ["x1/5", "4*x2"]


def test_lrp_cycle_from_the_shell(capsys: pytest.CaptureFixture[str]) -> None:
    out = _json(capsys, ["run", "momentum", "--f", LRP, "--x0", "3.25", "--eta", "1/9",
                         "--beta", "4/9", "--steps", "2000", "--detect-cycle", "--json"])
    assert out["cycle"]["period"] == 3
    # the exact cycle points are 792/1225, -2208/1225, 2592/1225 (tests/analysis/test_lrp.py)
    assert sorted(round(p[0], 9) for p in out["cycle"]["points"]) == sorted(
        round(v / 1225, 9) for v in (792, -2208, 2592)
    )


def test_nonquadratic_and_newton_like(capsys: pytest.CaptureFixture[str]) -> None:
    out = _json(capsys, ["run", "gd", "--f", "cosh(x)", "--x0", "1", "--eta", "0.5",
                         "--steps", "200", "--json"])
    assert abs(out["x_final"][0]) < 1e-12  # contraction factor <= 1 - 0.5 near 0


def test_divergence_reported(capsys: pytest.CaptureFixture[str]) -> None:
    out = _json(capsys, ["run", "gd", "--f", "2*x**2", "--x0", "1", "--eta", "1",
                         "--steps", "2000", "--json"])
    assert out["diverged_at"] is not None


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "gd", "--f", "__import__('os')", "--x0", "1", "--eta", "0.1"],
        ["run", "gd", "--f", "x**2", "--x0", "1,2", "--eta", "0.1"],
        ["run", "gd", "--f", "x**2", "--x0", "1", "--eta", "-0.1"],
        ["run", "gd", "--f", "x**2", "--x0", "1", "--eta", "0.1", "--steps", "0"],
        ["run", "gd", "--f", "x**2", "--x0", "1", "--eta", "0.1", "--steps", "1e12"],
        ["run", "momentum", "--f", "x**2", "--x0", "1", "--eta", "0.1", "--beta", "1.5"],
        ["run", "sgdx", "--f", "x**2", "--x0", "1"],
        ["run", "gd", "--f", "9**9**9**9", "--x0", "1", "--eta", "0.1"],
        ["run", "gd", "--f", "x**2", "--x0", "nan", "--eta", "0.1"],
    ],
)
def test_bad_input_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    assert code == 2
    err = capsys.readouterr().err
    assert err.strip() and "Traceback" not in err
