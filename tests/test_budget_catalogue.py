"""The budget catalogue: every input of issue 17 answers in time and memory.

Each case runs in a child interpreter (``tests/_bounded.py``) that times the
work itself and reads its peak resident memory with ``resource.getrusage``;
the child is killed after two minutes, so a regression fails here instead of
hanging CI.  Every case must answer in under :data:`SECONDS` with either its
result or a one-line refusal naming the parameter and the limit, and stay
under :data:`MEMORY_BYTES` (the default 1 GiB array budget plus the
interpreter).
"""

from __future__ import annotations

import itertools
import json
import keyword
import string
import subprocess
import sys
from pathlib import Path

import pytest

from tests._bounded import MEMORY_BYTES, SECONDS, assert_bounded, run_bounded, run_cli


def _names(count: int) -> list[str]:
    pairs = (a + b for a, b in itertools.product(string.ascii_lowercase, repeat=2))
    return [n for n in pairs if not keyword.iskeyword(n)][:count]


def _refused(outcome, *words: str) -> str:
    """The CLI case exited 2 with one line on stderr containing ``words``."""
    assert_bounded(outcome)
    assert outcome.rc == 2, outcome.stderr
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in outcome.stderr, outcome.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


DENSE_12 = ";".join(
    ",".join(str(12 * 12 if i == j else ((i * 7 + j * 7) % 11) - 5) for j in range(12))
    for i in range(12)
)

# (id, argv, words every refusal line must contain)
CLI_REFUSALS = [
    ("Q huge exponent", ["minimize", "--Q=1e99999999,0;0,1"], ["--Q", "400"]),
    ("steps huge", ["run", "gd", "--f", "x**2", "--x0", "1", "--eta", "0.1",
                    "--steps", "1e99999999"], ["--steps", "1000000"]),
    ("eta tiny", ["run", "gd", "--f", "x**2", "--x0", "1", "--eta", "1e-99999999"],
     ["--eta", "float range"]),
    ("x0 huge", ["run", "gd", "--f", "x**2", "--x0", "1e99999999", "--eta", "0.1"],
     ["--x0", "float range"]),
    ("b huge", ["minimize", "--Q", "1,0;0,1", "--b", "1e99999999"], ["--b", "400"]),
    ("product of 665 names", ["run", "gd", "--f", "*".join(_names(665)), "--x0",
                              ",".join(["1"] * 665), "--steps", "5"], ["--f", "gradient"]),
    ("333 variables, 10^6 steps", ["run", "gd", "--f", "+".join(f"{n}**2" for n in _names(333)),
                                   "--x0", ",".join(["1"] * 333), "--eta", "0.1",
                                   "--steps", "1000000"], ["--max-seconds"]),
    ("rmsprop gamma 1", ["run", "rmsprop", "--f", "x**2", "--x0", "1", "--eta", "0.1",
                         "--gamma", "1"], ["--gamma"]),
    ("adadelta rho 1", ["run", "adadelta", "--f", "x**2", "--x0", "1", "--rho", "1"], ["--rho"]),
]


@pytest.mark.parametrize(("argv", "words"), [c[1:] for c in CLI_REFUSALS],
                         ids=[c[0] for c in CLI_REFUSALS])
def test_cli_refusals_are_fast_and_one_line(argv, words):
    _refused(run_cli(argv), *words)


def test_q_with_5000_digits_names_the_limit_not_python_internals():
    line = _refused(run_cli(["minimize", "--Q", "1e5000"]), "--Q")
    assert "int_max_str_digits" not in line


# (id, argv, a check on the JSON output)
CLI_RESULTS = [
    ("dense 12 x 12 integer Q", ["minimize", f"--Q={DENSE_12}", "--json"],
     lambda out: len(out["x_star"]) == 12 and out["completed_square_verified"]),
    ("Min of Max squared", ["run", "gd", "--f", "Min(Max(a,b),Max(c,d),Max(e,f),Max(g,h),Max(i,j))**2",
                            "--x0", "1,2,3,4,5,6,7,8,9,10", "--eta", "0.1", "--steps", "5", "--json"],
     # Max(a, b) = b is the smallest Max, so b moves: 2 -> 2 (1 - 2 eta)^t while b > a = 1
     # (4 steps: 2 * 0.8^4 = 0.8192); then Max(a, b) = a and step 5 moves a: 1 -> 0.8
     lambda out: abs(out["x_final"][1] - 2 * 0.8**4) < 1e-12
     and abs(out["x_final"][0] - 0.8) < 1e-12
     and out["x_final"][2:] == list(map(float, range(3, 11)))),
    ("Max of 10 names", ["run", "gd", "--f", "Max(a,b,c,d,e,f,g,h,i,j)", "--x0",
                         "1,2,3,4,5,6,7,8,9,10", "--eta", "0.1", "--steps", "3", "--json"],
     # the gradient is the indicator of the largest: j moves 10 -> 9.7
     lambda out: abs(out["x_final"][9] - 9.7) < 1e-12 and out["x_final"][0] == 1.0),
    ("log leaves its domain", ["run", "gd", "--f", "log(x)", "--x0", "0.5", "--eta", "5",
                               "--steps", "5", "--json"],
     # x1 = 0.5 - 5 / 0.5 = -9.5 is outside the domain: f = nan there, so step 1 diverges
     lambda out: out["diverged_at"] == 1),
    ("negative objective as a separate argument", ["run", "gd", "--f", "-x**2", "--x0", "1",
                                                   "--eta", "0.1", "--steps", "2", "--json"],
     lambda out: abs(out["x_final"][0] - 1.2**2) < 1e-12),
]


