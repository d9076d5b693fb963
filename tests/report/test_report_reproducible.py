"""`make report` reproduces the committed report byte for byte, on any instruction set.

``make test`` runs this module again under lowered instruction-set profiles
(``pytest -m isa``), so a number that depends on the CPU fails here.
"""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys

import pytest

from tests.conftest import require_airfoil

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMMITTED = os.path.join(ROOT, "reports")


def _files(top: str) -> set[str]:
    return {os.path.relpath(os.path.join(d, f), top) for d, _, fs in os.walk(top) for f in fs}


@pytest.mark.isa
@pytest.mark.slow
def test_report_build_reproduces_the_committed_bytes(tmp_path):
    data = require_airfoil()
    out = tmp_path / "reports"
    env = dict(os.environ, OPTHEORY_AIRFOIL=data, MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-m", "optheory", "report", "--out", str(out)],
                          env=env, capture_output=True, text=True, timeout=1500, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    built, committed = _files(str(out)), _files(COMMITTED)
    assert built == committed, f"missing {sorted(committed - built)}, new {sorted(built - committed)}"
    _, differ, errors = filecmp.cmpfiles(COMMITTED, out, sorted(built), shallow=False)
    profile = os.environ.get("OPTHEORY_ISA_PROFILE", "native")
    assert not differ and not errors, (
        f"under the {profile} instruction set these files differ from reports/ "
        f"(run `make report` and look at `git diff reports`): {differ + errors}"
    )
