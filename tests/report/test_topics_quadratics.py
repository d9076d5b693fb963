"""The quadratics topic: every verification row passes; the CLI builds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from optheory.cli import main
from optheory.report.document import Verification
from optheory.report.topics import quadratics


def test_quadratics_page_verifications_pass() -> None:
    page = quadratics.build()
    rows = [r for b in page.blocks if isinstance(b, Verification) for r in b.rows]
    assert len(rows) >= 5
    assert all(r.verdict for r in rows), [r.claim for r in rows if not r.verdict]


def test_cli_report_one_topic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rep"
    assert main(["report", "--out", str(out), "--topic", "quadratics"]) == 0
    assert (out / "index.html").exists() and (out / "quadratics.md").exists()
    assert capsys.readouterr().out.strip().endswith("index.html")


def test_cli_report_unknown_topic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--out", str(tmp_path / "r"), "--topic", "nonsense"]) == 2
    err = capsys.readouterr().err
    assert "quadratics" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_regression_page_verifications_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    from optheory.report.topics import regression
    from tests.conftest import DATA_PATH

    monkeypatch.setenv("OPTHEORY_AIRFOIL", DATA_PATH)
    page = regression.build()
    rows = [r for b in page.blocks if isinstance(b, Verification) for r in b.rows]
    assert len(rows) == 6
    assert all(r.verdict for r in rows), [r.claim for r in rows if not r.verdict]
