"""``optheory run``: any method on an objective given as text."""

from __future__ import annotations

import json
import math
from pathlib import Path

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


def test_nonquadratic_objective_follows_its_gradient(capsys: pytest.CaptureFixture[str]) -> None:
    out = _json(capsys, ["run", "gd", "--f", "cosh(x)", "--x0", "1", "--eta", "0.5",
                         "--steps", "20", "--json"])
    x = 1.0  # oracle: gd on cosh by hand, x <- x - 0.5 sinh(x)
    for _ in range(20):
        x -= 0.5 * math.sinh(x)
    # numpy's and libm's sinh may differ in the last bit over 20 steps: 1e-12 relative
    assert out["x_final"][0] == pytest.approx(x, rel=1e-12)
    assert 1e-7 < x < 1e-6  # still far from 0: a wrong step size would be seen


def test_divergence_reported_at_the_first_overflow(capsys: pytest.CaptureFixture[str]) -> None:
    out = _json(capsys, ["run", "gd", "--f", "2*x**2", "--x0", "1", "--eta", "1",
                         "--steps", "2000", "--json"])
    # oracle: x <- x - 4 x = -3 x; the loss 2 x^2 = 2 * 9^t overflows first
    x, t = 1.0, 0
    while math.isfinite(x) and math.isfinite(2 * (x * x)):
        x, t = x - 4 * x, t + 1
    assert out["diverged_at"] == t


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


def _error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``argv``, expect exit 2 and return the one-line message."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    return err.strip()


def test_sign_objective_runs(capsys: pytest.CaptureFixture[str]) -> None:
    # grad sign(x)*x = sign(x) away from 0 (the DiracDelta term is dropped), so GD with
    # eta = 1/4 from x0 = 2 takes 8 exact steps of -1/4 to 0 (dyadic: no rounding), then
    # sign(0) = 0 keeps it there
    out = _json(capsys, ["run", "gd", "--f", "sign(x)*x", "--x0", "2", "--eta", "1/4",
                         "--steps", "12", "--json"])
    assert out["x_final"] == [0.0] and out["diverged_at"] is None


