"""worst_case_map: cells equal single solves, the cache resumes, executors are interchangeable."""

from __future__ import annotations

import json
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from optheory.analysis.interval_rate import interval_rate
from optheory.pep.gram import GramPEP
from optheory.pep.iqc import iqc_rate
from optheory.pep.maps import worst_case_map

pytestmark = pytest.mark.pep

GRID = {"eta": [0.04, 0.1], "beta": [0.2, 0.6]}


class InProcess(Executor):
    """A concurrent.futures.Executor running each task at submission (counts the tasks)."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.tasks = 0
        self.fail_after = fail_after

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        if self.fail_after is not None and self.tasks >= self.fail_after:
            future.set_exception(KeyboardInterrupt())  # the map is interrupted here
        else:
            future.set_result(fn(*args, **kwargs))
        self.tasks += 1
        return future


def test_cells_are_the_single_solves(tmp_path: Path) -> None:
    result = worst_case_map("momentum", 1, 25, GRID, 3, workers=1, cache_dir=tmp_path)
    pep = GramPEP("momentum", 1.0, 25.0, 3)
    for i, eta in enumerate(GRID["eta"]):
        for j, beta in enumerate(GRID["beta"]):
            assert result.worst_case[i, j] == pep.solve(eta, beta).value
            cert = iqc_rate("momentum", 1, 25, {"eta": eta, "beta": beta}, tol=1e-3).rate
            assert (np.isnan(result.certificate[i, j]) if cert is None
                    else result.certificate[i, j] == cert)
            # quadratic rate: max over 1025 curvatures including the ends, never above the
            # exact maximum over the interval, and here within 1e-6 of it
            exact = float(interval_rate("momentum", eta, beta, 1, 25).rate)
            assert exact - 1e-6 <= result.quadratic_rate[i, j] <= exact + 1e-12
    assert (result.status == "optimal").all()
    # F(1, 25) holds every quadratic with curvatures in [1, 25]: no certified rate is below
    # the quadratic rate (up to the bracket, which lies above the certified value)
    certified = np.isfinite(result.certificate)
    assert certified.any()
    assert np.all(result.certificate[certified] >= result.quadratic_rate[certified] - 1e-9)


def test_an_interrupted_map_resumes_without_recomputing(tmp_path: Path) -> None:
    grid = {"eta": [0.02, 0.05, 0.08], "beta": [0.3]}
    with pytest.raises(KeyboardInterrupt):
        worst_case_map("nesterov", 1, 10, grid, 2, InProcess(fail_after=2), cache_dir=tmp_path,
                       certify=False)
    assert len(list(tmp_path.glob("*.json"))) == 2  # what finished before the interruption
    resumed = InProcess()
    result = worst_case_map("nesterov", 1, 10, grid, 2, resumed, cache_dir=tmp_path,
                            certify=False)
    assert result.cached == 2 and resumed.tasks == 1
    fresh = worst_case_map("nesterov", 1, 10, grid, 2, InProcess(), cache_dir=False,
                           certify=False)
    np.testing.assert_array_equal(result.worst_case, fresh.worst_case)
    # the cache is keyed by every input: another horizon solves everything again
    other = InProcess()
    worst_case_map("nesterov", 1, 10, grid, 3, other, cache_dir=tmp_path, certify=False)
    assert other.tasks >= 1 and len(list(tmp_path.glob("*.json"))) == 6
    # a cell file is one JSON object, written whole; a damaged one is solved again
    files = sorted(tmp_path.glob("*.json"))
    cell = json.loads(files[0].read_text())
    assert set(cell) == {"worst_case", "solver", "status", "seconds", "certificate"}
    for damaged in files:
        damaged.write_text("[1, 2")
    again = InProcess()
    result = worst_case_map("nesterov", 1, 10, grid, 2, again, cache_dir=tmp_path, certify=False)
    assert result.cached == 0
    np.testing.assert_array_equal(result.worst_case, fresh.worst_case)


def test_default_process_pool_matches_serial(tmp_path: Path) -> None:
    grid = {"eta": [0.05, 0.1, 0.15]}
    serial = worst_case_map("gd", 1, 10, grid, 2, workers=1, cache_dir=False)
    pooled = worst_case_map("gd", 1, 10, grid, 2, workers=2, cache_dir=False)
    np.testing.assert_array_equal(serial.worst_case, pooled.worst_case)
    np.testing.assert_array_equal(serial.certificate, pooled.certificate)
    # gd: the certificate is the known tight rate within the bisection tolerance 1e-3
    known = np.maximum(np.abs(1 - serial.eta), np.abs(1 - 10 * serial.eta))
    assert np.all(np.abs(serial.certificate[:, 0] - known) <= 1e-3 + 1e-6)


@pytest.mark.slow
def test_dask_local_cluster(tmp_path: Path) -> None:
    from dask import distributed  # the 'distributed' extra, which make installs: never skipped
    grid = {"eta": [0.05, 0.1], "beta": [0.3, 0.5]}
    # certificates stay out (the process-pool test compares them): this is about the executor
    serial = worst_case_map("momentum", 1, 25, grid, 2, workers=1, cache_dir=False,
                            certify=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, scheduler_port=0) as cluster, \
            distributed.Client(cluster) as client:
        on_dask = worst_case_map("momentum", 1, 25, grid, 2, client.get_executor(),
                                 cache_dir=tmp_path, certify=False)
        workers_used = len(client.scheduler_info()["workers"])
    assert workers_used == 2
    np.testing.assert_array_equal(serial.worst_case, on_dask.worst_case)
    assert len(list(tmp_path.glob("*.json"))) == 4


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"mu": -1.0}, "mu must be > 0"),
    ({"L": 1.0}, "L must be > mu"),
    ({"steps": 0}, "steps"),
    ({"steps": 31}, "steps must be <= 30"),
    ({"grid": {"eta": [0.1, float("nan")], "beta": [0.1]}}, "finite"),
    ({"grid": {"eta": [0.1], "beta": [1.2]}}, "beta must lie"),
    ({"grid": {"eta": [-0.1], "beta": [0.2]}}, "eta must be > 0"),
    ({"grid": {"eta": [], "beta": [0.2]}}, "non-empty"),
    ({"grid": {"eta": [0.1]}}, "beta"),
    ({"grid": {"eta": [0.1], "beta": [0.1], "gamma": [1]}}, "unknown"),
    ({"workers": 0}, "workers"),
    ({"executor": "pool"}, "executor must be a concurrent.futures.Executor"),
    ({"executor": ThreadPoolExecutor(1)}, "ThreadPoolExecutor"),
])
def test_bad_input_before_any_work(kwargs: dict, match: str, tmp_path: Path) -> None:
    args: dict[str, Any] = {"mu": 1.0, "L": 10.0, "grid": {"eta": [0.1], "beta": [0.1]},
                            "steps": 2} | kwargs
    with pytest.raises(ValueError, match=match):
        worst_case_map("momentum", args["mu"], args["L"], args["grid"], args["steps"],
                       args.get("executor"), workers=args.get("workers"), cache_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_figure(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    from optheory.figures.worst_case import worst_case_map_plot

    result = worst_case_map("momentum", 1, 25, GRID, 2, workers=1, cache_dir=tmp_path)
    fig = worst_case_map_plot(result)
    assert isinstance(fig, Figure) and fig.axes[0].get_xlabel().startswith("step size")
    gd = worst_case_map("gd", 1, 10, {"eta": [0.05, 0.15]}, 2, workers=1, cache_dir=tmp_path)
    assert len(worst_case_map_plot(gd).axes[0].lines) == 4  # three curves and the line at 1


def test_solvers_are_imported_only_when_used() -> None:
    import subprocess
    import sys

    code = ("import sys, optheory, optheory.pep.maps, optheory.pep.iqc, optheory.pep.gram; "
            "print(sorted(m for m in ('cvxpy', 'clarabel', 'scs', 'PEPit', 'dask') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_missing_extra_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import optheory._extras as extras
    from optheory._extras import MissingExtraError

    real = extras.importlib.import_module

    def no_clarabel(name: str, *args: Any) -> Any:
        if name == "clarabel":
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(extras.importlib, "import_module", no_clarabel)
    with pytest.raises(MissingExtraError, match=r"pip install 'optheory\[pep\]'"):
        worst_case_map("gd", 1, 10, {"eta": [0.1]}, 2, workers=1, cache_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []
