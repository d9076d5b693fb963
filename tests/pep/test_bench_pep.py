"""scripts/bench_pep.py: a tiny run answers valid JSON with both sides' values compared."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.pep

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_bench_pep_json_smoke() -> None:
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "bench_pep.py"), "--steps", "2",
         "--side", "2", "--repeats", "1", "--workers", "1", "--json"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)  # nothing else on stdout (PEPit prints warnings there)
    assert report["workload"]["cells"] == 4
    assert report["pepit_cells_without_a_value"] == 0
    assert report["worst_case_map_cells_without_a_value"] == 0
    # both sides solve the same SDP with CLARABEL: equal to the solvers' accuracy
    assert report["max_relative_gap"] < 1e-5
    assert report["pepit_loop_seconds_per_cell_median"] > 0
    assert report["worst_case_map_seconds_per_cell_median"] > 0
