"""User-written linear update rules: parsed safely, turned into the same matrices as the methods."""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy as sp

from optheory.symbolic.linear import BETA, ETA, LAM, characteristic_polynomial, method_update
from optheory.symbolic.stability import stability_region
from optheory.symbolic.update_rule import parse_update_rule

Z = sp.Symbol("z")


def test_momentum_written_out_is_momentum() -> None:
    rule = parse_update_rule("v = beta*v + grad(x); x = x - eta*v")
    update, state = method_update("momentum")
    assert [s.name for s in rule.state] == ["v", "x"] and rule.temporaries == ()
    assert all(sp.expand(rule.update[a] - update[b]) == 0 for a, b in zip(rule.state, state, strict=True))
    # the published region of heavy ball (test oracle): -1 < beta < 1, 0 < eta lam < 2 + 2 beta
    oracle = sp.And(BETA > -1, BETA < 1, ETA * LAM < 2 * BETA + 2)
    assert stability_region(rule.matrix()) == oracle


def test_temporaries_and_sequential_reads() -> None:
    # polyak through a temporary d; y keeps the old x, x reads the new d
    rule = parse_update_rule("d = x - y; y = x; x = x - eta*grad(x) + beta*d")
    assert [s.name for s in rule.state] == ["y", "x"] and rule.temporaries == ("d",)
    polyak = characteristic_polynomial(sp.Matrix([[1 + BETA - ETA * LAM, -BETA], [1, 0]]), Z)
    assert sp.expand(characteristic_polynomial(rule.matrix(), Z).as_expr() - polyak.as_expr()) == 0


def test_three_state_rule_region_against_numpy_eigenvalues() -> None:
    """Numeric witness: the derived region decides convergence as numpy's eigenvalues do."""
    rule = parse_update_rule("v = beta*v + grad(x)\nw = alpha*w + v\nx = x - eta*w")
    R = rule.matrix()
    region = stability_region(R)
    alpha = sp.Symbol("alpha", real=True)
    names = (ETA, LAM, BETA, alpha)
    f_R = sp.lambdify(names, R, "numpy")
    f_region = sp.lambdify(names, region, "numpy")
    rng = np.random.default_rng(5)
    agree = 0
    for _ in range(300):
        point = (rng.uniform(0.01, 2), rng.uniform(0.1, 3), rng.uniform(-1.2, 1.2), rng.uniform(-1.2, 1.2))
        rho = float(np.max(np.abs(np.linalg.eigvals(np.array(f_R(*point), dtype=float)))))
        if abs(rho - 1) < 1e-6:  # too close to the boundary for float eigenvalues to decide
            continue
        inside = bool(f_region(*point))
        assert inside == (rho < 1), (point, rho)
        agree += 1
    assert agree >= 290


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("x = x - eta*grad(x)**2", "not linear in the state"),
        ("x = x - eta*grad(x) + 1", "constant part"),
        ("x = x - eta*grad(w)", "reads 'w', which is never assigned"),
        ("x = __import__('os')", "unknown function '__import__'"),
        ("x = x.__class__", "attribute access is not allowed"),
        ("x = 9**9**9**9", "too large"),
        ("x = (" * 60 + "x" + ")" * 60, "deeper"),
        ("x = " + "x + " * 600 + "x", "longer than"),
        ("eta = x", "'eta' is a parameter name"),
        ("x = x; x = 2*x", "assigned twice"),
        ("x == x", "not an assignment"),
        ("x = x - eta*grad(x, x)", "grad takes one expression"),
        ("x = x - eta*grad(x", "no closing bracket"),
        ("x = sin(eta)*x", "polynomial in the parameters"),
        ("x = x*lam^2", "write powers with **"),
        ("", "is empty"),
    ],
)
def test_bad_rules(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)) as info:
        parse_update_rule(text, "--step")
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("--step")