@pytest.mark.parametrize(("argv", "check"), [c[1:] for c in CLI_RESULTS],
                         ids=[c[0] for c in CLI_RESULTS])
def test_cli_results_are_fast(argv, check):
    outcome = run_cli(argv)
    assert_bounded(outcome)
    assert outcome.rc == 0, outcome.stderr
    assert check(json.loads(outcome.stdout))


# (id, Python body, words of the expected refusal or None for a result)
API_CASES = [
    ("run 10^7 steps x 1000 settings",
     "optheory.run('gd', optheory.EigenQuadratic([0.2, 4.0]), [1, 1], 10**7, "
     "eta=numpy.linspace(0.01, 0.4, 1000))", ["max_seconds"]),
    ("sweep 2e4 x 2e4 grid",
     "g = numpy.linspace(0.01, 0.4, 20000)\n"
     "optheory.sweep('momentum', optheory.EigenQuadratic([0.2, 4.0]), {'eta': g, 'beta': g / 2}, 10)",
     ["max_memory", "grid"]),
    ("closed-form sweep 2e4 x 2e4 grid",
     "g = numpy.linspace(0.01, 0.4, 20000)\n"
     "optheory.sweep('momentum', optheory.EigenQuadratic([0.2, 4.0]), {'eta': g, 'beta': g / 2}, "
     "10, closed_form=True)", ["max_memory"]),
    ("spectral_radius on a 2e4 x 2e4 grid",
     "g = numpy.linspace(0.01, 0.4, 20000)\n"
     "optheory.spectral_radius('momentum', g[:, None], 1.0, g[None, :] / 2)", ["max_memory"]),
    ("spectral_radius_map on a 2e4 x 2e4 grid",
     "g = numpy.linspace(0.01, 0.4, 20000)\n"
     "optheory.spectral_radius_map('momentum', g[:, None], 1.0, g[None, :] / 2)", ["max_memory"]),
    ("sweep over a 10^8 1-D grid",
     "optheory.sweep('gd', optheory.EigenQuadratic([0.2, 4.0]), "
     "{'eta': numpy.linspace(0.01, 0.4, 10**8)}, 10)", ["max_memory"]),
    ("sweep of 10^7 steps",
     "optheory.sweep('adam', optheory.EigenQuadratic([0.2, 4.0]), "
     "{'eta': numpy.linspace(0.01, 0.4, 64)}, 10**7)", ["max_seconds"]),
    ("train_2d of 10^7 steps", "optheory.train_2d('gd', 10**7, eta=0.1)", ["max_seconds"]),
    ("identity basis of 10^4 eigenvalues",
     "p = optheory.EigenQuadratic(numpy.ones(10**4))\n"
     "assert p.f(numpy.ones(10**4)) == 5000.0 and p.grad(numpy.ones(10**4)).sum() == 10**4",
     None),
    ("random basis of 10^5 eigenvalues",
     "optheory.EigenQuadratic(numpy.ones(10**5), basis='random')", ["max_memory", "basis"]),
    ("bias_correction with t = 10^9",
     "v = optheory.bias_correction(sympy.Rational(9, 10), 10**9)\n"
     "assert isinstance(v, sympy.Float) and abs(v - 1) < 1e-29  # 0.9^1e9 ~ 1e-45757494",
     None),
    ("ema_weight_sum with t = 10^9",
     "v = optheory.ema_weight_sum(sympy.Rational(9, 10), 10**9)\n"
     "assert isinstance(v, sympy.Float) and abs(v - 1) < 1e-29", None),
    ("stability_region of a 6 x 6 symbolic matrix",
     "a, b = sympy.symbols('a b', positive=True)\n"
     "R = sympy.Matrix(6, 6, lambda i, j: a if i == j else (b if j == i + 1 else 0))\n"
     "optheory.stability_region(R)", ["max_size"]),
]


@pytest.mark.parametrize(("body", "words"), [c[1:] for c in API_CASES],
                         ids=[c[0] for c in API_CASES])
