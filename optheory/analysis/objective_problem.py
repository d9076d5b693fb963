r"""Numeric problems built from symbolic objectives (lambdified for numpy or torch)."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from optheory.numeric.backend import as_array, check_backend
from optheory.symbolic.objective import Objective

__all__ = ["ExpressionProblem"]


def _drop_dirac(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every ``DiracDelta(...)`` replaced by 0 (its value almost everywhere)."""
    return expr.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.S.Zero)


class ExpressionProblem:
    r"""An :class:`~optheory.symbolic.objective.Objective` evaluated on arrays.

    The objective and its sympy gradient are compiled once with
    ``sympy.lambdify`` (numpy or torch printer); ``f`` and ``grad`` accept a
    batch of points of shape (..., d), like :class:`EigenQuadratic`.

    ``DiracDelta`` terms of the gradient (from ``sign``, ``Abs``, ``Heaviside``)
    are replaced by 0: they vanish almost everywhere, and no numeric backend
    can evaluate them.

    Raises
    ------
    ValueError
        ``objective`` is not an :class:`~optheory.symbolic.objective.Objective`,
        or the backend/device is unknown.
    """

    def __init__(
        self, objective: Objective, backend: str = "numpy", device: str = "cpu"
    ) -> None:
        if not isinstance(objective, Objective):
            raise ValueError(
                "objective must be an optheory Objective, got "
                f"{type(objective).__name__}; wrap it: Objective(parse_expression(text))"
            )
        check_backend(backend, device)
        self.objective = objective
        self.backend = backend
        self.device = device
        self.dtype = "float64"
        self.dim = objective.dim
        modules = "torch" if backend == "torch" else "numpy"
        args = list(objective.variables)
        self._f = sp.lambdify(args, objective.expr, modules=modules)
        self._g = [sp.lambdify(args, _drop_dirac(gi), modules=modules) for gi in objective.gradient]

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
        parts = [self._broadcast(g(*cols), arr[..., 0]) for g in self._g]
        if self.backend == "numpy":
            return np.stack(parts, axis=-1)
        import torch

        return torch.stack(parts, dim=-1)

    def hessian_at(self, x: Any) -> np.ndarray:
        """The sympy Hessian evaluated at one point (numpy, float64)."""
        point = dict(zip(self.objective.variables, np.asarray(x, dtype=float), strict=True))
        return np.array(self.objective.hessian.subs(point).evalf(), dtype=float)
