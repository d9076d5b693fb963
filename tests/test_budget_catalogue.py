"""The budget catalogue: every input of issue 17 answers in time and memory.

The cases run in two child interpreters (``tests/_bounded.py``): one for the
command line, one for the API.  Each case is timed by the child itself and its
peak resident memory read from ``/proc/self/status`` after resetting the peak
(``/proc/self/clear_refs``), so the cases share one interpreter start-up
without sharing a memory peak.  Every case must answer in under
:data:`SECONDS` with either its result or a one-line refusal naming the
parameter and the limit, and stay under :data:`MEMORY_BYTES` (the default
1 GiB array budget plus the interpreter).  A case that hangs is stopped after
:data:`~tests._bounded.CASE_ALARM` seconds, a batch after
:data:`~tests._bounded.KILL_AFTER`, so a regression fails instead of hanging CI.

Under pytest-xdist each batch runs once per session: the first worker to need
it runs it under a lock in the session's temporary folder, the other reads its
outcomes (the pattern of the pytest-xdist documentation).
"""

from __future__ import annotations

import dataclasses
import fcntl
import itertools
import json
import keyword
import string
from pathlib import Path

import pytest

from tests._bounded import (
    MEMORY_BYTES,
    SECONDS,
    Case,
    Outcome,
    assert_bounded,
    cli_case,
    run_batch,
)


def _names(count: int) -> list[str]:
    pairs = (a + b for a, b in itertools.product(string.ascii_lowercase, repeat=2))
    return [n for n in pairs if not keyword.iskeyword(n)][:count]


def _refused(outcome: Outcome, *words: str) -> str:
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
    ("Q with 5000 digits", ["minimize", "--Q", "1e5000"], ["--Q"]),
    ("product of 665 names", ["run", "gd", "--f", "*".join(_names(665)), "--x0",
                              ",".join(["1"] * 665), "--steps", "5"], ["--f", "gradient"]),
    ("333 variables, 10^6 steps", ["run", "gd", "--f", "+".join(f"{n}**2" for n in _names(333)),
                                   "--x0", ",".join(["1"] * 333), "--eta", "0.1",
                                   "--steps", "1000000"], ["--max-seconds"]),
    ("rmsprop gamma 1", ["run", "rmsprop", "--f", "x**2", "--x0", "1", "--eta", "0.1",
                         "--gamma", "1"], ["--gamma"]),
    ("adadelta rho 1", ["run", "adadelta", "--f", "x**2", "--x0", "1", "--rho", "1"], ["--rho"]),
    ("sweep of 10^5 settings x 10^5 steps", ["sweep", "momentum", "--eta-range", "0.1:0.2:1000",
                                             "--beta-range", "0:0.9:100",
                                             "--lam-range", "1:2:2", "--steps", "100000"],
     ["--max-seconds", "settings"]),
    ("minimize over --max-seconds", ["minimize", f"--Q={DENSE_12}", "--max-seconds", "0.01"],
     ["--max-seconds=0.01", "12 x 12"]),
]

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
    ("sweep over a 10^8 1-D grid",  # the caller's 800 MB grid is built untimed (setup)
     "optheory.sweep('gd', optheory.EigenQuadratic([0.2, 4.0]), {'eta': G}, 10)",
     ["max_memory"], "G = numpy.linspace(0.01, 0.4, 10**8)"),
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
    ("sweep of 10^7 settings x 100 steps",
     "optheory.sweep('gd', optheory.EigenQuadratic([0.2, 4.0]), "
     "{'eta': numpy.linspace(0.01, 0.4, 10**7)}, 100)", ["max_seconds", "settings"]),
    ("3 x 3 irrational Q, exact",
     "Q = [[3 + sympy.sqrt(2), sympy.sqrt(3), sympy.sqrt(5)], [sympy.sqrt(3), 4 + sympy.sqrt(5), 1],"
     " [sympy.sqrt(5), 1, 5 + sympy.sqrt(3)]]\n"
     "f = optheory.completed_square(Q, [1, 2, 3], 0)\n"
     "assert f.identity_holds\n"
     "# witness: Q x* = -c in 30-digit arithmetic\n"
     "r = (sympy.Matrix(Q) * f.x_star + sympy.Matrix([1, 2, 3])).evalf(30)\n"
     "assert max(abs(v) for v in r) < 1e-25", None),
    ("16 x 16 integer Q over max_seconds",
     "optheory.quadratic_minimizer([[16 if i == j else 1 for j in range(16)] for i in range(16)], "
     "max_seconds=0.1)", ["max_seconds", "16 x 16"]),
    ("complex eigenvalues", "optheory.EigenQuadratic([1 + 1j, 2])", ["eigenvalues", "real"]),
    ("seed that is a string", "optheory.EigenQuadratic([1, 2], seed='x')", ["seed"]),
    ("h_star that is a string", "optheory.EigenQuadratic([1, 2], h_star='x')", ["h_star"]),
    ("stability_region of a 6 x 6 symbolic matrix",
     "a, b = sympy.symbols('a b', positive=True)\n"
     "R = sympy.Matrix(6, 6, lambda i, j: a if i == j else (b if j == i + 1 else 0))\n"
     "optheory.stability_region(R)", ["max_size"]),
    ("torch objective with Abs, Max and Min",  # last: torch is imported untimed (setup)
     "from optheory.analysis.objective_problem import ExpressionProblem\n"
     "from optheory.symbolic.objective import Objective\n"
     "from optheory.symbolic.parse import parse_expression\n"
     "p = ExpressionProblem(Objective(parse_expression('Abs(x) + Max(x, y) + Min(x, y)**2')),"
     " backend='torch')\n"
     "x = torch.tensor([[1.0, 2.0]], dtype=torch.float64)\n"
     "# at (1, 2): f = |1| + 2 + 1**2; df/dx = sign(1) + 2 * 1, df/dy = 1 (y is the max)\n"
     "assert p.f(x).tolist() == [4.0] and p.grad(x).tolist() == [[3.0, 1.0]]",
     None, "import torch"),
]


