r"""Numeric problems built from symbolic objectives (lambdified for numpy or torch)."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from optheory._checks import check_positive_int
from optheory.numeric.backend import as_array, check_backend
from optheory.symbolic.objective import Objective

__all__ = [
    "MAX_GRADIENT_NODES",
    "ExpressionProblem",
    "estimate_run_seconds",
    "gradient_size_estimate",
]

#: Largest estimated size (syntax-tree nodes, :func:`gradient_size_estimate`) of the
#: gradient of an objective, checked before differentiating.  Differentiating and
#: compiling grow faster than linearly: a product of 50 names (about 5000 nodes)
#: takes 3 to 4 seconds, of 100 names 20 seconds; a sum of 333 squares is 999.
MAX_GRADIENT_NODES = 4_000


def _drop_dirac(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every ``DiracDelta(...)`` replaced by 0 (its value almost everywhere)."""
    return expr.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.S.Zero)


def gradient_size_estimate(objective: Objective) -> int:
    """Estimate of the gradient's size, counted without differentiating.

    For each top-level term of the objective (a sum's summands), the number of
    its variables times its number of tree nodes: differentiating a term by
    each of its variables copies it at most once per variable (a product
    rule), and terms without a variable contribute nothing.  Linear in the
    size of the expression.
    """
    total = 0
    for term in sp.Add.make_args(objective.expr):
        variables = len(term.free_symbols)
        if variables:
            total += variables * sum(1 for _ in sp.preorder_traversal(term))
    return total


# Seconds per expression node per step of a compiled objective (loss and gradient,
# numpy): `optheory run gd` on a sum of 333 squares spent 2.7 ms a step on about
# 2000 nodes (1.4e-6 s a node) on the 2-core development machine under a load of
# ~10.  The estimate takes a fifth of that, a lower bound: what it refuses is
# surely over the budget, and the run's own probe catches the rest.
_SECONDS_PER_NODE_STEP = 2.5e-7


def estimate_run_seconds(objective: Objective, steps: int) -> float:
    """A lower bound on the seconds of ``steps`` steps on ``objective``, before compiling it.

    Each step evaluates the gradient (about :func:`gradient_size_estimate`
    nodes) and the loss (the expression's nodes); each node is one array
    operation.
    """
    nodes = gradient_size_estimate(objective) + sum(1 for _ in sp.preorder_traversal(objective.expr))
    return float(steps) * nodes * _SECONDS_PER_NODE_STEP


# Heaviside, Max and Min are printed by sympy's numpy printer through Piecewise
# rewrites whose condition simplification is exponential in the argument count
# (Max of 10 names: minutes); they are compiled as direct array functions.
_MAX = sp.Function("_optheory_max")
_MIN = sp.Function("_optheory_min")
_HEAVISIDE = sp.Function("_optheory_heaviside")


def _direct_functions(expr: sp.Expr) -> sp.Expr:
    """``expr`` with Heaviside, Max and Min as the direct functions, in one bottom-up pass.

    Bottom-up, no Max or Min is ever rebuilt (``replace`` rebuilt the parents of
    each replaced node, and a Max or Min rebuilt compares its arguments pairwise:
    seconds for a Min of five Max).
    """
    memo: dict[sp.Basic, sp.Basic] = {}

    def convert(e: sp.Basic) -> sp.Basic:
        if not e.args:
            return e
        if e in memo:
            return memo[e]
        args = [convert(a) for a in e.args]
        if isinstance(e, sp.Heaviside):
            out = _HEAVISIDE(args[0])
        elif isinstance(e, sp.Max):
            out = _MAX(*args)
        elif isinstance(e, sp.Min):
            out = _MIN(*args)
        elif any(new is not old for new, old in zip(args, e.args, strict=True)):
            out = e.func(*args)
        else:
            out = e
        memo[e] = out
        return out

    return convert(expr)  # type: ignore[return-value]


def _namespace(backend: str) -> dict[str, Any]:
    if backend == "torch":
        import torch

        def tmax(*args: Any) -> Any:
            out = torch.as_tensor(args[0])
            for a in args[1:]:
                out = torch.maximum(out, torch.as_tensor(a))
            return out

        def tmin(*args: Any) -> Any:
            out = torch.as_tensor(args[0])
            for a in args[1:]:
                out = torch.minimum(out, torch.as_tensor(a))
            return out

        def theaviside(x: Any) -> Any:
            x = torch.as_tensor(x)
            return torch.heaviside(x, torch.full_like(x, 0.5))

        return {"_optheory_max": tmax, "_optheory_min": tmin, "_optheory_heaviside": theaviside}

    def nmax(*args: Any) -> Any:
        return np.maximum.reduce(np.broadcast_arrays(*args))

    def nmin(*args: Any) -> Any:
        return np.minimum.reduce(np.broadcast_arrays(*args))

    def nheaviside(x: Any) -> Any:
        return np.heaviside(x, 0.5)

    return {"_optheory_max": nmax, "_optheory_min": nmin, "_optheory_heaviside": nheaviside}


