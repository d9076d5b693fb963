"""``optheory report``: topic selection, --data and SIGTERM from the shell."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import optheory.report.build as build
from optheory.cli import main

AIRFOIL = "OPTHEORY_AIRFOIL"


@pytest.fixture
def fake_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict[str, Any]]:
    """Replace build_report by a recorder (topics asked for, OPTHEORY_AIRFOIL seen)."""
    calls: list[dict[str, Any]] = []

    def _record(out_dir: str, topics: Any = None, on_ready: Any = None, **_: Any) -> Path:
        calls.append({"out": out_dir, "topics": list(topics), "data": os.environ.get(AIRFOIL)})
        if on_ready is not None:
            on_ready(tmp_path / "r")
        return tmp_path / "r"

    monkeypatch.setattr(build, "build_report", _record)
    return calls


def test_json_topics_are_what_is_built(fake_build: list[dict[str, Any]],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--topic", "leaky", "quadratics", "quadratics", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # registry order (quadratics before leaky), no repeats, same list as the build got
    assert out["topics"] == ["quadratics", "leaky"] == fake_build[0]["topics"]


def test_data_sets_the_airfoil_path_for_the_build(
    fake_build: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(AIRFOIL, "/env/default.dat")
    data = tmp_path / "airfoil.dat"
    data.write_text("1\t2\t3\t4\t5\t6\n")
    assert main(["report", "--topic", "regression", "--data", str(data)]) == 0
    assert fake_build[-1]["data"] == str(data)
    assert os.environ[AIRFOIL] == "/env/default.dat"  # restored after the build
    assert main(["report", "--topic", "regression"]) == 0
    assert fake_build[-1]["data"] == "/env/default.dat"  # default: the environment
    capsys.readouterr()


def test_data_missing_file(fake_build: list[dict[str, Any]],
                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--data", "no/such.dat"]) == 2
    assert "--data 'no/such.dat' is not a readable file" in capsys.readouterr().err
    assert fake_build == []


def test_help_mentions_data_and_environment(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    out = capsys.readouterr().out
    assert "--data PATH" in out and "OPTHEORY_AIRFOIL" in out


def _wait_for_staging(proc: subprocess.Popen[str], folder: Path) -> None:
    """Return once the build has created its staging folder (so the signal lands inside it).

    Polling instead of a fixed sleep: on a loaded machine the imports alone can take seconds.
    """
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".tmp-") for p in folder.iterdir()):
        if proc.poll() is not None:
            pytest.fail(f"the report ended before staging: {proc.communicate()[1][-500:]}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("no staging folder after 120 s")
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.skip("the report finished before the signal")


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM and SIGHUP are POSIX")
@pytest.mark.parametrize(("name", "words"), [
    ("SIGTERM", "terminated"),
    ("SIGHUP", "hung up"),  # a closed terminal cleans up like SIGTERM and Ctrl-C
])
def test_signal_leaves_no_staging_folder(name: str, words: str, tmp_path: Path) -> None:
    number = getattr(signal, name)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from optheory.cli import run; run()",
         "report", "--out", str(tmp_path / "X"), "--topic", "claims"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    _wait_for_staging(proc, tmp_path)
    proc.send_signal(number)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + number, err
    assert words in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no .tmp-X-*, no half-built X
