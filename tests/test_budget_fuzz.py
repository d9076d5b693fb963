"""Property-based fuzzing of the budgets: large numbers, many variables, deep nesting.

Every generated input must be answered quickly -- a result or a one-line
``ValueError`` -- never a hang, a RecursionError or a MemoryError.  Hypothesis'
``deadline`` fails an example that takes too long.
"""

from __future__ import annotations

import itertools
import keyword
import string
import time
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from optheory.cli import main
from optheory.cli._common import parse_float, parse_number
from optheory.symbolic.parse import parse_expression

NAMES = [
    a + b for a, b in itertools.product(string.ascii_lowercase, repeat=2)
    if not keyword.iskeyword(a + b) and a + b != "pi"  # pi is the constant
]


@st.composite
def large_numbers(draw: st.DrawFn) -> str:
    """Decimal literals with up to 150 digits and exponents up to 10^15 in magnitude."""
    sign = draw(st.sampled_from(["", "-", "+"]))
    whole = draw(st.text("0123456789", min_size=1, max_size=150))
    frac = draw(st.none() | st.text("0123456789", min_size=0, max_size=40))
    exponent = draw(st.none() | st.integers(-(10**15), 10**15))
    text = sign + whole + ("" if frac is None else "." + frac)
    if exponent is not None:
        text += draw(st.sampled_from(["e", "E"])) + str(exponent)
    if draw(st.booleans()):
        text += "/" + draw(st.text("123456789", min_size=1, max_size=3))
    return text


@st.composite
def many_variables(draw: st.DrawFn) -> str:
    """Sums, products and sums of squares of up to 500 distinct names."""
    count = draw(st.integers(1, 500))
    names = NAMES[:count]
    form = draw(st.sampled_from(["sum", "product", "squares"]))
    if form == "sum":
        return "+".join(names)
    if form == "product":
        return "*".join(names)
    return "+".join(f"{n}**2" for n in names)


@st.composite
def deep_nesting(draw: st.DrawFn) -> str:
    """Brackets, function calls, powers and unary minus nested up to 400 deep."""
    depth = draw(st.integers(1, 400))
    kind = draw(st.sampled_from(["brackets", "calls", "powers", "minus", "minmax"]))
    if kind == "brackets":
        return "(" * depth + "x" + ")" * depth
    if kind == "calls":
        func = draw(st.sampled_from(["sin", "exp", "log", "sqrt", "Abs", "tanh"]))
        return f"{func}(" * depth + "x" + ")" * depth
    if kind == "powers":
        return "**".join(["x"] * depth)
    if kind == "minus":
        return "-" * depth + "x"
    return "Max(x, " * depth + "y" + ")" * depth


@settings(max_examples=200, deadline=1000)
@given(text=large_numbers(), as_float=st.booleans())
@example(text="+0.E-999999999999999", as_float=False)  # zero with a huge exponent: once a hang
@example(text="0e999999999", as_float=True)
def test_number_literals_are_judged_by_their_written_size(text: str, as_float: bool) -> None:
    start = time.perf_counter()
    try:
        value = parse_float(text, "--x") if as_float else parse_number(text, "--x")
    except ValueError as exc:
        assert "\n" not in str(exc) and "--x" in str(exc)
    else:
        if not as_float:
            assert isinstance(value, Fraction)
            # within the exact limit: at most ~500 decimal digits either way
            assert value.numerator.bit_length() < 2000 and value.denominator.bit_length() < 2000
    assert time.perf_counter() - start < 0.5


# deadline: the largest accepted objectives take about 3 s on a loaded 2-core machine
@settings(max_examples=25, deadline=10_000, suppress_health_check=[HealthCheck.too_slow])
@given(text=many_variables())
def test_many_variables_are_refused_or_compiled_quickly(text: str) -> None:
    from optheory.analysis.objective_problem import ExpressionProblem
    from optheory.symbolic.objective import Objective

    try:
        problem = ExpressionProblem(Objective(parse_expression(text)))
    except ValueError as exc:
        assert "\n" not in str(exc)
        assert "gradient" in str(exc) or "longer than" in str(exc)
    else:
        assert problem.dim == len(set(text.replace("**2", "").replace("*", "+").split("+")))


@settings(max_examples=100, deadline=2000)
@given(text=deep_nesting())
def test_deep_nesting_is_refused_or_parsed_quickly(text: str) -> None:
    try:
        parse_expression(text)
    except ValueError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=large_numbers(), eta=large_numbers(), x0=large_numbers())
def test_run_flags_with_large_numbers_never_hang(
    steps: str, eta: str, x0: str, capsys: pytest.CaptureFixture[str]
) -> None:
    start = time.perf_counter()
    code = main(["run", "gd", "--f", "x**2", f"--x0={x0}", f"--eta={eta}", f"--steps={steps}",
                 "--max-seconds", "2"])
    err = capsys.readouterr().err
    assert code in (0, 2) and "Traceback" not in err
    assert time.perf_counter() - start < 5
