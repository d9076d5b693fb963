"""Running the command line in tests."""

from __future__ import annotations

import json
from typing import Any

import pytest

from optheory.cli import main


def run_json(capsys: pytest.CaptureFixture[str], argv: list[str], code: int = 0) -> Any:
    """``optheory ARGV --json``: check the exit code, return the parsed output."""
    assert main([*argv, "--json"]) == code
    return json.loads(capsys.readouterr().out)


def run_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run a command that must fail with exit code 2 and one line on stderr; return that line."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert 1 <= len(lines) <= 2 and "Traceback" not in err, err
    return lines[0]
