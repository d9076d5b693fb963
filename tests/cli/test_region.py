"""``optheory region``: the Jury region of a named method or of a rule typed in the shell."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from optheory.cli.region import derive_region
from optheory.symbolic.linear import iteration_matrix, method_update
from optheory.symbolic.stability import stability_region
from tests.cli._helpers import run_error, run_json


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov", "polyak", "ema"])
def test_named_method_matches_the_api(method: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, ["region", method])
    region = stability_region(iteration_matrix(*method_update(method)))
    assert out["region"] == str(region)
    assert sorted(out["conditions"]) == sorted(str(c) for c in sp.And.make_args(region))
    assert out["state"] == [s.name for s in method_update(method)[1]]


def test_step_rule_gives_the_momentum_region(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, ["region", "--step", "v = beta*v + grad(x); x = x - eta*v"])
    named = run_json(capsys, ["region", "momentum"])
    assert out["region"] == named["region"] == "(beta > -1) & (beta < 1) & (eta*lam < 2*beta + 2)"
    assert out["iteration_matrix"] == named["iteration_matrix"]


def test_step_rule_region_is_where_the_iteration_converges(capsys: pytest.CaptureFixture[str]) -> None:
    """Numeric witness: iterate the rule itself inside and outside the printed region."""
    out = run_json(capsys, ["region", "--step", "d = x - y; y = x; x = x - eta*grad(x) + beta*d"])
    assert out["state"] == ["y", "x"] and out["temporaries"] == ["d"]
    found = derive_region(None, "d = x - y; y = x; x = x - eta*grad(x) + beta*d")
    for eta, lam, beta, converges in [(0.5, 1.0, 0.5, True), (1.0, 2.9, 0.5, True),
                                      (1.0, 3.1, 0.5, False), (0.1, 1.0, 1.05, False)]:
        x = y = 1.0
        for _ in range(3000):
            d = x - y
            y = x
            x = x - eta * lam * x + beta * d
        assert (abs(x) < 1e-6) == converges
        point = {sp.Symbol(n, **a): v for n, a, v in
                 [("eta", {"positive": True}, eta), ("lam", {"positive": True}, lam),
                  ("beta", {"real": True}, beta)]}
        assert bool(found["region"].subs(point)) == converges
    assert np.isfinite(x) or not converges


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["region", "--step", "x = x - eta*grad(x)**2"], "--step is not linear in the state"),
        (["region", "--step", "x = x - eta*grad(w)"], "reads 'w', which is never assigned"),
        (["region", "--step", "x = __import__('os').system('true')"], "--step"),
        (["region", "--step", "x = 9**9**9**9"], "--step"),
        (["region", "--step", "x = " + "(" * 200 + "x" + ")" * 200], "--step"),
        (["region", "adam"], "METHOD 'adam' is not linear on quadratics"),
        (["region"], "give a METHOD or --step"),
        (["region", "gd", "--step", "x = x"], "give a METHOD or --step"),
        (["region", "sgdd"], "unknown METHOD 'sgdd'"),
    ],
)
def test_bad_input(argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert fragment in run_error(capsys, argv)
