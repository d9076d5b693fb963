"""``optheory worst-case-map``: JSON and SVG output; bad input is one line, exit 2, nothing written."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from optheory.cli import main

pytestmark = pytest.mark.pep


def test_json_and_svg(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "map.svg"
    code = main(["worst-case-map", "gd", "--mu", "1", "--L", "10", "--eta-range", "0.05:0.25:5",
                 "--steps", "2", "--workers", "1", "--cache", str(tmp_path / "cache"),
                 "--out", str(out), "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out.read_text().startswith("<?xml")
    assert payload["eta"] == pytest.approx([0.05, 0.1, 0.15, 0.2, 0.25]) and payload["beta"] == [0.0]
    # gd: quadratic rate max(|1 - eta|, |1 - 10 eta|); eta = 0.25 > 2/L diverges on both classes
    assert payload["quadratic_rate"][0][0] == pytest.approx(0.95)
    assert payload["quadratic_rate"][4][0] == pytest.approx(1.5)
    assert payload["certificate"][4][0] is None
    assert payload["certificate"][0][0] == pytest.approx(0.95, abs=1e-3 + 1e-6)
    # worst case after 2 steps: rate^4 (the tight gd value over F(mu, L)), solver accuracy
    assert payload["worst_case"][2][0] == pytest.approx(0.85**4, rel=1e-6)
    # eta = 2/L: worst case exactly (eta L - 1)^4 = 1, which the solver returns as 1 - O(1e-8);
    # it is not counted as below 1 (the count allows for the solver's accuracy)
    assert payload["worst_case"][3][0] == pytest.approx(1.0, rel=1e-6)
    assert payload["summary"]["worst_case_below_one"] == 3
    assert payload["summary"]["certified_cells"] == 3
    assert payload["summary"]["quadratic_cells"] == 3
    # run again: every cell comes from the cache
    main(["worst-case-map", "gd", "--mu", "1", "--L", "10", "--eta-range", "0.05:0.25:5",
          "--steps", "2", "--workers", "1", "--cache", str(tmp_path / "cache"), "--json"])
    assert json.loads(capsys.readouterr().out)["cached_cells"] == 5


BAD = [
    (["--mu", "0"], "--mu must be > 0"),
    (["--L", "0.5"], "--L must be > --mu"),
    (["--eta-range", "0.1:nan:2"], "--eta-range"),
    (["--eta-range", "-0.1:0.2:2"], "--eta-range"),
    (["--beta-range", "0:1:3"], "--beta-range"),
    (["--steps", "0"], "--steps"),
    (["--steps", "31"], "--steps must lie in [1, 30]"),
    (["--steps", "two"], "--steps"),
    (["--out", "map.png"], "--out"),
    (["--workers", "0"], "--workers"),
    (["--scheduler", "not an address"], "--scheduler"),
    (["--scheduler", "tcp://127.0.0.1:9", "--workers", "2"], "--workers and --scheduler"),
]


@pytest.mark.parametrize(("change", "needle"), BAD, ids=[" ".join(c) for c, _ in BAD])
def test_bad_input(change: list[str], needle: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    args = {"--mu": "1", "--L": "25", "--eta-range": "0.05:0.1:2", "--beta-range": "0:0.5:2",
            "--steps": "2", "--out": "map.svg", "--cache": "cache"}
    extra: list[str] = []
    for k in range(0, len(change), 2):
        if change[k] in args:
            args[change[k]] = change[k + 1]
        else:
            extra += change[k:k + 2]
    argv = ["worst-case-map", "momentum"] + [t for kv in args.items() for t in kv] + extra
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], err
    assert os.listdir(tmp_path) == []


def test_unreachable_scheduler_fails_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from optheory.cli import worst_case_map as command

    monkeypatch.setattr(command, "SCHEDULER_TIMEOUT", 1)
    monkeypatch.chdir(tmp_path)
    code = main(["worst-case-map", "gd", "--mu", "1", "--L", "10", "--eta-range", "0.1:0.2:2",
                 "--steps", "2", "--scheduler", "tcp://127.0.0.1:9", "--out", "m.svg"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "--scheduler: no Dask scheduler answered at 'tcp://127.0.0.1:9'" in err[0]
    assert os.listdir(tmp_path) == []


def test_missing_extra_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    import optheory._extras as extras

    real = extras.importlib.import_module

    def no_dask(name: str, *args: object) -> object:
        if name.startswith("dask"):
            raise ImportError(name)
        return real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(extras.importlib, "import_module", no_dask)
    monkeypatch.chdir(tmp_path)
    code = main(["worst-case-map", "gd", "--mu", "1", "--L", "10", "--eta-range", "0.1:0.2:2",
                 "--steps", "2", "--scheduler", "tcp://127.0.0.1:9", "--out", "m.svg"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "pip install 'optheory[distributed]'" in err[0]
    assert os.listdir(tmp_path) == []


def test_summary_counts_below_one_beyond_solver_accuracy() -> None:
    import numpy as np

    from optheory.cli.worst_case_map import _summary
    from optheory.pep.maps import WorstCaseMap

    # 1 - 6e-8 is 1 within CLARABEL's accuracy 1e-6 at "optimal" (a cell on the boundary);
    # 1 - 1e-5 is below 1 at "optimal" but not at "optimal_inaccurate" (accuracy 5e-5)
    worst = np.array([[1 - 6e-8, 1 - 1e-5, 1 - 1e-5, 0.5, np.nan]])
    result = WorstCaseMap(
        method="momentum", mu=1.0, L=10.0, steps=2,
        eta=np.array([0.1]), beta=np.array([0.0, 0.1, 0.2, 0.3, 0.4]),
        worst_case=worst, certificate=np.full(worst.shape, np.nan),
        quadratic_rate=np.full(worst.shape, 0.9), seconds=np.ones(worst.shape),
        solver=np.array([["CLARABEL"] * 4 + [""]], dtype=object),
        status=np.array([["optimal", "optimal", "optimal_inaccurate", "optimal", "failed"]], dtype=object),
    )
    assert _summary(result)["worst_case_below_one"] == 2
