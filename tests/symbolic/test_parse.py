"""Safe parsing of user text (optheory.symbolic.parse)."""

from __future__ import annotations

import ast
import inspect
import time
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optheory.symbolic import parse as parse_module
from optheory.symbolic.parse import parse_expression, parse_variables

x, y, x1, x2 = (sp.Symbol(n, real=True) for n in ("x", "y", "x1", "x2"))


def _rejects(text: str, **kwargs: object) -> str:
    with pytest.raises(ValueError) as info:
        parse_expression(text, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert message and "\n" not in message, message
    return message


# ---------------------------------------------------------------- accepted input
def test_textbook_objective_is_exact() -> None:
    expr = parse_expression("0.1*x1**2 + 2*x2**2")
    assert expr == sp.Rational(1, 10) * x1**2 + 2 * x2**2
    # the literal 0.1 becomes exactly 1/10 (not the double nearest to 0.1)
    assert not expr.atoms(sp.Float)
    assert expr.coeff(x1**2) == sp.Rational(1, 10)
    assert all(s.is_real for s in expr.free_symbols)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x*cos(3*x)", x * sp.cos(3 * x)),
        ("cosh(x)", sp.cosh(x)),
        ("-x + +y - 2", -x + y - 2),
        ("x**-1", 1 / x),
        ("2**x**2", 2 ** (x**2)),  # ** is right-associative
        ("1e-3*x", sp.Rational(1, 1000) * x),
        ("2.5e2", sp.Integer(250)),
        ("1_000.5", sp.Rational(2001, 2)),
        ("sqrt(x**2 + 1)/2", sp.sqrt(x**2 + 1) / 2),
        ("abs(x) + Abs(y) + sign(x)", sp.Abs(x) + sp.Abs(y) + sp.sign(x)),
        ("Min(x, y, 1) + Max(x, 0)", sp.Min(x, y, 1) + sp.Max(x, 0)),
        ("exp(-x)*log(y) + tan(x) + sinh(x) + tanh(y)",
         sp.exp(-x) * sp.log(y) + sp.tan(x) + sp.sinh(x) + sp.tanh(y)),
        ("pi*E*x", sp.pi * sp.E * x),
        ("(x\n + 1)", x + 1),
        ("(-2)**3*x", -8 * x),
        ("(x + y + 1)**43 + (x + 1)**1000 + exp(2000*x)",
         (x + y + 1) ** 43 + (x + 1) ** 1000 + sp.exp(2000 * x)),
        ("Min(" + ",".join(f"x{k}" for k in range(1, 11)) + ")",
         sp.Min(*(sp.Symbol(f"x{k}", real=True) for k in range(1, 11)))),
    ],
)
def test_accepted_expressions(text: str, expected: sp.Expr) -> None:
    assert parse_expression(text) == expected


def test_lessard_recht_packard_piecewise() -> None:
    text = ("Piecewise((25*x**2/2, x < 1), (x**2/2 + 24*x - 12, x < 2), "
            "(25*x**2/2 - 24*x + 36, True))")
    expr = parse_expression(text)
    expected = sp.Piecewise(
        (sp.Rational(25, 2) * x**2, x < 1),
        (x**2 / 2 + 24 * x - 12, x < 2),
        (sp.Rational(25, 2) * x**2 - 24 * x + 36, True),
    )
    assert expr == expected
    # oracle: the three pieces of LRP (2016) sec. 4.6, evaluated exactly by hand
    points = {-1: sp.Rational(25, 2), sp.Rational(3, 2): sp.Rational(201, 8), 3: sp.Rational(153, 2)}
    for point, value in points.items():
        assert expr.subs(x, point) == value
    # the pieces join continuously at 1 and 2 (values 25/2 and 38)
    assert expr.subs(x, 1) == sp.Rational(25, 2) and expr.subs(x, 2) == 38


def test_chained_comparison_in_piecewise() -> None:
    expr = parse_expression("Piecewise((x, 0 < x <= 1), (0, True))")
    assert expr == sp.Piecewise((x, sp.And(0 < x, x <= 1)), (0, True))
    assert [expr.subs(x, v) for v in (sp.Rational(1, 2), 1, 0, 2)] == [sp.Rational(1, 2), 1, 0, 0]


def test_boolean_operators_in_conditions() -> None:
    expr = parse_expression("Piecewise((1, x < 0 or y > 1 and x > 2), (0, True))")
    assert expr == sp.Piecewise((1, sp.Or(x < 0, sp.And(y > 1, x > 2))), (0, True))


def test_variables_restrict_names() -> None:
    assert parse_expression("x1 + x2", variables=["x1", "x2"]) == x1 + x2
    assert parse_expression("x1", variables=[sp.Symbol("x1")]) == x1
    assert "unknown variable 'y'" in _rejects("x + y", variables=["x"])
    with pytest.raises(ValueError, match="reserved"):
        parse_expression("x", variables=["x", "sin"])
    with pytest.raises(ValueError, match="single string"):
        parse_expression("x", variables="x")  # type: ignore[arg-type]


