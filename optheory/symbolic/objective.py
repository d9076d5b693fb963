r"""General smooth objectives given as sympy expressions.

:class:`Objective` holds an expression in named variables and derives its
gradient and Hessian with sympy.  Turning it into arrays (lambdify) happens in
:mod:`optheory.analysis.objective_problem`, keeping this module sympy-only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp

__all__ = ["Objective", "natural_key"]


def natural_key(symbol: sp.Symbol) -> tuple[str, int]:
    """Sort key putting ``x2`` before ``x10``."""
    match = re.fullmatch(r"(.*?)(\d*)", symbol.name)
    assert match is not None
    stem, digits = match.groups()
    return stem, int(digits) if digits else -1


@dataclass(frozen=True)
class Objective:
    r"""A scalar objective :math:`f(x_1, \dots, x_d)`.

    Parameters
    ----------
    expr : sympy.Expr
        The objective; build it with sympy or with
        :func:`optheory.symbolic.parse.parse_expression` from user text.
    variables : sequence of sympy.Symbol, optional
        The order of the coordinates; by default the free symbols sorted
        naturally (``x1, x2, ..., x10``).

    Raises
    ------
    ValueError
        ``expr`` is not a sympy expression, has no variables, or has free
        symbols not listed in ``variables``.
    """

    expr: sp.Expr
    variables: tuple[sp.Symbol, ...] = field(default=())

    def __post_init__(self) -> None:
        if not isinstance(self.expr, sp.Expr):
            raise ValueError(f"expr must be a sympy expression, got {type(self.expr).__name__}")
        free = sorted(self.expr.free_symbols, key=natural_key)
        variables = tuple(self.variables) if self.variables else tuple(free)
        if not variables:
            raise ValueError("the objective has no variables; write it in terms of e.g. x1, x2")
        missing = set(free) - set(variables)
        if missing:
            names = ", ".join(sorted(s.name for s in missing))
            raise ValueError(f"the objective uses {names}, which are not among its variables")
        object.__setattr__(self, "variables", variables)

    @classmethod
    def from_variables(cls, expr: sp.Expr, variables: Sequence[sp.Symbol]) -> Objective:
        return cls(expr, tuple(variables))

    @property
    def dim(self) -> int:
        return len(self.variables)

    @cached_property
    def gradient(self) -> sp.Matrix:
        r""":math:`\nabla f` as a column of sympy expressions.

        Each component differentiates only the summands of ``f`` that contain
        its variable (the others contribute 0), so a separable objective of
        ``d`` variables costs ``O(d)`` derivatives instead of ``O(d^2)``.
        """
        terms = sp.Add.make_args(self.expr)
        holders: dict[sp.Symbol, list[sp.Expr]] = {v: [] for v in self.variables}
        for term in terms:
            for symbol in term.free_symbols:
                if symbol in holders:
                    holders[symbol].append(term)
        return sp.Matrix([
            sp.Add(*[sp.diff(term, v) for term in holders[v]]) for v in self.variables
        ])

    @property
    def hessian(self) -> sp.Matrix:
        r""":math:`\nabla^2 f` as a sympy matrix."""
        return sp.hessian(self.expr, self.variables)

    def stationary_points(self) -> list[dict[sp.Symbol, sp.Expr]]:
        """Solutions of grad f = 0 that sympy can find in closed form (may be empty)."""
        try:
            solutions = sp.solve(list(self.gradient), list(self.variables), dict=True)
        except NotImplementedError:
            return []
        return list(solutions)
