"""Run a piece of work in a child interpreter and measure its time and peak memory.

The child imports what it needs first (not timed: interpreter and library start-up),
then times the work itself with ``time.perf_counter`` and reads its own peak
resident memory (``VmHWM`` of ``/proc/self/status``: ``ru_maxrss`` keeps the high-water
mark of the forked parent across ``exec``, so a large pytest process would count).  Its address
space is capped (``RLIMIT_AS``) so that a regression fails with a MemoryError
instead of eating the CI machine, and it is killed after ``kill_after`` seconds
so that a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

#: Seconds every case must answer in (the issue's promise).
SECONDS = 5.0
#: Peak resident memory every case must stay under: the default array budget
#: (1 GiB) plus the interpreter with numpy, sympy and (lazily) torch.
MEMORY_BYTES = 2**30 + 2**29
#: Address-space cap of the child: far above any case, far below the machine.
ADDRESS_SPACE = 8 * 2**30
#: Hard kill: a regression is reported as a failure, never a hang.
KILL_AFTER = 120

_PRELUDE = """
import json, os, resource, sys, time
import numpy, sympy
import optheory
from optheory.cli import main as _cli_main
_result = {"rc": None, "error": None}
_t0 = time.perf_counter()
try:
{body}
except ValueError as _exc:
    _result["error"] = str(_exc)
_result["seconds"] = time.perf_counter() - _t0
try:  # the peak of this process's own memory: ru_maxrss would also count the forked parent's
    with open("/proc/self/status") as _status:
        _hwm = [l for l in _status if l.startswith("VmHWM:")][0]
    _result["maxrss"] = int(_hwm.split()[1]) * 1024
except (OSError, IndexError):
    _result["maxrss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
with open(os.environ["BOUNDED_OUT"], "w") as _f:
    json.dump(_result, _f)
"""


@dataclass
class Outcome:
    rc: int | None
    error: str | None
    seconds: float
    maxrss: int
    stdout: str
    stderr: str
    exit_code: int


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_bounded(body: str, *, stdout: int | None = None, cwd: str | Path | None = None) -> Outcome:
    """Run ``body`` (Python, may set ``_result["rc"]``) in a measured child."""
    code = _PRELUDE.replace("{body}", textwrap.indent(textwrap.dedent(body), "    "))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        env = {**os.environ, "BOUNDED_OUT": str(out), "MPLBACKEND": "Agg"}
        proc = subprocess.run(
            [sys.executable, "-c", code], env=env, timeout=KILL_AFTER, preexec_fn=_limit,
            stdout=subprocess.PIPE if stdout is None else stdout, stderr=subprocess.PIPE,
            text=True, cwd=cwd,
        )
        data = json.loads(out.read_text()) if out.exists() else {}
    return Outcome(
        data.get("rc"), data.get("error"), float(data.get("seconds", float("inf"))),
        int(data.get("maxrss", 0)), proc.stdout or "", proc.stderr, proc.returncode,
    )


def run_cli(argv: list[str], *, stdout: int | None = None, cwd: str | Path | None = None) -> Outcome:
    """Run ``optheory ARGV`` through :func:`optheory.cli.main` in a measured child."""
    return run_bounded(f"_result['rc'] = _cli_main({argv!r})", stdout=stdout, cwd=cwd)


def assert_bounded(outcome: Outcome) -> None:
    """The case answered within :data:`SECONDS` and :data:`MEMORY_BYTES`."""
    assert outcome.exit_code == 0, outcome.stderr[-2000:]
    assert outcome.seconds < SECONDS, f"took {outcome.seconds:.1f} s"
    assert outcome.maxrss < MEMORY_BYTES, f"peak memory {outcome.maxrss / 2**20:.0f} MiB"
