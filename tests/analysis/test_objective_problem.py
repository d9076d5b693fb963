"""General objectives: sympy gradient compiled for numpy and torch."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from optheory.analysis.objective_problem import ExpressionProblem
from optheory.symbolic.objective import Objective
from tests.conftest import require_torch

x, c = sp.Symbol("x", real=True), sp.Rational(3, 2)


def test_nonconvex_textbook_example() -> None:
    # d/dx x cos(cx) = cos(cx) - c x sin(cx)
    p = ExpressionProblem(Objective(x * sp.cos(c * x)))
    pts = np.linspace(-3, 3, 7)[:, None]
    np.testing.assert_allclose(
        p.grad(pts)[:, 0], np.cos(1.5 * pts[:, 0]) - 1.5 * pts[:, 0] * np.sin(1.5 * pts[:, 0]),
        rtol=1e-14, atol=1e-14,
    )


def test_piecewise_lessard_recht_packard() -> None:
    f = sp.Piecewise(
        (25 * x**2 / 2, x < 1),
        (x**2 / 2 + 24 * x - 12, x < 2),
        (25 * x**2 / 2 - 24 * x + 36, True),
    )
    p = ExpressionProblem(Objective(f))
    pts = np.array([[-1.0], [0.5], [1.5], [3.0]])
    np.testing.assert_array_equal(p.grad(pts)[:, 0], [-25.0, 12.5, 25.5, 51.0])
    # the pieces join continuously (value and slope) at x = 1 and x = 2
    for knot in (1.0, 2.0):
        left, right = p.f(np.array([[knot - 1e-9]])), p.f(np.array([[knot]]))
        assert abs(left[0] - right[0]) < 1e-6


def test_cosh_hessian_and_torch_agrees() -> None:
    torch = require_torch()
    o = Objective(sp.cosh(x))
    assert o.hessian == sp.Matrix([[sp.cosh(x)]])
    pn, pt = ExpressionProblem(o), ExpressionProblem(o, backend="torch")
    pts = np.array([[0.3], [-1.2]])
    np.testing.assert_allclose(pt.grad(torch.tensor(pts)).numpy(), pn.grad(pts), rtol=1e-14)


def test_constant_gradient_broadcasts() -> None:
    x1, x2 = sp.symbols("x1 x2", real=True)
    p = ExpressionProblem(Objective(3 * x1 + x2**2))
    g = p.grad(np.array([[1.0, 2.0], [0.0, -1.0]]))
    np.testing.assert_array_equal(g, [[3.0, 4.0], [3.0, -2.0]])


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="no variables"):
        Objective(sp.Integer(3))
    with pytest.raises(ValueError, match="not among its variables"):
        Objective(x + sp.Symbol("y"), (x,))
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 1\)"):
        ExpressionProblem(Objective(x**2)).grad(np.zeros((2, 2)))


def test_sign_gradient_drops_dirac_delta() -> None:
    # d/dx sign(x)*x = 2 x DiracDelta(x) + sign(x); the delta is 0 for x != 0, so grad = sign(x)
    obj = Objective(sp.sign(x) * x)
    assert obj.gradient[0].has(sp.DiracDelta)  # sympy keeps the delta; the problem must drop it
    p = ExpressionProblem(obj)
    pts = np.array([[-2.0], [-0.5], [0.25], [3.0]])
    np.testing.assert_array_equal(p.grad(pts)[:, 0], [-1.0, -1.0, 1.0, 1.0])
    np.testing.assert_array_equal(p.f(pts), [2.0, 0.5, 0.25, 3.0])
    x1, x2 = sp.symbols("x1 x2", real=True)
    q = ExpressionProblem(Objective(sp.sign(x1) * x2 + x2**2))
    # d/dx1 = 2 x2 DiracDelta(x1) -> 0; d/dx2 = sign(x1) + 2 x2
    np.testing.assert_array_equal(q.grad(np.array([1.0, 2.0])), [0.0, 5.0])


def test_non_objective_is_a_one_line_value_error() -> None:
    with pytest.raises(ValueError, match="must be an optheory Objective, got str") as info:
        ExpressionProblem("x**2")  # type: ignore[arg-type]
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_min_max_abs_compile_directly_on_both_backends(backend):
    # Heaviside / Max / Min go to direct array functions, not sympy's Piecewise printing
    # (which took minutes for Max of 10 names and failed inside torch's heaviside)
    if backend == "torch":
        require_torch()
    from optheory.symbolic.parse import parse_expression

    problem = ExpressionProblem(
        Objective(parse_expression("Abs(a) + Max(a, b, c) + Min(b, c)**2")), backend=backend
    )
    x = np.array([[-1.0, 2.0, 3.0], [4.0, -2.0, 1.0]])
    # oracle by hand: d/da = sign(a) + [a is the max]; d/db = [b max] + 2 min(b,c) [b min]
    expected = np.array([[-1.0, 4.0, 1.0], [2.0, -4.0, 0.0]])
    grad = np.asarray(problem.grad(x))
    np.testing.assert_array_equal(grad, expected)
    np.testing.assert_array_equal(np.asarray(problem.f(x)), [1 + 3 + 4, 4 + 4 + 4])


def test_gradient_size_is_estimated_before_differentiating():
    import itertools
    import keyword
    import string

    from optheory.analysis.objective_problem import gradient_size_estimate
    from optheory.symbolic.parse import parse_expression

    pairs = (a + b for a, b in itertools.product(string.ascii_lowercase, repeat=2))
    names = [n for n in pairs if not keyword.iskeyword(n)][:300]
    separable = Objective(parse_expression("+".join(f"{n}**2" for n in names)))
    product = Objective(parse_expression("*".join(names)))
    assert gradient_size_estimate(separable) == 300 * 3  # each square: Pow, symbol, 2
    assert gradient_size_estimate(product) > 300 * 300
    with pytest.raises(ValueError, match="max_gradient_nodes=4000"):
        ExpressionProblem(product)
