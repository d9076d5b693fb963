"""The explorer page as generated (no browser): printed from sympy, linked from every page."""

from __future__ import annotations

import re

import sympy as sp
from sympy.printing.jscode import jscode

from optheory.analysis.rates import RATE_METHODS, modulus_form
from optheory.report import build_report
from optheory.report.explore import (
    EXPLORER_FILE,
    EXPLORER_METHODS,
    _asset,
    _optimal_solution,
    explorer_html,
    explorer_script,
)
from optheory.symbolic.heavy_ball import regime_conditions
from optheory.symbolic.tuning import optimal_parameters


def _flat(code: str) -> str:
    return " ".join(line.strip() for line in code.splitlines())


def test_the_page_computes_with_the_printed_derivations():
    script = explorer_script()
    for method in (m for m in EXPLORER_METHODS if m in RATE_METHODS):
        form = modulus_form(method)
        for expr in (form.center, form.product, form.radius):
            assert _flat(jscode(expr)) in script, (method, expr)
    for cond in regime_conditions().values():
        assert _flat(jscode(cond)) in script


def test_no_formula_is_typed_into_the_javascript():
    """The hand-written script holds no square roots and no arithmetic between the
    methods' symbols: only parsing, sample spacing and drawing (its one product of
    step size and eigenvalue is the plane's abscissa, written ``s.eta * ...``)."""
    code = _asset("explore.js")
    assert "Math.sqrt" not in code
    assert not re.search(r"\b(eta|beta|lam|gamma)\s*[*/+-]\s*(eta|beta|lam|gamma)\b", code)
    for name in ("radius", "step", "optimal", "regimes", "objective", "stable", "curves"):
        assert name in code  # it calls the derived functions instead


def test_printed_tuning_equals_optimal_parameters_on_a_new_range():
    """The symbolic branch printed for the browser was selected on three ranges;
    on a fourth it still equals the exact minimax tuning (60-digit check)."""
    lam_min, lam_max = sp.symbols("lam_min lam_max", positive=True)
    for method in (m for m in EXPLORER_METHODS if m in RATE_METHODS):
        exact = optimal_parameters(method, 3, 300)
        printed = _optimal_solution(method)
        for expr, key in zip(printed, ("eta", "beta", "rate"), strict=True):
            value = expr.subs({lam_min: 3, lam_max: 300})
            assert abs(sp.N(value - exact[key], 40)) < 1e-30, (method, key)


def test_report_writes_the_explorer_and_links_it(tmp_path, demo_registry):
    out = build_report(tmp_path / "r", registry=demo_registry, progress=False)
    page = (out / EXPLORER_FILE).read_text(encoding="utf-8")
    assert "window.OPTHEORY_DERIVED" in page and 'id="rate"' in page
    for name in ("index.html", "quadratics.html"):
        assert '<a href="explore.html">Explorer</a>' in (out / name).read_text(encoding="utf-8")
    assert "[Explorer](explore.html)" in (out / "quadratics.md").read_text(encoding="utf-8")
    # the explorer's own navigation leads back to the report
    assert '<a href="quadratics.html">' in page and 'class="current">Explorer' in page


def test_stable_ids_present():
    page = explorer_html()
    for element in ("rate", "regime", "optimal-eta", "optimal-beta", "final-error", "note",
                    "method", "eta", "beta", "lam-min", "lam-max", "steps", "snap"):
        assert f'id="{element}"' in page
