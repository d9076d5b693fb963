"""``optheory sweep``: the batched sweep from the shell, files written atomically."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pytest

from optheory.analysis.sweep import sweep
from optheory.numeric.problems import EigenQuadratic
from tests.cli._helpers import run_error, run_json


def test_momentum_map_matches_the_api(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "map.npz"
    out = run_json(capsys, ["sweep", "momentum", "--eta-range", "0.05:0.4:4", "--beta-range",
                            "0:0.9:3", "--lam-range", "1:4:3", "--steps", "300", "--out",
                            str(out_file)])
    api = sweep("momentum", EigenQuadratic(np.linspace(1, 4, 3)),
                {"eta": np.linspace(0.05, 0.4, 4), "beta": np.linspace(0, 0.9, 3)}, 300)
    np.testing.assert_array_equal(np.array(out["closed_form_rate"]), api.closed_form_rate)
    np.testing.assert_array_equal(np.array(out["rate"]), api.rate)
    saved = np.load(out_file)
    np.testing.assert_array_equal(saved["closed_form_rate"], api.closed_form_rate)
    np.testing.assert_array_equal(saved["eta"], np.linspace(0.05, 0.4, 4))
    k = int(np.argmin(api.closed_form_rate))
    assert out["best"]["rate"] == api.closed_form_rate.ravel()[k]
    # witness: measured and closed-form rates agree where the run converges cleanly
    ok = np.isfinite(api.rate) & (api.closed_form_rate < 0.95)
    np.testing.assert_allclose(api.rate[ok], api.closed_form_rate[ok], rtol=2e-2)


def test_text_quadratic_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "gd.csv"
    out = run_json(capsys, ["sweep", "gd", "--eta-range", "0.1:0.5:5", "--f",
                            "0.1*x1**2 + 2*x2**2", "--steps", "50", "--out", str(out_file)])
    # eigenvalues of the Hessian diag(0.2, 4): oracle max |1 - eta lam|
    eta = np.linspace(0.1, 0.5, 5)
    want = np.maximum(np.abs(1 - 0.2 * eta), np.abs(1 - 4 * eta))
    np.testing.assert_allclose(out["closed_form_rate"], want, rtol=1e-14)
    with open(out_file, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [float(r["eta"]) for r in rows] == eta.tolist()
    assert [float(r["closed_form_rate"]) for r in rows] == out["closed_form_rate"]


def test_svg_and_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("m.svg", "m.png"):
        run_json(capsys, ["sweep", "nesterov", "--eta-range", "0.05:0.3:3", "--beta-range",
                          "0.1:0.8:3", "--lam-range", "1:2:2", "--closed-form", "--out",
                          str(tmp_path / name)])
    assert (tmp_path / "m.svg").read_text().lstrip().startswith("<?xml")
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["sweep", "momentum", "--eta-range", "0.1:0.2", "--beta-range", "0:0.5:2",
          "--lam-range", "1:2:2"], "--eta-range must be A:B:N"),
        (["sweep", "gd", "--eta-range", "0.1:0.2:0", "--lam-range", "1:2:2"], "--eta-range: N"),
        (["sweep", "gd", "--eta-range", "-1:0.2:3", "--lam-range", "1:2:2"], "--eta-range: values must be > 0"),
        (["sweep", "gd", "--eta-range", "0.1:0.2:3", "--lam-range", "0:2:2"], "--lam-range: values must be > 0"),
        (["sweep", "momentum", "--eta-range", "0.1:0.2:3", "--beta-range", "0:1:2",
          "--lam-range", "1:2:2"], "--beta-range: values must lie in [0, 1)"),
        (["sweep", "momentum", "--eta-range", "0.1:0.2:3", "--lam-range", "1:2:2"], "needs --beta-range"),
        (["sweep", "gd", "--eta-range", "0.1:0.2:3", "--beta-range", "0:0.5:2",
          "--lam-range", "1:2:2"], "--beta-range does not apply"),
        (["sweep", "gd", "--eta-range", "0.1:0.2:3"], "--lam-range A:B:N or by --f"),
        (["sweep", "adam", "--eta-range", "0.1:0.2:3", "--f", "x**4"], "--f is not a quadratic"),
        (["sweep", "gd", "--eta-range", "0.1:0.2:3", "--f", "x1**2 - x2**2"], "positive definite"),
        (["sweep", "gd", "--eta-range", "0.1:0.2:3", "--f", "__import__('os')"], "__import__"),
        (["sweep", "polyak", "--eta-range", "0.1:0.2:3", "--lam-range", "1:2:2"], "symbolic engine only"),
        (["sweep", "adam", "--eta-range", "0.1:0.2:3", "--lam-range", "1:2:2", "--closed-form"],
         "is not linear"),
        (["sweep", "gd", "--eta-range", "0.1:0.2:3", "--lam-range", "1:2:2", "--out", "map.gif"],
         "--out must end in"),
        (["sweep", "gd", "--eta-range", "0.1:0.2:3", "--lam-range", "1:2:2", "--steps", "0"],
         "--steps must be an integer"),
        (["sweep", "gd", "--eta-range", "0.1:0.2:10000", "--lam-range", "1:2:1000", "--steps",
          "100000"], "above --max-seconds=60"),
        (["sweep", "gd", "--eta-range", "0.1:0.2:3", "--lam-range", "1:2:5000"], "at most 1000"),
    ],
)
def test_bad_input(argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str],
                   tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert fragment in run_error(capsys, argv)
    assert os.listdir(tmp_path) == []