def test_api_cases_are_fast(body, words):
    outcome = run_bounded(body)
    assert_bounded(outcome)
    if words is None:
        assert outcome.error is None, outcome.error
    else:
        assert outcome.error is not None, "expected a refusal"
        assert "\n" not in outcome.error
        for word in words:
            assert word in outcome.error, outcome.error


def test_huge_data_file_is_refused_by_its_size_unread(tmp_path: Path):
    huge = tmp_path / "huge.dat"
    with huge.open("wb") as handle:  # a sparse 6 GB file: no disk used
        handle.truncate(6 * 10**9)
    outcome = run_cli(["exercise", "minibatch-sgd", "1", "--data", str(huge)])
    line = _refused(outcome, "6000000000 bytes")
    assert "SHA-1" in line
    assert outcome.maxrss < 2**29  # never read into memory


def test_streamed_run_keeps_a_strided_trajectory_within_max_memory():
    # 1000 coordinates x 200 001 rows would be 1.6 GB; with 64 MiB the run keeps a
    # stride.  Oracle: gd on lam = 1 multiplies every coordinate by (1 - eta) per step.
    body = """
    p = optheory.EigenQuadratic(numpy.ones(1000))
    tr = optheory.run('gd', p, numpy.ones(1000), 200_000, eta=1e-5, max_memory=64 * 2**20,
                      max_seconds=None)
    assert tr.stride > 1 and tr.steps == 200_000 and tr.t[-1] == 200_000
    expected = (1 - 1e-5) ** tr.t
    assert numpy.allclose(tr.x[:, 0], expected, rtol=1e-9, atol=0)  # rounding of 2e5 products
    assert tr.tail.shape == (256, 1000) and numpy.array_equal(tr.tail[-1], tr.x[-1])
    assert tr.x.nbytes < 64 * 2**20 and tr.diverged_at is None
    """
    outcome = run_bounded(body)
    assert outcome.exit_code == 0, outcome.stderr[-2000:]
    assert outcome.error is None, outcome.error
    assert outcome.maxrss < 2**29, f"{outcome.maxrss / 2**20:.0f} MiB"


def test_full_trajectory_on_request_is_refused_above_max_memory():
    body = """
    optheory.run('gd', optheory.EigenQuadratic(numpy.ones(1000)), numpy.ones(1000), 200_000,
                 eta=1e-5, stride=1)
    """
    outcome = run_bounded(body)
    assert_bounded(outcome)
    assert outcome.error is not None and "max_memory" in outcome.error and "stride" in outcome.error


# -------------------------------------------------------------- output failures
STDOUT_COMMANDS = [
    ["minimize", "--Q", "2,0;0,4"],
    ["verify", "--list"],
    ["exercise", "--list"],
    ["run", "gd", "--f", "x**2", "--x0", "1", "--eta", "0.1", "--json"],
]


@pytest.mark.parametrize("argv", STDOUT_COMMANDS, ids=lambda a: a[0])
def test_full_stdout_is_a_one_line_error(argv):
    with open("/dev/full", "w") as full:
        outcome = run_cli(argv, stdout=full.fileno())
    line = _refused(outcome, "standard output", "No space left")
    assert line.startswith(f"optheory {argv[0]}: error:")


@pytest.mark.parametrize("argv", STDOUT_COMMANDS[:2], ids=lambda a: a[0])
def test_closed_stdout_is_a_one_line_error(argv):
    outcome = run_bounded(f"""
    import os
    os.close(1)
    sys.stdout = None  # what the interpreter sets when started with fd 1 closed
    _result['rc'] = _cli_main({argv!r})
    """)
    _refused(outcome, "standard output is closed")


def test_report_with_full_stdout_leaves_the_old_folder(tmp_path: Path):
    out = tmp_path / "rep"
    out.mkdir()
    (out / "index.html").write_text("old")
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-c", "from optheory.cli import run; run()", "report", "--out",
             str(out), "--topic", "quadratics"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=300,
        )
    assert proc.returncode == 2 and "standard output" in proc.stderr
    assert (out / "index.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


@pytest.mark.parametrize("name_length", [300, 5000])
def test_too_long_out_is_a_one_line_error(tmp_path: Path, name_length: int):
    out = tmp_path / ("a" * name_length) / "x"
    line = _refused(run_cli(["report", "--out", str(out), "--topic", "quadratics"]))
    assert "too long" in line
    assert list(tmp_path.iterdir()) == []


def test_memory_ceiling_constants_are_the_documented_budget():
    from optheory._budget import DEFAULT_MAX_MEMORY, DEFAULT_MAX_SECONDS

    assert DEFAULT_MAX_MEMORY == 2**30 and DEFAULT_MAX_SECONDS == 60
    assert MEMORY_BYTES - DEFAULT_MAX_MEMORY == 2**29 and SECONDS == 5
