"""The quadratics topic: every verification row passes; the CLI builds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from optheory.cli import main
from optheory.report.document import Text


def _numbers_explained(page) -> None:  # type: ignore[no-untyped-def]
    from optheory.verification.text_numbers import collect_values, unexplained_numbers

    bad = [(m, b.text[:100]) for b in page.blocks if isinstance(b, Text)
           for m in [unexplained_numbers(b.text, collect_values(b.values), collect_values(b.inputs))]
           if m]
    assert bad == []


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