def test_parse_variables_natural_order() -> None:
    expr = parse_expression("x10 + x2 + y + x1 + x + x_a")
    assert [s.name for s in parse_variables(expr)] == ["x", "x1", "x2", "x10", "x_a", "y"]
    assert parse_variables(parse_expression("2 + pi")) == ()
    with pytest.raises(ValueError, match="sympy"):
        parse_variables("x + 1")  # type: ignore[arg-type]


def test_flat_chains_do_not_count_as_nesting() -> None:
    # 600 terms in one sum: depth 2 however long the chain (bounded by max_length)
    assert parse_expression("+".join(["x"] * 600)) == 600 * x
    assert parse_expression("*".join(["x"] * 600)) == x**600


def test_limits_are_parameters() -> None:
    assert "max_length=3" in _rejects("x + 1", max_length=3)
    assert "max_depth=3" in _rejects("sin(sin(sin(x)))", max_depth=3)
    assert parse_expression("sin(sin(x))", max_depth=3) == sp.sin(sp.sin(x))
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="max_depth"):
            parse_expression("x", max_depth=bad)  # type: ignore[arg-type]


# ---------------------------------------------------------------- rejected input
MALICIOUS = [
    "__import__('os').system('touch {sentinel}')",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "open('{sentinel}', 'w')",
    "exec(\"open('{sentinel}', 'w')\")",
    "eval('1')",
    "compile('1', 'f', 'eval')",
    "lambda: 1",
    "(lambda: open('{sentinel}', 'w'))()",
    "[x for x in ()]",
    "{{x for x in ()}}",
    "x[0]",
    "f'{{x}}'",
    "(y:=1)",
    "import os",
    "x if x else y",
    "getattr(x, 'a')",
    "sympify('x')",
    "x.subs",
    "'abc'",
    "b'abc'",
    "1j",
    "x @ y",
    "x // 2",
    "x % 2",
    "*x",
    "sin(*x)",
    "Piecewise((x, x<1), cond=True)",
    "sin(x=1)",
    "__builtins__",
    "_x + 1",
    "sin",
    "x == 1",
    "x < 1",
    "True",
    "None",
    "...",
    "not x",
    "x & y",
    "[x, y]",
    "(x, y)",
    "{{'a': 1}}",
    "Piecewise((x, True), (1, x < 1))",
    "Piecewise((x, x))",
    "Piecewise(x)",
    "Piecewise()",
    "sin(x, y)",
    "log(x, 2)",
    "Min()",
    "lambda_ + lambda",
    "match + 1",
    "\u03b8 + 1",
    "x\0",
    "",
    "   ",
    "sqrt(-1)",
    "1/0",
    "log(0)",
]


@pytest.mark.parametrize("template", MALICIOUS)
def test_malicious_and_bad_text(template: str, tmp_path: Path) -> None:
    sentinel = tmp_path / "SENTINEL"
    _rejects(template.format(sentinel=sentinel))
    assert not sentinel.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("x.__class__", "attribute access"),
        ("x[0]", "subscript"),
        ("lambda: 1", "lambda"),
        ("x // 2", "'//'"),
        ("open('f')", "unknown function 'open'"),
        ("x.subs(x, 1)", "whitelisted function"),
        ("1j", "complex"),
        ("x < 1", "Piecewise condition"),
        ("f'{x}'", "f-string"),
        ("(y:=1)", "assignment expression"),
        ("lambda*x", "'lam'"),
        ("Piecewise((x, x<1), cond=True)", "keyword"),
        ("9**9**9**9", "large"),
        ("exp(710)", "double-precision range"),
        ("(-8)**(1/3)", "not real"),
        ("sqrt(-2)", "not real"),
        ("Piecewise((1, 1 <= tanh(999)), (0, True))", "cannot decide"),
        ("Max(Max(x1, x2, x3, x4, x5, x6), x7, x8, x9, x10, x11)", "Max of 11 arguments"),
        ("Piecewise((1, x < Piecewise((1, y > 0), (2, True))), (0, True))", "inside a Piecewise"),
        ("(x + y + 1)**44", "expands into 1035 terms"),
        ("x**1001", "exponent 1001 is too large"),
    ],
)
def test_message_names_the_construct(text: str, needle: str) -> None:
    message = _rejects(text)
    assert needle in message, message


def test_message_gives_the_column() -> None:
    assert "'x.a' at column 5" in _rejects("1 + x.a")
    # a full-width x (3 bytes in UTF-8) is the letter x after NFKC: columns count characters
    assert "'x.a' at column 5" in _rejects("\uff58 + x.a")
    assert "at line 2 column 3" in _rejects("(x +\n  x.a)")


