"""The topic pages of the full report, and the report compared with ``reports/`` byte for byte.

Every page comes from one full build (``tests/report/conftest.py::full_report``), shared by
the tests of this module (``make test`` keeps a module on one pytest-xdist worker); every verification row must pass, the
figures must exist and every formula must convert to MathML (the HTML renderer
is run with placeholder SVGs).  Known results from the textbook and the
literature are checked here, as oracles, against what the pages derived.
"""

from __future__ import annotations

import filecmp
import math
import os

import numpy as np
import pytest

from optheory.report.document import (
    Figure,
    InlineMath,
    Math,
    Page,
    Table,
    Text,
    Verification,
    check_prose,
)
from optheory.report.render_html import render_page_html
from optheory.report.topics import TOPIC_MODULES
from tests.conftest import require_torch


def _rows_pass(page: Page) -> None:
    rows = page.verification_rows()
    failed = [(r.claim, r.derived, r.measured) for r in rows if not r.verdict]
    assert not failed, failed


def _numbers_explained(page: Page) -> None:
    """The number-in-text check over the page's prose: each number is a carried value or input."""
    from optheory.verification.text_numbers import collect_values, unexplained_numbers

    bad = []
    for b in page.blocks:
        if isinstance(b, Text):
            miss = unexplained_numbers(b.text, collect_values(b.values), collect_values(b.inputs))
            if miss:
                bad.append((miss, b.text[:120]))
    assert bad == []


def _renders(page: Page) -> str:
    # placeholder SVGs: the renderer still converts every formula and inline maths
    return render_page_html(page, {f.name: "<svg></svg>" for f in page.figures()})


@pytest.fixture(scope="module")
def momentum_page(full_report) -> Page:  # type: ignore[no-untyped-def]
    return full_report.pages["momentum"]


@pytest.fixture(scope="module")
def leaky_page(full_report) -> Page:  # type: ignore[no-untyped-def]
    require_torch()
    return full_report.pages["leaky"]


@pytest.fixture(scope="module")
def adaptive_page(full_report) -> Page:  # type: ignore[no-untyped-def]
    require_torch()
    return full_report.pages["adaptive"]


@pytest.fixture(scope="module")
def ode_page(full_report) -> Page:  # type: ignore[no-untyped-def]
    return full_report.pages["ode"]


def test_registry_order() -> None:
    assert list(TOPIC_MODULES) == [
        "quadratics", "momentum", "leaky", "adaptive", "ode", "regression", "beyond", "claims",
        "exercises",
    ]


# ------------------------------------------------------------------ beyond quadratics
@pytest.mark.pep
def test_beyond_page(full_report) -> None:  # type: ignore[no-untyped-def]
    page = full_report.pages["beyond"]
    _numbers_explained(page)
    _rows_pass(page)
    assert len(page.verification_rows()) == 24  # 3 methods x 2 classes x 2 horizons x 2 guards
    tables = [b for b in page.blocks if isinstance(b, Table)]
    assert len(tables) == 2
    verdicts = {(t.caption, r[0]): r[5] for t in tables for r in t.rows if r[4] == "verdict"}
    hb = [v for (cap, m), v in verdicts.items() if m == "heavy ball" and "F(1, 25)" in str(cap)]
    assert len(hb) == 1 and "grows by a factor 1.08" in str(hb[0])
    gd = [v for (cap, m), v in verdicts.items() if m == "gradient descent"]
    assert all("equals the quadratic one" in str(v) for v in gd)
    lrp = [b for b in page.blocks if isinstance(b, Text) and "Lessard" in b.text]
    assert len(lrp) == 1 and "period 3" in lrp[0].text
    # the map: IQC-certified cells are a subset of the quadratic region, which for beta = 0
    # (gradient descent) ends at eta = 2/L = 0.08 (oracle)
    assert [f.name for f in page.figures()] == ["worst-case-map"]
    (map_text,) = [b for b in page.blocks if isinstance(b, Text) and "IQC" in b.text]
    v = map_text.values
    assert 0 < v["certified"] < v["quadratic"] < v["cells"] and v["certified_outside"] == 0
    _renders(page)


