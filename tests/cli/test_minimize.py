"""``optheory minimize``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from optheory.cli import main


def test_minimize_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["minimize", "--Q", "2,1;1,3", "--c", "1,-1", "--b", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["x_star"] == ["-4/5", "3/5"]
    assert out["h_min"] == "13/10"
    assert out["completed_square_verified"] is True


def test_minimize_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["minimize", "--Q", "0.2,0;0,4"]) == 0
    out = capsys.readouterr().out
    assert "eigenvalues of Q: 1/5, 4" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["minimize", "--Q", "1,2;3,4"],
        ["minimize", "--Q", "1,0;0,-1"],
        ["minimize", "--Q", "1,0;0"],
        ["minimize", "--Q", "__import__('os')"],
        ["minimize", "--Q", "1,0;0,1", "--c", "1"],
        ["minimize", "--Q", "1,0;0,1", "--b", "nan"],
        ["minimize"],
        ["nonsense"],
    ],
)
def test_bad_usage_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    assert code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip()


def test_module_entry_point_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "optheory", "minimize", "--help"],
        capture_output=True, text=True, check=True,
    )
    assert "example:" in out.stdout


def test_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "optheory", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("optheory ")


def test_minimize_cubic_eigenvalues_still_gives_minimizer(capsys: pytest.CaptureFixture[str]) -> None:
    # eigenvalues are roots of an irreducible cubic: no exact eigen form, minimizer still exact
    assert main(["minimize", "--Q", "11,4,12;4,12,15;12,15,28", "--c", "1,0,0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["completed_square_verified"] is True
    assert out["eigen_form_verified"] is None and "degree" in out["eigen_form_unavailable"]
