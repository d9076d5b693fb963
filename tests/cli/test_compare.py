"""``optheory compare``: JSON fields, text output, and a missing extra."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

from optheory.cli import main
from tests.cli._helpers import run_error, run_json


@pytest.mark.pep
def test_compare_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, ["compare", "gd", "--mu", "1", "--L", "10", "--steps", "3,1",
                             "--eta", "0.1"])
    assert data["method"] == "gd" and data["mu"] == 1.0 and data["L"] == 10.0
    assert data["params"] == {"eta": 0.1, "beta": 0.0}
    assert data["rate_quadratic"] == pytest.approx(0.9)
    # the IQC certificate of gd is tight: max(|1 - eta mu|, |1 - eta L|) = 0.9, an upper
    # bound from a bisection of width 1e-4
    assert 0.9 - 1e-9 <= data["certificate"] <= 0.9 + 2e-4
    assert "IQC certificate" in data["verdict"]
    assert [h["N"] for h in data["horizons"]] == [1, 3]
    for h in data["horizons"]:
        # gd at eta = 0.1 on F(1, 10): max(|1 - 0.1|, |1 - 1|)^(2N)
        assert h["quadratic"] == pytest.approx(0.9 ** (2 * h["N"]), rel=1e-14)
        assert h["worst_case"] == pytest.approx(0.9 ** (2 * h["N"]), rel=1e-6)
        assert h["solver"] in ("CLARABEL", "SCS") and h["seconds"] >= 0
    assert "equals the quadratic one" in data["verdict"]


@pytest.mark.pep
def test_compare_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "gd", "--mu", "1", "--L", "10", "--steps", "2"]) == 0
    out = capsys.readouterr().out
    assert "quadratics" in out and "F(mu, L)" in out and out.rstrip().splitlines()[-1].startswith(
        "verdict: ")


def test_missing_extra_is_one_line(capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def without_pepit(name: str, package: str | None = None) -> ModuleType:
        if name.split(".")[0] in ("PEPit", "cvxpy"):
            raise ImportError(f"No module named {name!r}")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", without_pepit)
    line = run_error(capsys, ["compare", "gd", "--mu", "1", "--L", "10", "--steps", "2"])
    assert "pip install 'optheory[pep]'" in line and "PEPit" in line


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    assert "optheory compare momentum --mu 1 --L 25" in capsys.readouterr().out