BOMBS = [
    "9**9**9**9",
    "10**100000",
    "1" * 5000,
    "(" * 200 + "x" + ")" * 200,
    "-" * 1999 + "x",
    "x**" * 500 + "x",
    "2**(x + 10**9)",  # expand() or a comparison would form 2**(10**9)
    "Min(2**(x + 1234567890), x)",
    "exp(10**6*log((10**100 + 1)/10**100))",  # exp(c*log(a)) -> a**c
    "exp(x + 10**6*log(2))",
    "log(2)*10**6",  # simplify() would form log(2**(10**6))
    "(3**200*7 + 1)**(49/50)",  # an exact root of a 4700-digit integer
    "sqrt(10**999 + 1)",
    "2**1000*2**1000*2**1000*2**1000*2**1000",
    "exp(1001)",
    "sinh(cosh(1000))",
    "Piecewise((1, sinh(cosh(1)**Piecewise((1, x > 1), (cosh(1000), True))) > 3), (0, True))",
    "(2**(x + 400))**3",  # sympy forms 2**(3*x + 1200) itself
    "1e400",
    "1e-99999999",
    "9" * 101,
    # found by fuzzing: each kept sympy busy from half a minute to forever
    "Piecewise((1, 1 <= tanh(999)), (0, True))",  # undecidable comparison of constants
    "Piecewise((1, 999 <= log((-9)**exp(-99.5))), (10, True))",  # complex constant
    "Min(" + ",".join(f"x{k}" for k in range(1, 61)) + ")",  # pairwise comparisons
    "Piecewise((1, x < Piecewise((1, sin(x) > y), (tan(x), True))), (0, True))",  # as_set
    "sign(cosh(cosh(10)**x + (700**x + 2 - pi)**(E + 700)))",  # multinomial expansion
    "sign(tanh(Max(999 + y, pi**3)**(cosh(1)*(700**10 + log(x)))))",
]


@pytest.mark.parametrize("text", BOMBS)
def test_size_bombs_are_rejected_fast(text: str) -> None:
    start = time.perf_counter()
    _rejects(text)
    # unguarded, these take from seconds to hours or exhaust memory (9**387420489 has
    # 370 million digits); rejected, each costs a few milliseconds.  1 s leaves room for
    # a loaded machine.
    assert time.perf_counter() - start < 1.0


def test_module_never_calls_an_evaluator() -> None:
    tree = ast.parse(inspect.getsource(parse_module))
    forbidden = {"eval", "exec", "sympify", "parse_expr", "S", "__import__", "getattr",
                 "lambdify", "N", "simplify"}
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert not (names | attributes) & forbidden
    assert "compile" not in names  # (re.compile is fine: it compiles a fixed pattern)
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom | ast.Import)
                for alias in node.names}
    assert not {name for name in imported if "parsing" in name or name in forbidden}


# ---------------------------------------------------------------- fuzzing
_TOKENS = ["x", "y", "x1", "0", "1", "2", "9", "0.5", "1e3", "pi", "E", "True", "+", "-", "*",
           "/", "**", "//", "(", ")", ",", "<", "<=", ">", " and ", " or ", "sin(", "exp(",
           "log(", "sqrt(", "Abs(", "Min(", "Piecewise((", "), (", ", True))", ".", "[", "]",
           "_", "'", ":", "lambda", "=", "@", "j", "\n"]


def _check_text(text: str) -> None:
    try:
        result = parse_expression(text)
    except ValueError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert isinstance(result, sp.Expr)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="xy012.9e+-*/()<>=, _'[]:%@\n", max_size=40))
def test_random_characters_parse_or_raise_value_error(text: str) -> None:
    _check_text(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_TOKENS), max_size=25).map("".join))
def test_random_tokens_parse_or_raise_value_error(text: str) -> None:
    _check_text(text)


@st.composite
def _expressions(draw: st.DrawFn, depth: int = 0) -> str:
    atoms = ["x", "y", "1", "2", "0", "0.5", "1e3", "999", "pi", "E", "12345678901234567890"]
    if depth > 3 or draw(st.booleans()):
        return draw(st.sampled_from(atoms))
    kind = draw(st.sampled_from(["binary", "call", "piecewise", "neg"]))
    if kind == "binary":
        op = draw(st.sampled_from(["+", "-", "*", "/", "**"]))
        return f"({draw(_expressions(depth + 1))}){op}({draw(_expressions(depth + 1))})"
    if kind == "call":
        name = draw(st.sampled_from(["sin", "exp", "log", "sqrt", "cosh", "Abs", "sign", "Min"]))
        return f"{name}({draw(_expressions(depth + 1))})"
    if kind == "neg":
        return f"-{draw(_expressions(depth + 1))}"
    cond = f"{draw(_expressions(depth + 1))} < {draw(_expressions(depth + 1))}"
    return f"Piecewise(({draw(_expressions(depth + 1))}, {cond}), ({draw(_expressions(depth + 1))}, True))"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_expressions())
def test_random_expressions_parse_or_raise_value_error(text: str) -> None:
    _check_text(text)
