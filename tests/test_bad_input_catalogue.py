"""The bad-input catalogue: every case gives a one-line error naming the parameter.

API cases raise ``ValueError`` with a single line that contains the parameter's
name; CLI cases exit with code 2, print one line (plus an optional hint line)
on stderr and no traceback.  Every case runs in an empty working directory
that must stay empty: bad input writes no file.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy as sp

from optheory.cli import main

NAN, INF = math.nan, math.inf


def _api_cases() -> list[tuple[str, Callable[[], Any], str]]:
    from optheory.analysis.rates import spectral_radius
    from optheory.analysis.regression import regression_data, stationary_excess
    from optheory.analysis.rotation import rotation_table
    from optheory.analysis.sweep import sweep
    from optheory.analysis.sweep_maps import spectral_radius_map
    from optheory.numeric.cycles import find_cycle
    from optheory.numeric.problems import EigenQuadratic, textbook_2d
    from optheory.numeric.reddi import run_reddi
    from optheory.numeric.run import run, train_2d
    from optheory.numeric.sweep import simulate
    from optheory.symbolic.adaptive import scalar_iterates
    from optheory.symbolic.leaky import bias_correction, effective_weight, half_life
    from optheory.symbolic.parse import parse_expression
    from optheory.symbolic.quadratic import eigen_form, quadratic_minimizer
    from optheory.symbolic.stability import stability_region
    from optheory.symbolic.tuning import optimal_parameters
    from optheory.verification import verify

    p = textbook_2d()
    x0 = np.array([-5.0, -2.0])
    return [
        ("Q nan", lambda: quadratic_minimizer([[NAN, 0], [0, 1]], [0, 0]), "Q"),
        ("Q inf", lambda: quadratic_minimizer([[INF, 0], [0, 1]], [0, 0]), "Q"),
        ("Q non-symmetric", lambda: quadratic_minimizer([[1, 2], [0, 1]], [0, 0]), "symmetric"),
        ("Q indefinite", lambda: quadratic_minimizer([[1, 0], [0, -3]], [0, 0]), "eigenvalue -3"),
        ("Q singular", lambda: quadratic_minimizer([[1, 1], [1, 1]], [0, 0]), "singular"),
        ("c wrong shape", lambda: quadratic_minimizer([[1, 0], [0, 1]], [1, 2, 3]), "c"),
        ("eigenvalues nan", lambda: EigenQuadratic([1.0, NAN]), "eigenvalues"),
        ("eigenvalue zero", lambda: EigenQuadratic([1.0, 0.0]), "eigenvalues"),
        ("eigenvalue negative", lambda: EigenQuadratic([-1.0]), "eigenvalues"),
        ("basis not orthonormal", lambda: EigenQuadratic([1.0, 2.0], basis=[[1, 1], [0, 1]]), "basis"),
        ("basis shape", lambda: EigenQuadratic([1.0, 2.0], basis=np.eye(3)), "basis"),
        ("unknown backend", lambda: EigenQuadratic([1.0], backend="jax"), "backend"),
        ("numpy on cuda", lambda: EigenQuadratic([1.0], device="cuda"), "device"),
        ("from_matrix non-square", lambda: EigenQuadratic.from_matrix([[1.0, 2.0]], None), "Q"),
        ("from_matrix indefinite", lambda: EigenQuadratic.from_matrix([[1.0, 0], [0, -1.0]]), "Q"),
        ("grad wrong shape", lambda: p.grad(np.zeros(3)), "x"),
        ("run unknown method", lambda: run("sgdd", p, x0, 5, eta=0.1), "method"),
        ("run eta zero", lambda: run("gd", p, x0, 5, eta=0.0), "eta"),
        ("run eta nan", lambda: run("gd", p, x0, 5, eta=NAN), "eta"),
        ("map engine unknown", lambda: spectral_radius_map("momentum", 0.1, 1.0, 0.5, engine="gpu"), "engine"),
        ("map eta nan", lambda: spectral_radius_map("momentum", [0.1, NAN], 1.0, 0.5), "eta"),
        ("sweep kernel compiled for adam", lambda: simulate("adam", p, {"eta": [0.1]}, 5, kernel="compiled"), "kernel"),
        ("run beta one", lambda: run("momentum", p, x0, 5, eta=0.1, beta=1.0), "beta"),
        ("run gamma > 1", lambda: run("rmsprop", p, x0, 5, eta=0.1, gamma=1.5), "gamma"),
        ("run rho < 0", lambda: run("adadelta", p, x0, 5, rho=-0.1), "rho"),
        ("run beta1 > 1", lambda: run("adam", p, x0, 5, eta=0.1, beta1=2.0), "beta1"),
        ("run beta2 < 0", lambda: run("adam", p, x0, 5, eta=0.1, beta2=-0.5), "beta2"),
        ("run eps < 0", lambda: run("adagrad", p, x0, 5, eta=0.1, eps=-1e-6), "eps"),
        ("run unknown convention", lambda: run("adam", p, x0, 5, eta=0.1, convention="keras"), "convention"),
        ("run yogi on torch", lambda: run("yogi", p, x0, 5, impl="torch", eta=0.1), "yogi"),
        ("run x0 wrong shape", lambda: run("gd", p, np.zeros(3), 5, eta=0.1), "x0"),
        ("run x0 inf", lambda: run("gd", p, np.array([INF, 0.0]), 5, eta=0.1), "x0"),
        ("run steps zero", lambda: run("gd", p, x0, 0, eta=0.1), "steps"),
        ("run absurd steps", lambda: run("gd", p, x0, 10**12, eta=0.1), "steps"),
        ("train_2d unknown method", lambda: train_2d("newton", eta=0.1), "method"),
        ("effective_weight beta 1", lambda: effective_weight(1.0), "beta"),
        ("half_life beta nan", lambda: half_life(NAN), "beta"),
        ("bias_correction t 0", lambda: bias_correction(0.9, 0), "t"),
        ("reddi C <= 2", lambda: run_reddi("adam", 2.0), "C"),
        ("parse attribute", lambda: parse_expression("x.__class__"), "attribute"),
        ("parse bomb", lambda: parse_expression("9**9**9**9"), "large"),
        ("optimal unknown method", lambda: optimal_parameters("adamw", 1, 10), "method"),
        ("optimal lam_min > lam_max", lambda: optimal_parameters("gd", 10, 1), "lam"),
        ("optimal lam_min zero", lambda: optimal_parameters("gd", 0, 1), "lam"),
        ("spectral_radius unknown method", lambda: spectral_radius("adam", 0.1, 1.0), "method"),
        ("spectral_radius lam nan", lambda: spectral_radius("gd", 0.1, NAN), "lam"),
        ("spectral_radius eta zero", lambda: spectral_radius("gd", 0.0, 1.0), "eta"),
        ("stability_region non-square", lambda: stability_region(sp.Matrix([[1, 2]])), "square"),
        ("verify unknown claim", lambda: verify(["no.such"]), "claim"),
        ("optimal momentum ill-conditioned", lambda: optimal_parameters("momentum", 1e-300, 1.0), "condition"),
        ("optimal nesterov ill-conditioned", lambda: optimal_parameters("nesterov", 1e-300, 1.0), "condition"),
        ("optimal gd ill-conditioned", lambda: optimal_parameters("gd", 1e-300, 1.0), "condition"),
        ("find_cycle empty", lambda: find_cycle(np.array([])), "x"),
        ("stability_region numpy", lambda: stability_region(np.eye(2)), "sympy Matrix"),
        ("compare mu zero", lambda: _compare("gd", 0, 10, (5,)), "mu"),
        ("compare L below mu", lambda: _compare("gd", 2, 1, (5,)), "L"),
        ("compare steps too large", lambda: _compare("gd", 1, 10, (5, 31)), "steps"),
        ("compare steps zero", lambda: _compare("gd", 1, 10, (0,)), "steps"),
        ("compare steps int", lambda: _compare("gd", 1, 10, 5), "steps"),
        ("compare eta nan", lambda: _compare("gd", 1, 10, (5,), {"eta": NAN}), "eta"),
        ("compare beta inf", lambda: _compare("momentum", 1, 10, (5,), {"eta": 0.1, "beta": INF}), "beta"),
        ("compare out of region", lambda: _compare("gd", 1, 10, (5,), {"eta": 0.5}), "eta"),
        ("compare ema", lambda: _compare("ema", 1, 10, (5,)), "method"),
        ("compare numpy beta", lambda: _compare("momentum", 1, 10, (5,), {"eta": 0.1, "beta": np.float64(1.2)}),
         "beta must lie in [0, 1) for momentum, got 1.2"),
        ("pepit class", lambda: _pepit("gd", 1, 10, 5, {"eta": 0.1}, function_class="convex"), "function_class"),
        ("eigen_form cubic eigenvalues", lambda: eigen_form([[11, 4, 12], [4, 12, 15], [12, 15, 28]]), "Q"),
        ("pepit solver not a name", lambda: _pepit("gd", 1, 10, 2, {"eta": 0.1}, solver=3), "solver"),
        ("sweep complex axis", lambda: sweep("gd", textbook_2d(), {"eta": [0.1 + 1j]}, 5), "eta"),
        ("sweep boolean axis", lambda: sweep("gd", textbook_2d(), {"eta": [True, 0.5]}, 5), "eta"),
        ("rotation_table one string", lambda: rotation_table("gd"), "methods"),
        ("rotation_table unknown method", lambda: rotation_table(["sgd"]), "methods"),
        ("scalar_iterates x0 zero eps zero", lambda: scalar_iterates("adam", 2, x0=0), "x0"),
        ("stationary_excess one epoch",
         lambda: stationary_excess(regression_data(None), batch=500, etas=[0.1], replace=True,
                                   epochs=1), "epochs"),
    ]


def _compare(*args: Any, **kwargs: Any) -> Any:
    from optheory.pep.compare import compare_rates

    return compare_rates(*args, **kwargs)


def _pepit(*args: Any, **kwargs: Any) -> Any:
    from optheory.pep.pepit_problem import pepit_worst_case

    return pepit_worst_case(*args, **kwargs)


API_CASES = _api_cases()


@pytest.fixture
def empty_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(("name", "call", "needle"), API_CASES, ids=[c[0] for c in API_CASES])
def test_api_bad_input(name: str, call: Callable[[], Any], needle: str, empty_cwd: Path) -> None:
    with pytest.raises(ValueError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message.strip(), message
    assert needle.lower() in message.lower(), message
    assert os.listdir(empty_cwd) == []


CLI_CASES: list[tuple[str, list[str]]] = [
    ("minimize non-symmetric", ["minimize", "--Q", "1,2;3,4"]),
    ("minimize indefinite", ["minimize", "--Q", "1,0;0,-1"]),
    ("minimize ragged", ["minimize", "--Q", "1,0;0"]),
    ("minimize text", ["minimize", "--Q", "eval('1')"]),
    ("minimize nan", ["minimize", "--Q", "nan,0;0,1"]),
    ("minimize huge", ["minimize", "--Q", ";".join([",".join(["1"] * 20)] * 20)]),
    ("run unknown method", ["run", "sgdd", "--f", "x**2", "--x0", "1"]),
    ("run dunder", ["run", "gd", "--f", "x.__class__", "--x0", "1", "--eta", "0.1"]),
    ("run import", ["run", "gd", "--f", "__import__('os')", "--x0", "1", "--eta", "0.1"]),
    ("run x0 mismatch", ["run", "gd", "--f", "x1**2 + x2**2", "--x0", "1", "--eta", "0.1"]),
    ("run eta negative", ["run", "gd", "--f", "x**2", "--x0", "1", "--eta", "-1"]),
    ("run eta inf", ["run", "gd", "--f", "x**2", "--x0", "1", "--eta", "inf"]),
    ("run steps absurd", ["run", "gd", "--f", "x**2", "--x0", "1", "--eta", "0.1", "--steps", "99999999999"]),
    ("run beta out of range", ["run", "momentum", "--f", "x**2", "--x0", "1", "--eta", "0.1", "--beta", "2"]),
    ("run gamma out of range", ["run", "rmsprop", "--f", "x**2", "--x0", "1", "--eta", "0.1", "--gamma", "-1"]),
    ("verify unknown claim", ["verify", "--claim", "no.such.claim"]),
    ("verify unknown source", ["verify", "--source", "nowhere"]),
    ("report unknown topic", ["report", "--out", "r", "--topic", "nonsense"]),
    ("report unwritable out", ["report", "--out", "/proc/optheory-cannot-write", "--topic", "quadratics"]),
    ("run caret power", ["run", "gd", "--f", "x^2", "--x0", "1", "--eta", "0.1"]),
    ("run csv is a folder", ["run", "gd", "--f", "x**2", "--x0", "1", "--eta", "0.1", "--csv", "."]),
    ("run plot not svg", ["run", "gd", "--f", "x**2", "--x0", "1", "--eta", "0.1", "--plot", "p.png"]),
    ("run trajectory too long", ["run", "gd", "--f", "x**2", "--x0", "1", "--eta", "0.1",
                                 "--steps", "1000000", "--trajectory", "--csv", "t.csv"]),
    ("run bad x0 with csv", ["run", "gd", "--f", "x**2", "--x0", "a", "--eta", "0.1", "--csv", "t.csv"]),
    ("run polyak", ["run", "polyak", "--f", "x**2", "--x0", "1", "--eta", "0.1"]),
    ("tune adam", ["tune", "adam", "--mu", "1", "--L", "10"]),
    ("tune mu zero", ["tune", "gd", "--mu", "0", "--L", "10"]),
    ("tune L below mu", ["tune", "gd", "--mu", "5", "--L", "1"]),
    ("tune eps one", ["tune", "gd", "--mu", "1", "--L", "10", "--eps", "1"]),
    ("tune mu huge", ["tune", "gd", "--mu", "1e999", "--L", "1e999"]),
    ("tune mu text", ["tune", "gd", "--mu", "__import__('os')", "--L", "10"]),
    ("region no method", ["region"]),
    ("region adam", ["region", "adam"]),
    ("region step nonlinear", ["region", "--step", "x = x - eta*grad(x)**2"]),
    ("region step unassigned", ["region", "--step", "x = x - eta*grad(w)"]),
    ("region step affine", ["region", "--step", "x = x - eta*grad(x) + 1"]),
    ("region step import", ["region", "--step", "x = __import__('os').system('echo hi')"]),
    ("region step dunder", ["region", "--step", "x = x.__class__"]),
    ("region step power bomb", ["region", "--step", "x = 9**9**9**9"]),
    ("region step deep", ["region", "--step", "x = " + "(" * 300 + "x" + ")" * 300]),
    ("region step long", ["region", "--step", "x = " + "x + " * 3000 + "x"]),
    ("region step lambda", ["region", "--step", "x = (lambda: 1)()"]),
    ("region step not assignment", ["region", "--step", "x + 1"]),
    ("region step state too large", ["region", "--step", "a = alpha*a + grad(x); b = beta*b + a; "
                                    "c = gamma*c + b; d = mu*d + c; x = x - eta*d"]),
    ("region step caret", ["region", "--step", "x = x - eta^2*grad(x)"]),
    ("regime gd with beta", ["regime", "gd", "--eta", "0.1", "--beta", "0.5", "--lam", "1"]),
    ("regime eta negative", ["regime", "momentum", "--eta", "-1", "--beta", "0.5", "--lam", "1"]),
    ("regime lam zero", ["regime", "momentum", "--eta", "1", "--beta", "0.5", "--lam", "0"]),
    ("regime lam list empty item", ["regime", "momentum", "--eta", "1", "--lam", "1,,2"]),
    ("regime too many points", ["regime", "momentum", "--eta", ",".join(["1"] * 50),
                                "--beta", ",".join(["0"] * 50), "--lam", "1"]),
    ("average beta one", ["average", "1"]),
    ("average beta text", ["average", "beta"]),
    ("average t zero", ["average", "0.9", "--t", "0"]),
    ("average t fraction", ["average", "0.9", "--t", "1/2"]),
    ("radius gd beta", ["radius", "gd", "--eta", "0.1", "--beta", "0.5", "--lam-min", "1", "--lam-max", "2"]),
    ("radius eta zero", ["radius", "momentum", "--eta", "0", "--lam-min", "1", "--lam-max", "2"]),
    ("radius range reversed", ["radius", "momentum", "--eta", "0.1", "--lam-min", "3", "--lam-max", "2"]),
    ("radius lam nan", ["radius", "momentum", "--eta", "0.1", "--lam-min", "nan", "--lam-max", "2"]),
    ("radius adam", ["radius", "adam", "--eta", "0.1", "--lam-min", "1", "--lam-max", "2"]),
    ("sweep eta range form", ["sweep", "gd", "--eta-range", "0.1:0.2", "--lam-range", "1:2:2", "--out", "m.csv"]),
    ("sweep eta range N", ["sweep", "gd", "--eta-range", "0.1:0.2:0", "--lam-range", "1:2:2", "--out", "m.csv"]),
    ("sweep beta range", ["sweep", "momentum", "--eta-range", "0.1:0.2:2", "--beta-range", "0:2:2",
                          "--lam-range", "1:2:2", "--out", "m.svg"]),
    ("sweep lam range", ["sweep", "gd", "--eta-range", "0.1:0.2:2", "--lam-range", "-1:2:2", "--out", "m.npz"]),
    ("sweep f not quadratic", ["sweep", "adam", "--eta-range", "0.1:0.2:2", "--f", "x**4", "--out", "m.png"]),
    ("sweep f import", ["sweep", "gd", "--eta-range", "0.1:0.2:2", "--f", "__import__('os')", "--out", "m.csv"]),
    ("sweep out format", ["sweep", "gd", "--eta-range", "0.1:0.2:2", "--lam-range", "1:2:2", "--out", "m.gif"]),
    ("sweep steps", ["sweep", "gd", "--eta-range", "0.1:0.2:2", "--lam-range", "1:2:2", "--steps", "-3"]),
    ("sweep too much work", ["sweep", "gd", "--eta-range", "0.1:0.2:10000", "--lam-range", "1:2:1000",
                             "--steps", "100000", "--out", "m.npz"]),
    ("sweep closed form adam", ["sweep", "adam", "--eta-range", "0.1:0.2:2", "--lam-range", "1:2:2",
                                "--closed-form", "--out", "m.csv"]),
    ("verify unknown verdict", ["verify", "--verdict", "maybe"]),
    ("verify verdict with list", ["verify", "--list", "--verdict", "holds"]),
    ("verify ambiguous source", ["verify", "--source", "0"]),
    ("compare mu zero", ["compare", "gd", "--mu", "0", "--L", "10", "--steps", "5"]),
    ("compare L equal mu", ["compare", "gd", "--mu", "2", "--L", "2", "--steps", "5"]),
    ("compare steps too large", ["compare", "gd", "--mu", "1", "--L", "10", "--steps", "5,31"]),
    ("compare steps zero", ["compare", "gd", "--mu", "1", "--L", "10", "--steps", "0"]),
    ("compare steps text", ["compare", "gd", "--mu", "1", "--L", "10", "--steps", "five"]),
    ("compare eta inf", ["compare", "gd", "--mu", "1", "--L", "10", "--eta", "inf"]),
    ("compare eta out of region", ["compare", "gd", "--mu", "1", "--L", "10", "--eta", "0.5",
                                   "--steps", "5"]),
    ("compare beta without eta", ["compare", "momentum", "--mu", "1", "--L", "10", "--beta", "0.5"]),
    ("compare adam", ["compare", "adam", "--mu", "1", "--L", "10"]),
    ("unknown command", ["frobnicate"]),
]


@pytest.mark.parametrize(("name", "argv"), CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_bad_input(
    name: str, argv: list[str], empty_cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    assert code == 2, captured
    assert "Traceback" not in captured.err
    lines = [ln for ln in captured.err.splitlines() if ln.strip()]
    assert 1 <= len(lines) <= 2, captured.err  # the error, and argparse's "see --help" hint
    assert os.listdir(empty_cwd) == []


def test_catalogue_size() -> None:
    assert len(API_CASES) + len(CLI_CASES) >= 40
