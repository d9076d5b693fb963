"""The quadratics topic: every verification row passes; the CLI builds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from optheory.cli import main
from optheory.report.document import Text, Verification
from optheory.report.topics import quadratics


def test_quadratics_page_verifications_pass() -> None:
    page = quadratics.build()
    rows = [r for b in page.blocks if isinstance(b, Verification) for r in b.rows]
    assert len(rows) >= 5
    assert all(r.verdict for r in rows), [r.claim for r in rows if not r.verdict]
    # oracle: Q = [[4.2, -3.8], [-3.8, 4.2]] has eigenvalues 4.2 -+ 3.8 = 2/5 and 8, twice
    # the textbook problem's 0.2 and 4
    (eig,) = [r for r in rows if r.claim == "eigenvalues of the rotated problem"]
    assert eig.derived == "2/5, 8"
    text = " ".join(b.text for b in page.blocks if isinstance(b, Text))
    assert "eigenvalues 0.4 and 8, twice those of" in text and "(0.2 and 4," in text
    # the Hessian is printed from sympy's Hessian of the formula, and every number of the
    # prose is a carried value or input
    assert "$Q = [[4.2, -3.8], [-3.8, 4.2]]$" in text
    _numbers_explained(page)


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


def test_regression_page_verifications_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    from optheory.report.topics import regression
    from tests.conftest import require_airfoil

    monkeypatch.setenv("OPTHEORY_AIRFOIL", require_airfoil())
    page = regression.build()
    rows = [r for b in page.blocks if isinstance(b, Verification) for r in b.rows]
    assert len(rows) == 6
    assert all(r.verdict for r in rows), [r.claim for r in rows if not r.verdict]
    _numbers_explained(page)