# output failures: stdout on a full device, or closed
STDOUT_COMMANDS = [
    ["minimize", "--Q", "2,0;0,4"],
    ["verify", "--list"],
    ["exercise", "--list"],
    ["run", "gd", "--f", "x**2", "--x0", "1", "--eta", "0.1", "--json"],
]


def _cli_cases(work: Path) -> list[Case]:
    cases = [cli_case(f"refuse {c[0]}", c[1]) for c in CLI_REFUSALS]
    cases += [cli_case(f"result {c[0]}", c[1]) for c in CLI_RESULTS]
    cases += [cli_case(f"full {a[0]}", a, stdout="full") for a in STDOUT_COMMANDS]
    cases += [cli_case(f"closed {a[0]}", a, stdout="closed") for a in STDOUT_COMMANDS[:2]]
    cases.append(cli_case("huge data", ["exercise", "minibatch-sgd", "1", "--data",
                                        str(work / "huge.dat")]))
    for length in (300, 5000):
        out = work / f"long{length}" / ("a" * length) / "x"
        cases.append(cli_case(f"long out {length}", ["report", "--out", str(out), "--topic",
                                                     "quadratics"]))
    # builds the topic before it writes: not a 5-second case, only "old folder kept"
    cases.append(cli_case("report full stdout", ["report", "--out", str(work / "rep" / "rep"),
                                                 "--topic", "quadratics"],
                          stdout="full", alarm=300))
    return cases


def _prepare_cli_work(work: Path) -> None:
    with (work / "huge.dat").open("wb") as handle:  # a sparse 6 GB file: no disk used
        handle.truncate(6 * 10**9)
    for length in (300, 5000):
        (work / f"long{length}").mkdir()
    (work / "rep" / "rep").mkdir(parents=True)
    (work / "rep" / "rep" / "index.html").write_text("old")


def _api_cases() -> list[Case]:
    cases = [Case(c[0], c[1], setup=c[3] if len(c) > 3 else "") for c in API_CASES]
    cases.append(Case("streamed run", STREAMED_RUN))
    cases.append(Case("full trajectory refused", FULL_TRAJECTORY))
    return cases


def _build_cli(work: Path) -> list[Case]:
    _prepare_cli_work(work)
    return _cli_cases(work)


BATCHES = {"cli": _build_cli, "api": lambda work: _api_cases()}


def _run_saved(name: str, root: Path, *, wait: bool) -> bool:
    """Run batch ``name`` into ``root`` unless done; False if another worker holds it."""
    saved = root / f"budget-{name}.json"
    with open(root / f"budget-{name}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return False
        if not saved.exists():
            work = root / f"budget-{name}"
            work.mkdir()
            outcomes = run_batch(BATCHES[name](work), cwd=work)
            saved.write_text(json.dumps({k: dataclasses.asdict(v) for k, v in outcomes.items()}))
    return True


def _batch(name: str, request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Outcome], Path]:
    """Outcomes of batch ``name`` (and its work folder), run once per session."""
    if not hasattr(request.config, "workerinput"):  # not under xdist: run it here
        work = tmp_path_factory.mktemp(f"budget-{name}")
        return run_batch(BATCHES[name](work), cwd=work), work
    root = tmp_path_factory.getbasetemp().parent  # shared by this session's workers
    if not _run_saved(name, root, wait=False):
        # another worker is running it: run the other batches meanwhile, then wait
        for other in BATCHES:
            if other != name:
                _run_saved(other, root, wait=False)
        _run_saved(name, root, wait=True)
    saved = json.loads((root / f"budget-{name}.json").read_text())
    return {k: Outcome(**v) for k, v in saved.items()}, root / f"budget-{name}"


@pytest.fixture(scope="module")
def cli(request, tmp_path_factory):
    return _batch("cli", request, tmp_path_factory)


@pytest.fixture(scope="module")
def api(request, tmp_path_factory):
    return _batch("api", request, tmp_path_factory)[0]


@pytest.mark.parametrize(("case_id", "words"), [(c[0], c[2]) for c in CLI_REFUSALS],
                         ids=[c[0] for c in CLI_REFUSALS])