def _printer(backend: str, namespace: dict[str, Any]) -> Any:
    """lambdify's printer for ``backend`` that prints our direct functions by name."""
    base: Any
    if backend == "torch":
        from sympy.printing.pytorch import TorchPrinter

        base = TorchPrinter
    else:
        from sympy.printing.numpy import NumPyPrinter

        base = NumPyPrinter

    class Printer(base):  # type: ignore[misc, valid-type]
        def _print_Function(self, expr: sp.Expr) -> str:
            name = type(expr).__name__
            if name in namespace:
                return f"{name}({', '.join(self._print(a) for a in expr.args)})"
            return str(super()._print_Function(expr))

    return Printer({"fully_qualified_modules": False, "inline": True,
                    "allow_unknown_functions": True, "user_functions": {}})


class ExpressionProblem:
    r"""An :class:`~optheory.symbolic.objective.Objective` evaluated on arrays.

    The objective and its sympy gradient are compiled once with
    ``sympy.lambdify`` (numpy or torch printer); ``f`` and ``grad`` accept a
    batch of points of shape (..., d), like :class:`EigenQuadratic`.

    ``DiracDelta`` terms of the gradient (from ``sign``, ``Abs``, ``Heaviside``)
    are replaced by 0: they vanish almost everywhere, and no numeric backend
    can evaluate them.

    Parameters
    ----------
    objective : Objective
    backend : {"numpy", "torch"}
    device : str
    max_gradient_nodes : int
        Budget for :func:`gradient_size_estimate`,
        checked before differentiating; default :data:`MAX_GRADIENT_NODES`.

    Raises
    ------
    ValueError
        ``objective`` is not an :class:`~optheory.symbolic.objective.Objective`,
        the backend/device is unknown, or the gradient would exceed
        ``max_gradient_nodes``.
    """

    def __init__(
        self,
        objective: Objective,
        backend: str = "numpy",
        device: str = "cpu",
        max_gradient_nodes: int = MAX_GRADIENT_NODES,
    ) -> None:
        if not isinstance(objective, Objective):
            raise ValueError(
                "objective must be an optheory Objective, got "
                f"{type(objective).__name__}; wrap it: Objective(parse_expression(text))"
            )
        check_backend(backend, device)
        limit = check_positive_int("max_gradient_nodes", max_gradient_nodes)
        size = gradient_size_estimate(objective)
        if size > limit:
            raise ValueError(
                f"the objective is too large to differentiate and compile: its gradient would "
                f"have about {size} expression nodes ({objective.dim} variables), above "
                f"max_gradient_nodes={limit}; use fewer variables or a smaller expression"
            )
        self.objective = objective
        self.backend = backend
        self.device = device
        self.dtype = "float64"
        self.dim = objective.dim
        namespace = _namespace(backend)
        modules = [namespace, "torch" if backend == "torch" else "numpy"]
        printer = _printer(backend, namespace)
        args = list(objective.variables)

        def compile_(expr: Any) -> Any:
            return sp.lambdify(args, expr, modules=modules, printer=printer)

        self._f = compile_(_direct_functions(objective.expr))
        # one function returning the list of components: lambdify's cost per call grows
        # with the number of arguments, so d separate functions would cost O(d^2)
        self._g = compile_([_direct_functions(_drop_dirac(gi)) for gi in objective.gradient])

    def _columns(self, x: Any) -> tuple[Any, list[Any]]:
        arr = as_array(x, self.backend, self.device)
        if arr.ndim == 0 or arr.shape[-1] != self.dim:
            raise ValueError(f"x must have shape (..., {self.dim}), got {tuple(arr.shape)}")
        return arr, [arr[..., i] for i in range(self.dim)]

    def _broadcast(self, value: Any, like: Any) -> Any:
        # lambdify returns Python scalars for constant expressions.
        if self.backend == "numpy":
            return np.broadcast_to(np.asarray(value, dtype=float), like.shape).copy()
        out = like.new_zeros(like.shape)
        return out + value

    def f(self, x: Any) -> Any:
        arr, cols = self._columns(x)
        return self._broadcast(self._f(*cols), arr[..., 0])

    def grad(self, x: Any) -> Any:
        arr, cols = self._columns(x)
        values = self._g(*cols)
        if self.backend == "numpy":
            out = np.empty(arr.shape, dtype=float)
            for i, value in enumerate(values):
                out[..., i] = value  # broadcasts the constants lambdify returns as scalars
            return out
        import torch

        return torch.stack([self._broadcast(v, arr[..., 0]) for v in values], dim=-1)

    def hessian_at(self, x: Any) -> np.ndarray:
        """The sympy Hessian evaluated at one point (numpy, float64)."""
        point = dict(zip(self.objective.variables, np.asarray(x, dtype=float), strict=True))
        return np.array(self.objective.hessian.subs(point).evalf(), dtype=float)