@pytest.mark.parametrize(
    ("flag", "argv"),
    [
        ("--eta", ["--x0", "1", "--eta", "1e400"]),
        ("--x0", ["--x0", "1e400", "--eta", "0.1"]),
        ("--x0", ["--x0", "-1e999", "--eta", "0.1"]),
    ],
)
def test_numbers_outside_float_range(flag: str, argv: list[str],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    err = _error(["run", "gd", "--f", "x1**2", *argv], capsys)
    assert f"{flag}: " in err and "outside the float range" in err


def test_diverging_run_json_is_strict(capsys: pytest.CaptureFixture[str]) -> None:
    # |1 - eta*lam| = |1 - 4| = 3 > 1: the iterates overflow to inf/nan within ~650 steps
    assert main(["run", "gd", "--f", "2*x**2", "--x0", "1", "--eta", "1",
                 "--steps", "2000", "--json"]) == 0
    text = capsys.readouterr().out

    def _reject(token: str) -> None:
        raise AssertionError(f"non-standard JSON token {token}")

    out = json.loads(text, parse_constant=_reject)
    assert out["diverged_at"] is not None
    assert out["x_final"] == [None] and out["f_final"] is None


@pytest.mark.parametrize(
    ("f", "x0"),
    [("log(x)", "-1"), ("1/x", "0"), ("sqrt(x1) + x2**2", "-4,1")],
)
def test_start_outside_domain(f: str, x0: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = _error(["run", "gd", "--f", f, "--x0", x0, "--eta", "0.1"], capsys)
    assert "not finite at --x0" in err


@pytest.mark.parametrize(
    ("argv", "expected", "absent"),
    [
        (["gd", "--eta", "0"], "--eta must be > 0", None),
        (["gd"], "pass --eta", "eta="),
        (["adagrad", "--eta", "0.1", "--rho", "0.9"],
         "unknown hyperparameter --rho for adagrad (--convention textbook); accepted: --eta, --eps",
         "'rho'"),
        (["gd", "--eta", "0.1", "--impl", "torch", "--convention", "textbook"],
         "--impl torch runs torch.optim", "impl="),
        (["momentum", "--eta", "0.1", "--beta", "1.5"], "--beta must lie in [0, 1)", None),
    ],
)
def test_messages_use_flags(argv: list[str], expected: str, absent: str | None,
                            capsys: pytest.CaptureFixture[str]) -> None:
    err = _error(["run", argv[0], "--f", "x**2", "--x0", "1", *argv[1:]], capsys)
    assert expected in err
    if absent is not None:
        assert absent not in err


def test_cli_wording_leaves_other_words() -> None:
    from optheory.cli.run import cli_wording

    # "beta" must not be split into "b--eta"; a flag already written stays as it is
    assert cli_wording("beta1 must lie in [0, 1), got 2.0") == "--beta1 must lie in [0, 1), got 2.0"
    assert cli_wording("--eta is fine; the theta step") == "--eta is fine; the theta step"
    # settings without a flag (torch.optim.Adagrad's lr_decay, ...) are not offered
    assert cli_wording(
        "unknown hyperparameter 'rho' for adagrad (torch convention); "
        "accepted: eta, lr_decay, initial_accumulator_value, eps"
    ) == "unknown hyperparameter --rho for adagrad (--convention torch); accepted: --eta, --eps"


def test_help_explains_convention_and_impl(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "torch.optim's arithmetic" in out and "run torch.optim itself" in out


def test_resolved_defaults_are_shown(capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's puzzle: rmsprop ends elsewhere under --impl torch because gamma differs."""
    argv = ["run", "rmsprop", "--f", "0.1*x1**2 + 2*x2**2", "--x0", "-5,-2", "--eta", "0.1"]
    own = _json(capsys, [*argv, "--json"])
    torch_run = _json(capsys, [*argv, "--impl", "torch", "--json"])
    assert own["convention"] == "textbook" and torch_run["convention"] == "torch"
    # defaults as documented in reference/conventions.md (oracle): 0.9 / 1e-6 vs 0.99 / 1e-8
    assert own["hyper"] == {"eta": 0.1, "gamma": 0.9, "eps": 1e-6}
    assert torch_run["hyper"]["gamma"] == 0.99 and torch_run["hyper"]["eps"] == 1e-8
    assert set(own["defaults_used"]) == {"gamma", "eps"}
    assert "inside the square root" in own["hyper_meaning"]["eps"]
    assert "outside the square root" in torch_run["hyper_meaning"]["eps"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "gamma=0.9 (default)" in text and "eps: added inside the square root" in text


def test_trajectory_csv_and_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_file, svg_file = tmp_path / "run.csv", tmp_path / "run.svg"
    out = _json(capsys, ["run", "gd", "--f", "x**2", "--x0", "1", "--eta", "0.1", "--steps", "5",
                         "--trajectory", "--csv", str(csv_file), "--plot", str(svg_file), "--json"])
    # oracle: x_t = (1 - 2 eta)^t x_0 = 0.8^t
    assert [x for (x,) in out["trajectory"]] == pytest.approx([0.8**t for t in range(6)], rel=1e-15)
    assert out["f_trajectory"] == pytest.approx([0.64**t for t in range(6)], rel=1e-14)
    rows = csv_file.read_text().splitlines()
    assert rows[0] == "step,x,f" and len(rows) == 7
    assert float(rows[3].split(",")[1]) == pytest.approx(0.8**2, rel=1e-15)
    assert svg_file.read_text().lstrip().startswith("<?xml")


def test_fail_on_divergence(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["run", "gd", "--f", "x**2", "--x0", "1", "--eta", "1.5", "--steps", "2000"]
    assert main(argv) == 0  # a divergence is a result ...
    assert main([*argv, "--fail-on-divergence"]) == 1  # ... unless a script asks otherwise
    assert "diverged at step" in capsys.readouterr().out
    assert main(["run", "gd", "--f", "x**2", "--x0", "1", "--eta", "0.1", "--fail-on-divergence"]) == 0


def test_caret_gets_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "gd", "--f", "x^2", "--x0", "1", "--eta", "0.1"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--f" in err and "write powers with ** (x**2)" in err
