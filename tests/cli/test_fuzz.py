"""Property-based fuzzing of the command line: no input produces a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optheory.cli import main

# Tokens that exercise parsing paths without starting long work (no valid report
# topic, no claim-free verify, small step counts).
TOKENS = [
    "minimize", "run", "verify", "report", "--Q", "--c", "--b", "--f", "--x0", "--steps",
    "--eta", "--beta", "--gamma", "--rho", "--beta1", "--beta2", "--eps", "--json",
    "--claim", "--source", "--topic", "--convention", "--impl", "--detect-cycle",
    "gd", "momentum", "adam", "rmsprop", "nesterov", "yogi", "torch", "own", "textbook",
    "1", "-1", "0", "0.5", "1/3", "nan", "inf", "-inf", "1e400", "2,0;0,4", "1,2;3,4", "1,-2",
    "x**2", "x1**2 + x2**2", "9**9**9", "x.__class__", "__import__('os')", "", " ", ";", ",",
    "(", "Piecewise((x, x<1), (2*x, True))", "sin(x)*cos(x)", "no.such.claim", "nowhere",
    "\x00", "é", "--", "-h?", "--unknown",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=st.lists(st.sampled_from(TOKENS) | st.text(max_size=12), min_size=0, max_size=8))
def test_no_traceback(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    captured = capsys.readouterr()
    assert code in (0, 1, 2), (argv, code)
    assert "Traceback" not in captured.err, (argv, captured.err)
    # nothing is written by a failing command
    if code == 2:
        assert os.listdir(tmp_path) == [], argv


def test_help_has_example_for_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    from optheory.cli import SUBCOMMANDS

    for name in SUBCOMMANDS:
        with pytest.raises(SystemExit) as info:
            main([name, "--help"])
        assert info.value.code == 0
        out = capsys.readouterr().out
        assert "example" in out, name
        assert "--json" in out, name