# ------------------------------------------------------------------ momentum
def test_momentum_page(momentum_page: Page) -> None:
    _numbers_explained(momentum_page)
    require_torch()  # one row compares with torch.optim.SGD
    _rows_pass(momentum_page)
    assert len(momentum_page.verification_rows()) >= 15
    names = [f.name for f in momentum_page.figures()]
    assert {"stability-plane", "rates", "demo-gd", "demo-momentum", "demo-gd-rotated",
            "demo-momentum-rotated", "loss-ill-conditioned"} <= set(names)
    assert sum(isinstance(b, Math) for b in momentum_page.blocks) >= 10
    _renders(momentum_page)


def test_momentum_demo_lines_match_the_textbook(momentum_page: Page) -> None:
    # oracle: the lines the textbook prints for its 2-D demos (section "Momentum")
    printed = {
        "GD, eta = 0.4": "epoch 20, x1: -0.943467, x2: -0.000073",
        "GD, eta = 0.6": "epoch 20, x1: -0.387814, x2: -1673.365109",
        "momentum, eta = 0.6, beta = 0.5": "epoch 20, x1: 0.007188, x2: 0.002553",
        "momentum, eta = 0.6, beta = 0.25": "epoch 20, x1: -0.126340, x2: -0.186632",
    }
    rows = {r.claim: r for r in momentum_page.verification_rows() if "demo line" in r.claim}
    assert len(rows) == 4
    for key, line in printed.items():
        (row,) = [r for c, r in rows.items() if f"{key} (" in c]
        assert row.derived == line and row.measured == line


def test_momentum_region_and_tuning_oracles(momentum_page: Page) -> None:
    latex = [b.latex for b in momentum_page.blocks if isinstance(b, Math)]
    # oracle: |beta| < 1 and eta lambda < 2 + 2 beta; GD: eta lambda < 2
    assert any("\\beta > -1" in s and "\\beta < 1" in s and "2 \\beta + 2" in s for s in latex)
    assert any(s == "\\eta \\lambda < 2" for s in latex)
    (table,) = [b for b in momentum_page.blocks
                if isinstance(b, Table) and b.caption and "Minimax" in b.caption]
    rates = {row[0]: row[-1] for row in table.rows}
    kappa = 20.0  # 4 / (1/5)
    # oracles: GD (kappa - 1)/(kappa + 1), Polyak (sqrt kappa - 1)/(sqrt kappa + 1)
    assert rates["gd"] == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-14)
    root = math.sqrt(kappa)
    assert rates["momentum"] == pytest.approx((root - 1) / (root + 1), rel=1e-14)


def test_momentum_stability_plane_grid(momentum_page: Page) -> None:
    (fig,) = [f for f in momentum_page.figures() if f.name == "stability-plane"]
    mesh = fig.figure.axes[0].collections[0]
    values = mesh.get_array()
    assert values is not None and values.size >= 200 * 200
    labels = [str(line.get_label()) for line in fig.figure.axes[0].get_lines()]
    assert "critical damping" in labels and any("stability" in s for s in labels)


# --------------------------------------------------------------------- leaky
def test_leaky_page(leaky_page: Page) -> None:
    _numbers_explained(leaky_page)
    _rows_pass(leaky_page)
    assert len(leaky_page.verification_rows()) >= 12
    assert {f.name for f in leaky_page.figures()} == {"weights", "bias-correction"}
    _renders(leaky_page)


def test_leaky_oracles(leaky_page: Page) -> None:
    rows = {r.claim: r for r in leaky_page.verification_rows()}
    (half,) = [r for c, r in rows.items() if c.startswith("half-life")]
    # oracle: beta^h = 1/2 at h = ln 2 / ln(1/0.9)
    assert half.derived == pytest.approx(math.log(2) / -math.log(0.9), rel=1e-14)
    (table,) = [b for b in leaky_page.blocks if isinstance(b, Table)]
    row09 = next(r for r in table.rows if r[0] == "0.9")
    # oracles for beta = 0.9: 1/(1-beta) = 10, mean lag beta/(1-beta) = 9, Kish (1+b)/(1-b) = 19
    assert [c.latex for c in row09 if isinstance(c, InlineMath)] == ["10", "9", "19"]
    (fig,) = [f for f in leaky_page.figures() if f.name == "weights"]
    lines = fig.figure.axes[0].get_lines()
    assert len(lines) == 4 and all(np.size(line.get_xdata()) == 40 for line in lines)
    ys = np.asarray(lines[1].get_ydata())  # beta = 0.9
    assert ys[10] == pytest.approx(0.9**10, rel=1e-12)
    (tail,) = [r for c, r in rows.items() if "tends to the effective weight" in c]
    # oracle: after n = 200 constant gradients the buffer misses beta^n / (1 - beta)
    assert f"tail {0.9**200 / 0.1:.2e}" in str(tail.measured)
    (adam,) = [r for c, r in rows.items() if c.startswith("Adam's corrected step")]
    # oracle: m_hat = 1 and s_hat = 1 for a constant gradient 1, so the step is eta/(1 + eps)
    assert isinstance(adam.derived, InlineMath)
    assert adam.derived.latex.endswith("\\frac{\\eta}{\\epsilon + 1}")


