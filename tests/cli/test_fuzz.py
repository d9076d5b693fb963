"""Property-based fuzzing of the command line: no input produces a traceback."""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optheory.cli import main
from optheory.report.topics import TOPIC_MODULES

TOPIC_NAMES = set(TOPIC_MODULES)

# Every example starts with one of these prefixes, so that no example starts long
# work (a whole report, all claims); the tokens after it are fuzzed.
PREFIXES = [[], ["minimize"], ["run"], ["verify", "--claim"], ["report", "--topic"],
            ["exercise"], ["tune"], ["region"], ["region", "--step"], ["regime"], ["average"],
            ["radius"], ["sweep"], ["run", "gd", "--f", "x**2", "--x0", "1", "--eta", "0.1"]]
TOKENS = [
    "minimize", "run", "--Q", "--c", "--b", "--f", "--x0", "--steps",
    "--eta", "--beta", "--gamma", "--rho", "--beta1", "--beta2", "--eps", "--json",
    "--claim", "--source", "--topic", "--convention", "--impl", "--detect-cycle",
    "gd", "momentum", "adam", "rmsprop", "nesterov", "yogi", "torch", "own", "textbook",
    "1", "-1", "0", "0.5", "1/3", "nan", "inf", "-inf", "1e400", "2,0;0,4", "1,2;3,4", "1,-2",
    "x**2", "x1**2 + x2**2", "9**9**9", "x.__class__", "__import__('os')", "", " ", ";", ",",
    "(", "Piecewise((x, x<1), (2*x, True))", "sin(x)*cos(x)", "no.such.claim", "nowhere",
    "\x00", "é", "--", "-h?", "--unknown",
    # the questions' flags (issue 15)
    "tune", "region", "regime", "average", "radius", "sweep", "polyak", "ema", "--mu", "--L",
    "--step", "--lam", "--t", "--lam-min", "--lam-max", "--eta-range", "--beta-range",
    "--lam-range", "--out", "--closed-form", "--trajectory", "--csv", "--plot",
    "--fail-on-divergence", "--verdict", "holds", "refuted", "003", "0.9", "0.1,0.2", "2,1",
    "0.1:0.3:3", "1:2:2", "0:0.9:2", "1:2", "-1:2:2", "m.csv", "m.svg", "m.gif", "t.csv", "p.svg",
    "v = beta*v + grad(x); x = x - eta*v", "x = x - eta*grad(x)**2", "x = x - eta*grad(w)",
    "x = grad(grad(x", "x^2", "x = x - eta*grad(x)",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    prefix=st.sampled_from(PREFIXES),
    rest=st.lists(st.sampled_from(TOKENS) | st.text(max_size=12), min_size=0, max_size=8),
)
def test_no_traceback(
    prefix: list[str], rest: list[str], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = prefix + rest
    if prefix and prefix[0] == "report" and any(t in TOPIC_NAMES for t in rest):
        return  # a valid topic would build a report: not what this test is about
    # a fresh folder for every example, left before it is deleted (hypothesis resolves module
    # paths such as torch.ops's relative "_ops.py" against the working directory)
    with tempfile.TemporaryDirectory() as workdir, monkeypatch.context() as patch:
        patch.chdir(workdir)
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        captured = capsys.readouterr()
        assert code in (0, 1, 2), (argv, code)
        assert "Traceback" not in captured.err, (argv, captured.err)
        # nothing is written by a failing command
        if code == 2:
            assert os.listdir(workdir) == [], argv


def test_help_has_example_for_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    from optheory.cli import SUBCOMMANDS

    for name in SUBCOMMANDS:
        with pytest.raises(SystemExit) as info:
            main([name.replace("_", "-"), "--help"])  # module worst_case_map: worst-case-map
        assert info.value.code == 0
        out = capsys.readouterr().out
        assert "example" in out, name
        assert "--json" in out, name
