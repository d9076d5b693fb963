"""Small helpers shared by claim checks."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

import sympy as sp

__all__ = ["find_counterexample", "latex", "number"]


def latex(expr: Any) -> str:
    return sp.latex(expr)


def number(value: Any) -> Any:
    """A JSON-friendly number: ints stay ints, exact rationals become 'p/q' strings."""
    if isinstance(value, sp.Basic):
        if value.is_Integer:
            return int(value)
        if value.is_Rational:
            return str(value)
        return float(value)
    return value


def find_counterexample(
    predicate: Callable[..., bool], grids: Iterable[Iterable[Any]]
) -> tuple[Any, ...] | None:
    """First point of the Cartesian product of ``grids`` where ``predicate`` is False."""
    for point in itertools.product(*grids):
        if not predicate(*point):
            return point
    return None