# ------------------------------------------------------------------ adaptive
def test_adaptive_page(adaptive_page: Page) -> None:
    _numbers_explained(adaptive_page)
    _rows_pass(adaptive_page)
    assert len(adaptive_page.verification_rows()) >= 15
    names = {f.name for f in adaptive_page.figures()}
    assert {"reddi-c3", "reddi-c10"} <= names
    assert sum(n.startswith("contour-") for n in names) == 4
    tables = [b for b in adaptive_page.blocks if isinstance(b, Table)]
    assert tables and len(tables[0].rows) == 9  # rotation table: every method
    _renders(adaptive_page)


def test_adaptive_oracles(adaptive_page: Page) -> None:
    latex = " ".join(b.latex for b in adaptive_page.blocks if isinstance(b, Math))
    # oracle: RMSProp's 2-cycle threshold 2 sqrt(eps) / lambda and AdaGrad rate t^(-1/2)
    assert "\\eta > \\frac{2 \\sqrt{\\epsilon}}{\\lambda}" in latex
    assert "p_{\\text{noisy}} = - \\frac{1}{2}" in latex
    rows = [r for r in adaptive_page.verification_rows() if "average regret" in r.claim]
    # oracle: the per-step regret of x = +1 is 2 (C - 2) / 3
    derived = [r.derived for r in rows]
    assert all(isinstance(d, InlineMath) for d in derived)
    assert [d.latex for d in derived if isinstance(d, InlineMath)] == [
        "\\frac{2}{3}", "\\frac{16}{3}"]
    # oracle: the rescaled RMSProp differs from AdaGrad at relative order delta, so a
    # tenfold smaller delta divides the gap by 10
    (gap,) = [r for r in adaptive_page.verification_rows() if "gap ratio" in r.claim]
    assert isinstance(gap.derived, InlineMath) and gap.derived.latex.endswith("= 10")
    # oracles: E s_t >= sigma^2 t with noise; s_t <= lam^2 x0^2 / (1 - r^2) without
    assert "\\sigma^{2} t \\le \\operatorname{E} s_t" in latex
    assert "\\xrightarrow{t \\to \\infty} - \\frac{\\lambda^{2} x_{0}^{2}}" in latex


# -------------------------------------------------------------- shared helpers
def test_common_helpers() -> None:
    import sympy as sp

    from optheory.numeric.problems import textbook_2d, textbook_2d_rotated
    from optheory.report.topics._common import contour_grid, named, row, tex, torch_or_none

    lam, lam_1, x0, s2 = sp.symbols("lam lam_1 x0 sigma2", positive=True)
    assert tex(lam * lam_1) == "\\lambda \\lambda_{1}"
    assert tex(x0 * s2) == "\\sigma^{2} x_{0}" and named(3) == 3
    assert tex(sp.Symbol("a"), extra={"a": "alpha"}) == "\\alpha"
    r = row("c", np.float64(1.5), 2, np.float64(0.1), np.bool_(True))
    assert (r.derived, r.measured, r.tolerance, r.verdict) == (1.5, 2, 0.1, True)
    assert type(r.derived) is float and r.verdict is True
    x1, x2, f = contour_grid(textbook_2d())
    # oracle: the textbook's objectives written out
    np.testing.assert_allclose(f, 0.1 * x1**2 + 2 * x2**2, rtol=1e-13)
    _, _, g = contour_grid(textbook_2d_rotated())
    np.testing.assert_allclose(g, 0.1 * (x1 + x2) ** 2 + 2 * (x1 - x2) ** 2, rtol=1e-12)
    torch = torch_or_none()
    assert torch is None or hasattr(torch, "optim")


