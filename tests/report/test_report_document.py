"""The document model: validation of blocks and prose, MathML conversion."""

from __future__ import annotations

import pytest
import sympy as sp

from optheory.report import (
    Figure,
    Heading,
    InlineMath,
    Math,
    Page,
    Table,
    Text,
    Verification,
    VerificationRow,
    latex_to_mathml,
)
from optheory.report.document import check_prose, format_cell, split_inline


def test_split_inline_runs():
    runs = split_inline(r"cost \$5 for $\eta < 1$, see `code` and **this**")
    assert runs == [
        ("text", "cost $5 for "),
        ("math", r"\eta < 1"),
        ("text", ", see "),
        ("code", "code"),
        ("text", " and "),
        ("bold", "this"),
    ]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (r"the ratio \frac{1}{2}", r"\\frac outside"),
        (r"$\eta$ and \beta", r"\\beta outside"),
        ("one $ alone", "unmatched"),
    ],
)
def test_raw_latex_outside_math_is_refused(text, match):
    with pytest.raises(ValueError, match=match) as info:
        Text(text)
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError):
        check_prose("caption", text)


def test_math_from_sympy_uses_sympy_latex():
    eta, lam = sp.symbols("eta lambda")
    step = Math.from_sympy(1 - eta * lam, "factor", lhs="q")
    assert step.latex == "q = " + sp.latex(1 - eta * lam) and step.label == "factor"
    assert InlineMath.from_sympy(sp.Rational(2, 3)).latex == r"\frac{2}{3}"
    with pytest.raises(ValueError, match="without \\$"):
        Math("$x$")


def test_blocks_validate_their_fields():
    with pytest.raises(ValueError, match="row 0 has 1 cells"):
        Table(("a", "b"), [(1,)])
    with pytest.raises(ValueError, match="real number or InlineMath"):
        Table(("a",), [(object(),)])
    with pytest.raises(ValueError, match="True or False"):
        VerificationRow("claim", 1, 1, 0, 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one"):
        Verification(())
    with pytest.raises(ValueError, match="matplotlib Figure"):
        Figure("f", "not a figure", "caption")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Heading.level"):
        Heading("x", level=1)
    with pytest.raises(ValueError, match="Page.slug"):
        Page("Bad Slug", "t")
    with pytest.raises(ValueError, match="reserved"):
        Page("index", "t")
    with pytest.raises(ValueError, match="not a block"):
        Page("p", "t", ("just a string",))  # type: ignore[arg-type]


def test_duplicate_figure_names_refused():
    from matplotlib.figure import Figure as MplFigure

    fig = Figure("same", MplFigure(), "c")
    with pytest.raises(ValueError, match="used twice"):
        Page("p", "t", (fig, fig))


def test_format_cell():
    import numpy as np

    assert format_cell(3) == "3"
    assert format_cell(np.int64(7)) == "7"
    assert format_cell(1 / 3) == "0.333333"
    assert format_cell(1e-12) == "1e-12"
    assert format_cell("text") == "text"


def test_latex_to_mathml_accepts_sympy_output():
    eta, beta, lam, z = sp.symbols("eta beta lambda z")
    matrix = sp.Matrix([[beta, -eta * lam], [beta, 1 - eta * lam]])
    for expr in (matrix, matrix.charpoly(z).as_expr(), sp.Piecewise((1, eta < 2), (0, True)),
                 sp.sqrt(beta) * sp.Abs(z), sp.And(beta < 1, eta * lam < 2 * (1 + beta))):
        mathml = latex_to_mathml(sp.latex(expr), "block")
        assert mathml.startswith("<math") and 'display="block"' in mathml
        assert "\\" not in mathml


@pytest.mark.parametrize(
    ("latex", "match"),
    [
        (r"\unknowncommand x", r"\\unknowncommand"),
        (r"\text{<b>bold</b>}", "non-MathML element|malformed"),
        (r"\begin{aligned} a &= b \end{aligned}", "malformed"),
    ],
)
def test_latex_to_mathml_refuses_what_would_leak(latex, match):
    with pytest.raises(ValueError, match=match) as info:
        latex_to_mathml(latex)
    assert "\n" not in str(info.value)


def test_latex_to_mathml_display_checked():
    with pytest.raises(ValueError, match="display"):
        latex_to_mathml("x", "wide")
