"""Small helpers shared by claim checks.

:func:`agree` and :func:`require` enforce the registry's rule that a numeric
witness must match the derivation it witnesses: a mismatch beyond the stated
tolerance raises ``RuntimeError`` (the registry then reports verdict "error"),
because it says something is wrong with the derivation or the optimizer, not
with the textbook.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import sympy as sp

__all__ = ["agree", "exact", "find_counterexample", "latex", "number", "require", "sci_latex"]


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


def exact(value: Any) -> sp.Rational:
    """The decimal a float prints as, as an exact rational (0.9 -> 9/10, 0.2 -> 1/5)."""
    return sp.Rational(repr(float(value)))


def sci_latex(value: float) -> str:
    """LaTeX of a positive number: ``10^{k}`` for exact powers of ten, else ``sympy.latex``."""
    v = float(value)
    if v > 0:
        k = round(math.log10(v))
        if math.isclose(v, 10.0**k, rel_tol=1e-12):
            return f"10^{{{k}}}"
    return sp.latex(sp.Float(v, 6))


def find_counterexample(
    predicate: Callable[..., bool], grids: Iterable[Iterable[Any]]
) -> tuple[Any, ...] | None:
    """First point of the Cartesian product of ``grids`` where ``predicate`` is False."""
    for point in itertools.product(*grids):
        if not predicate(*point):
            return point
    return None


def agree(what: str, measured: Any, derived: Any, tol: float, *, relative: bool = False) -> float:
    """Largest (relative) gap between a witness and the derived value; raise if above ``tol``.

    Parameters
    ----------
    what : str
        What is compared, for the error message.
    measured, derived : array_like
        Broadcastable numbers.
    tol : float
        The justified tolerance (absolute, or relative to ``|derived|``).

    Returns
    -------
    float
        The gap (so the caller can report it).

    Raises
    ------
    RuntimeError
        The gap exceeds ``tol`` or is not a number: the witness contradicts the
        derivation.
    """
    m = np.asarray(measured, dtype=float)
    d = np.asarray(derived, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        gap_all = np.abs(m - d) / (np.abs(d) if relative else 1.0)
    gap = float(np.max(gap_all)) if gap_all.size else 0.0
    if not gap <= tol:  # also catches NaN
        kind = "relative gap" if relative else "gap"
        raise RuntimeError(
            f"witness disagrees with the derivation: {what}: measured {np.round(m, 15).tolist()} "
            f"vs derived {np.round(d, 15).tolist()}, {kind} {gap:.3g} > tolerance {tol:g}"
        )
    return gap


def require(condition: Any, message: str) -> None:
    """Raise ``RuntimeError`` (witness vs derivation) unless ``condition`` holds."""
    if not bool(condition):
        raise RuntimeError(f"witness disagrees with the derivation: {message}")