# ----------------------------------------------------------------------- ode
def test_ode_page(ode_page: Page) -> None:
    _numbers_explained(ode_page)
    _rows_pass(ode_page)
    assert len(ode_page.verification_rows()) >= 9
    names = {f.name for f in ode_page.figures()}
    assert names == {"flows", "order-gradient", "order-rmsprop", "order-heavy-ball"}
    slopes = [float(r.measured) for r in ode_page.verification_rows()
              if "global order" in r.claim and isinstance(r.measured, float)]
    assert len(slopes) == 3 and all(abs(s - 1) < 0.05 for s in slopes)
    _renders(ode_page)


def test_ode_heavy_ball_map_oracle(ode_page: Page) -> None:
    latex = [b.latex for b in ode_page.blocks if isinstance(b, Math)]
    # oracle: beta = 1 - a h, eta = h^2 (and velocity scale c = h)
    assert any("\\beta = - a h + 1" in s and "\\eta = h^{2}" in s for s in latex)


# -------------------------------------------------------------------- claims
def test_claims_helpers() -> None:
    from optheory.report.topics.claims import latex_cell, plain_text, statement_block

    text = plain_text("x**2 costs $5 with \\frac{a}{b} and `code`")
    assert check_prose("t", text) == text and "**" not in text and "\\frac" not in text
    assert isinstance(latex_cell("\\frac{1}{2}"), InlineMath)
    assert latex_cell(None) == "-"
    bad = "\\begin{aligned} a &= b \\end{aligned}"  # '&' is refused by the MathML check
    cell = latex_cell(bad)
    assert isinstance(cell, str) and cell.startswith("`") and "\\" not in cell
    block = statement_block(bad, "as stated")
    assert isinstance(block, Text) and "\\" not in block.text
    assert isinstance(statement_block("x^2", "as stated"), Math)


def test_claims_page_on_a_subset(monkeypatch: pytest.MonkeyPatch) -> None:
    import optheory.verification as verification
    from optheory.report.topics import claims

    real = verification.verify
    ids = ["momentum.matrix", "answers.ex2-code", "momentum.completed-square"]
    monkeypatch.setattr(verification, "verify", lambda *a, **k: real(ids))
    page = claims.build()
    _rows_pass(page)
    assert [r.claim for r in page.verification_rows()] == [f"`{i}` check ran" for i in ids]
    prose = " ".join(p for b in page.blocks if isinstance(b, Text) for p in b.paragraphs())
    # the two refuted ones are named as findings; their checks still pass
    assert "2 are refuted" in prose and "`answers.ex2-code`" in prose
    _renders(page)


def test_claims_page_reports_a_failing_check(monkeypatch: pytest.MonkeyPatch) -> None:
    import optheory.verification as verification
    from optheory.report.topics import claims
    from optheory.verification.registry import ClaimResult

    broken = ClaimResult("x.broken", "textbook", "S", "x = 1", "error", None, {},
                         "check raised ValueError", 0.0, "ValueError: boom \\frac")
    monkeypatch.setattr(verification, "verify", lambda *a, **k: [broken])
    page = claims.build()
    (row,) = page.verification_rows()
    assert row.verdict is False
    _renders(page)


@pytest.mark.slow
def test_claims_page_all_claims(full_report) -> None:  # type: ignore[no-untyped-def]
    from optheory.verification.registry import registered_claims

    page = full_report.pages["claims"]
    _rows_pass(page)
    _numbers_explained(page)
    assert len(page.verification_rows()) == len(registered_claims())
    _renders(page)


# ----------------------------------------------------------------- exercises
def test_exercises_page_on_a_subset(monkeypatch: pytest.MonkeyPatch) -> None:
    import optheory.exercises as exercises
    from optheory.report.topics import exercises as topic

    subset = [e for e in exercises.available() if (e[0], e[1]) in
              {("gd", 3), ("momentum", 2), ("rmsprop", 1)}]
    monkeypatch.setattr(exercises, "available", lambda: subset)
    page = topic.build()
    _rows_pass(page)
    assert len(page.verification_rows()) == len(subset) == 3
    prose = " ".join(p for b in page.blocks if isinstance(b, Text) for p in b.paragraphs())
    assert "Missing: sections sgd, minibatch-sgd" in prose  # honest about what is absent
    assert all(isinstance(f, Figure) for f in page.figures()) and len(page.figures()) <= 3
    _renders(page)


