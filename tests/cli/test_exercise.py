"""``optheory exercise``: answers from the shell."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import optheory.cli as cli
from optheory.cli import main


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    # until the lead lists "exercise" in SUBCOMMANDS, register it for these tests
    if "exercise" not in cli.SUBCOMMANDS:
        monkeypatch.setattr(cli, "SUBCOMMANDS", (*cli.SUBCOMMANDS, "exercise"))


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["exercise", "--list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 41 and rows[0]["section"] == "gd" and rows[-1]["section"] == "lr-scheduler"
    assert main(["exercise", "--list"]) == 0
    assert "adagrad        3" in capsys.readouterr().out


def test_answer_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["exercise", "gd", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["section"], out["number"]) == ("gd", 3)
    assert out["numbers"]["rate_best"] == "999/1001" and out["figures"] == []


def test_answer_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["exercise", "rmsprop", "1"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("rmsprop 1: ") and "derivation (LaTeX):" in text


def test_out_writes_json_and_svg(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "ans"
    assert main(["exercise", "gd", "2", "--out", str(target)]) == 0
    assert sorted(os.listdir(target)) == ["answer.json", "brackets.svg"]
    data = json.loads((target / "answer.json").read_text())
    assert data["figures"] == ["brackets"] and data["numbers"]["bisection_evaluations"] == 37
    assert (target / "brackets.svg").read_text().lstrip().startswith("<?xml")
    assert "wrote:" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["exercise", "gdx", "1"], "choose one of: gd, sgd, minibatch-sgd"),
        (["exercise", "gd", "7"], "choose one of: 1, 2, 3, 4, 5"),
        (["exercise", "gd", "x"], "section gd has: 1, 2, 3, 4, 5"),
        (["exercise", "gd"], "give the exercise number N; section gd has"),
        (["exercise"], "give SECTION and N"),
        (["exercise", "gd", "1", "--list"], "--list takes no SECTION"),
        (["exercise", "sgd", "3", "--data", "no/such/file.dat"], "is not a readable file"),
        # an empty --out used to write answer.json into the current directory
        (["exercise", "momentum", "2", "--out", ""], "--out is empty"),
        (["exercise", "momentum", "2", "--out", "  "], "--out is empty"),
    ],
)
def test_bad_input_exit_2(argv: list[str], fragment: str, tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert os.listdir(tmp_path) == []  # nothing written


def test_out_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["exercise", "gd", "4", "--out", str(blocker)]) == 2
    assert "is not a directory" in capsys.readouterr().err
    assert blocker.read_text() == "x"


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["exercise", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "example" in out and "--json" in out and "--out" in out
