"""Run pieces of work in a child interpreter and measure each one's time and peak memory.

The child imports what the cases need first (not timed: interpreter and library
start-up), then runs the cases one after another.  For each it resets the peak
resident memory (writing ``5`` to ``/proc/self/clear_refs`` sets ``VmHWM`` back
to the current resident size), times the work with ``time.perf_counter`` and
reads ``VmHWM`` of ``/proc/self/status`` afterwards: the case's own peak, with
the interpreter that is already loaded (``ru_maxrss`` could not be reset, and
keeps the forked pytest's high-water mark across ``exec``).  A batch shares one
interpreter, so forty cases cost one start-up instead of forty.

Each case gets :data:`CASE_ALARM` seconds (``SIGALRM``, then the next case
runs), the child's address space is capped (``RLIMIT_AS``) so that a
regression fails with a MemoryError instead of eating the CI machine, and the
whole batch is killed after :data:`KILL_AFTER` seconds: a regression fails
here instead of hanging the suite.
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
#: A case still running after this many seconds is stopped and reported.
CASE_ALARM = 60
#: Hard kill of a whole batch: a regression is reported as a failure, never a hang.
KILL_AFTER = 600

_CHILD = r'''
import io, json, os, signal, sys, time, traceback
import numpy, sympy
import optheory
from optheory.cli import main as _cli_main
# the modules the cases reach, imported here so that no case pays their import
import optheory.analysis.sweep, optheory.analysis.sweep_maps, optheory.analysis.rates
import optheory.numeric.run, optheory.symbolic.leaky, optheory.symbolic.stability
import optheory.symbolic.quadratic, optheory.cli.report, optheory.report.build
import optheory.report.topics, optheory.analysis.objective_problem


class _Alarm(BaseException):
    pass


def _alarm(signum, frame):
    raise _Alarm()


def _status(field):
    with open("/proc/self/status") as status:
        return int([l for l in status if l.startswith(field)][0].split()[1]) * 1024


signal.signal(signal.SIGALRM, _alarm)
cases = json.loads(os.environ["BOUNDED_CASES"])
results = {}
real_out, real_err = sys.stdout, sys.stderr
for case in cases:
    ns = {"numpy": numpy, "sympy": sympy, "optheory": optheory, "_cli_main": _cli_main,
          "sys": sys, "os": os, "_result": {"rc": None, "error": None}}
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    stdout = case.get("stdout")
    sys.stdout = None if stdout == "closed" else (open("/dev/full", "w") if stdout == "full" else out)
    sys.stderr = err
    crashed = None
    exec(case.get("setup", ""), ns)  # the caller's own inputs: neither timed nor reset
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    baseline = _status("VmRSS:")
    signal.alarm(case.get("alarm", 60))
    t0 = time.perf_counter()
    try:
        exec(case["body"], ns)
    except ValueError as exc:
        ns["_result"]["error"] = str(exc)
    except SystemExit as exc:
        ns["_result"]["rc"] = exc.code
    except _Alarm:
        crashed = f"still running after {case.get('alarm', 60)} s"
    except BaseException:
        crashed = traceback.format_exc()
    seconds = time.perf_counter() - t0
    signal.alarm(0)
    peak = _status("VmHWM:")
    for stream in (out, err):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    sys.stdout, sys.stderr = real_out, real_err
    results[case["id"]] = {
        **ns["_result"], "seconds": seconds, "maxrss": peak, "baseline": baseline,
        "crashed": crashed,
        "stdout": out.buffer.getvalue().decode("utf-8", "replace"),
        "stderr": err.buffer.getvalue().decode("utf-8", "replace"),
    }
    if stdout == "full":
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # what the CLI may have silenced
with open(os.environ["BOUNDED_OUT"], "w") as f:
    json.dump(results, f)
'''


@dataclass
class Outcome:
    rc: int | None
    error: str | None
    seconds: float
    maxrss: int
    stdout: str
    stderr: str
    crashed: str | None
    #: Resident memory when the case started (the interpreter and earlier cases' imports).
    baseline: int = 0

    @property
    def growth(self) -> int:
        """Peak resident memory above :attr:`baseline`: what the case itself allocated."""
        return self.maxrss - self.baseline


@dataclass
class Case:
    """One piece of work: Python ``body`` (may set ``_result["rc"]``) run in a batch child.

    ``stdout`` is ``None`` (captured), ``"full"`` (``/dev/full``) or ``"closed"``
    (``sys.stdout`` is None, as when the interpreter starts with fd 1 closed).
    ``setup`` builds the caller's inputs (untimed; its memory stays in the peak).
    """

    id: str
    body: str
    stdout: str | None = None
    alarm: int = CASE_ALARM
    setup: str = ""


def cli_case(id: str, argv: list[str], *, stdout: str | None = None, alarm: int = CASE_ALARM) -> Case:
    """``optheory ARGV`` through :func:`optheory.cli.main`, in the batch child."""
    return Case(id, f"_result['rc'] = _cli_main({argv!r})", stdout, alarm)


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_batch(cases: list[Case], *, cwd: str | Path | None = None) -> dict[str, Outcome]:
    """Run ``cases`` one after another in one measured child; their outcomes by id."""
    payload = [
        {"id": c.id, "body": textwrap.dedent(c.body), "stdout": c.stdout, "alarm": c.alarm,
         "setup": textwrap.dedent(c.setup)}
        for c in cases
    ]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        env = {**os.environ, "BOUNDED_OUT": str(out), "BOUNDED_CASES": json.dumps(payload),
               "MPLBACKEND": "Agg"}
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD], env=env, timeout=KILL_AFTER, preexec_fn=_limit,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=cwd,
        )
        data = json.loads(out.read_text()) if out.exists() else {}
    outcomes = {}
    for c in cases:
        d = data.get(c.id)
        if d is None:
            outcomes[c.id] = Outcome(None, None, float("inf"), 0, "", proc.stderr[-2000:],
                                     f"the batch child ended with {proc.returncode}")
        else:
            outcomes[c.id] = Outcome(d["rc"], d["error"], d["seconds"], d["maxrss"],
                                     d["stdout"], d["stderr"], d["crashed"], d["baseline"])
    return outcomes


def assert_bounded(outcome: Outcome) -> None:
    """The case answered within :data:`SECONDS` and :data:`MEMORY_BYTES`."""
    assert outcome.crashed is None, outcome.crashed
    assert outcome.seconds < SECONDS, f"took {outcome.seconds:.1f} s"
    assert outcome.maxrss < MEMORY_BYTES, f"peak memory {outcome.maxrss / 2**20:.0f} MiB"