def test_exercises_figure_choice_is_capped() -> None:
    from types import SimpleNamespace

    from optheory.report.topics.exercises import MAX_FIGURES, _figure_choice

    fake = [SimpleNamespace(section=s, number=n, figures={"b": 1, "a": 2})
            for s in ("gd", "sgd", "adam") for n in range(1, 7)]
    chosen = _figure_choice(fake)
    assert len(chosen) == MAX_FIGURES
    assert set(chosen.values()) == {"a"}
    # sections in turn: four figures from each of the three
    assert sorted(s for s, _ in chosen) == ["adam"] * 4 + ["gd"] * 4 + ["sgd"] * 4


@pytest.mark.slow
def test_exercises_page_all(full_report) -> None:  # type: ignore[no-untyped-def]
    from optheory.exercises import available
    from optheory.report.topics import exercises as topic

    page = full_report.pages["exercises"]
    _rows_pass(page)
    _numbers_explained(page)
    assert len(page.verification_rows()) == len(available())
    assert 1 <= len(page.figures()) <= topic.MAX_FIGURES
    _renders(page)

# The full build (tests/report/conftest.py::full_report) is compared byte for byte with the
# committed reports/ at the end of this module.


# ----------------------------------------------------------------- quadratics, regression
def test_quadratics_page_verifications_pass(full_report) -> None:  # type: ignore[no-untyped-def]
    page = full_report.pages["quadratics"]
    rows = [r for b in page.blocks if isinstance(b, Verification) for r in b.rows]
    assert len(rows) >= 5
    assert all(r.verdict for r in rows), [r.claim for r in rows if not r.verdict]
    # oracle: Q = [[4.2, -3.8], [-3.8, 4.2]] has eigenvalues 4.2 -+ 3.8 = 2/5 and 8, twice
    # the textbook problem's 0.2 and 4
    (eig,) = [r for r in rows if r.claim == "eigenvalues of the rotated problem"]
    assert eig.derived == "2/5, 8"
    text = " ".join(b.text for b in page.blocks if isinstance(b, Text))
    assert "eigenvalues 0.4 and 8, twice those of" in text and "(0.2 and 4," in text
    # the Hessian is printed from sympy's Hessian of the formula, and every number of the
    # prose is a carried value or input
    assert "$Q = [[4.2, -3.8], [-3.8, 4.2]]$" in text
    _numbers_explained(page)


def test_regression_page_verifications_pass(full_report) -> None:  # type: ignore[no-untyped-def]
    page = full_report.pages["regression"]  # built with OPTHEORY_AIRFOIL set to the data set
    rows = [r for b in page.blocks if isinstance(b, Verification) for r in b.rows]
    assert len(rows) == 6
    assert all(r.verdict for r in rows), [r.claim for r in rows if not r.verdict]
    _numbers_explained(page)


# ----------------------------------------------------------------- the whole report
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMMITTED = os.path.join(_ROOT, "reports")


def _files(top: str) -> set[str]:
    return {os.path.relpath(os.path.join(d, f), top) for d, _, fs in os.walk(top) for f in fs}


@pytest.mark.isa
@pytest.mark.slow
def test_report_build_reproduces_the_committed_bytes(full_report) -> None:  # type: ignore[no-untyped-def]
    out = full_report.path  # build_report over every registered topic, as `make report`
    from optheory.report.topics import TOPIC_MODULES

    for name in TOPIC_MODULES:  # every verification row of every page passes
        assert 'class="fail"' not in (out / f"{name}.html").read_text(encoding="utf-8"), name
        assert (out / f"{name}.md").exists()
    built, committed = _files(str(out)), _files(COMMITTED)
    assert built == committed, f"missing {sorted(committed - built)}, new {sorted(built - committed)}"
    _, differ, errors = filecmp.cmpfiles(COMMITTED, out, sorted(built), shallow=False)
    profile = os.environ.get("OPTHEORY_ISA_PROFILE", "native")
    assert not differ and not errors, (
        f"under the {profile} instruction set these files differ from reports/ "
        f"(run `make report` and look at `git diff reports`): {differ + errors}"
    )