def test_cli_refusals_are_fast_and_one_line(cli, case_id, words):
    line = _refused(cli[0][f"refuse {case_id}"], *words)
    assert "int_max_str_digits" not in line


@pytest.mark.parametrize(("case_id", "check"), [(c[0], c[2]) for c in CLI_RESULTS],
                         ids=[c[0] for c in CLI_RESULTS])
def test_cli_results_are_fast(cli, case_id, check):
    outcome = cli[0][f"result {case_id}"]
    assert_bounded(outcome)
    assert outcome.rc == 0, outcome.stderr
    assert check(json.loads(outcome.stdout))


@pytest.mark.parametrize(("case_id", "words"), [(c[0], c[2]) for c in API_CASES],
                         ids=[c[0] for c in API_CASES])
def test_api_cases_are_fast(api, case_id, words):
    outcome = api[case_id]
    assert_bounded(outcome)
    if words is None:
        assert outcome.error is None, outcome.error
    else:
        assert outcome.error is not None, "expected a refusal"
        assert "\n" not in outcome.error
        for word in words:
            assert word in outcome.error, outcome.error


def test_huge_data_file_is_refused_by_its_size_unread(cli):
    outcomes, _ = cli
    line = _refused(outcomes["huge data"], "6000000000 bytes")
    assert "SHA-1" in line
    assert outcomes["huge data"].growth < 2**26  # never read into memory


# 1000 coordinates x 50 001 rows would be 400 MB; with 16 MiB the run keeps a
# stride.  Oracle: gd on lam = 1 multiplies every coordinate by (1 - eta) per step.
STREAMED_RUN = """
p = optheory.EigenQuadratic(numpy.ones(1000))
tr = optheory.run('gd', p, numpy.ones(1000), 50_000, eta=1e-5, max_memory=16 * 2**20,
                  max_seconds=None)
assert tr.stride > 1 and tr.steps == 50_000 and tr.t[-1] == 50_000
expected = (1 - 1e-5) ** tr.t
assert numpy.allclose(tr.x[:, 0], expected, rtol=1e-9, atol=0)  # rounding of 5e4 products
assert tr.tail.shape == (256, 1000) and numpy.array_equal(tr.tail[-1], tr.x[-1])
assert tr.x.nbytes < 16 * 2**20 and tr.diverged_at is None
"""

FULL_TRAJECTORY = """
optheory.run('gd', optheory.EigenQuadratic(numpy.ones(1000)), numpy.ones(1000), 200_000,
             eta=1e-5, stride=1)
"""


def test_streamed_run_keeps_a_strided_trajectory_within_max_memory(api):
    outcome = api["streamed run"]
    # 50 000 steps of 1000 coordinates: a run, not a 5-second case; memory is the point
    # (400 MB kept in full; the case's own peak stays within the 16 MiB budget plus the
    # problem, the start and numpy's temporaries)
    assert outcome.crashed is None, outcome.crashed
    assert outcome.error is None, outcome.error
    assert outcome.growth < 2**26, f"{outcome.growth / 2**20:.0f} MiB"
    assert outcome.maxrss < MEMORY_BYTES


def test_full_trajectory_on_request_is_refused_above_max_memory(api):
    outcome = api["full trajectory refused"]
    assert_bounded(outcome)
    assert outcome.error is not None and "max_memory" in outcome.error and "stride" in outcome.error


@pytest.mark.parametrize("argv", STDOUT_COMMANDS, ids=lambda a: a[0])
def test_full_stdout_is_a_one_line_error(cli, argv):
    line = _refused(cli[0][f"full {argv[0]}"], "standard output", "No space left")
    assert line.startswith(f"optheory {argv[0]}: error:")


@pytest.mark.parametrize("argv", STDOUT_COMMANDS[:2], ids=lambda a: a[0])
def test_closed_stdout_is_a_one_line_error(cli, argv):
    _refused(cli[0][f"closed {argv[0]}"], "standard output is closed")


def test_report_with_full_stdout_leaves_the_old_folder(cli):
    outcomes, work = cli
    outcome = outcomes["report full stdout"]
    assert outcome.crashed is None, outcome.crashed
    assert outcome.rc == 2 and "standard output" in outcome.stderr
    out = work / "rep" / "rep"
    assert (out / "index.html").read_text() == "old"
    assert sorted(p.name for p in (work / "rep").iterdir()) == ["rep"]


@pytest.mark.parametrize("name_length", [300, 5000])
def test_too_long_out_is_a_one_line_error(cli, name_length: int):
    outcomes, work = cli
    line = _refused(outcomes[f"long out {name_length}"])
    assert "too long" in line
    assert list((work / f"long{name_length}").iterdir()) == []


def test_memory_ceiling_constants_are_the_documented_budget():
    from optheory._budget import DEFAULT_MAX_MEMORY, DEFAULT_MAX_SECONDS

    assert DEFAULT_MAX_MEMORY == 2**30 and DEFAULT_MAX_SECONDS == 60
    assert MEMORY_BYTES - DEFAULT_MAX_MEMORY == 2**29 and SECONDS == 5
