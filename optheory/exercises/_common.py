"""Small numeric helpers shared by the exercise answers."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

__all__ = [
    "count_text",
    "exact",
    "first_below",
    "fmt",
    "latex_eq",
    "limit_in_unit_interval",
    "rotation45",
]


def first_below(values: Any, tol: float) -> int | None:
    """Index of the first entry ``< tol`` (NaN counts as not below), or None."""
    arr = np.asarray(values, dtype=float)
    hits = np.flatnonzero(np.nan_to_num(arr, nan=np.inf) < tol)
    return int(hits[0]) if hits.size else None


def fmt(value: Any, digits: int = 3) -> str:
    """A number for the answer text: ``None`` / non-finite as "diverged"."""
    if value is None:
        return "never"
    v = float(value)
    if not np.isfinite(v):
        return "diverged"
    return f"{v:.{digits}g}"


def count_text(value: int | None) -> str:
    """A step count for the answer text (None reads "never")."""
    return "never" if value is None else str(int(value))


def exact(text: str) -> sp.Rational:
    """An exact rational from a decimal literal (``"0.1"`` -> 1/10)."""
    return sp.Rational(text)


def _tex(expr: Any) -> str:
    if isinstance(expr, str):
        return expr
    if isinstance(expr, sp.Basic | sp.MatrixBase):
        # the project's curvature symbol is named "lam"; print it as lambda
        lam = {s: sp.Symbol("lambda", **s.assumptions0) for s in expr.free_symbols
               if isinstance(s, sp.Symbol) and s.name == "lam"}
        expr = expr.xreplace(lam)
    return str(sp.latex(expr))


def limit_in_unit_interval(expr: sp.Expr, beta: sp.Symbol, t: sp.Symbol) -> sp.Expr:
    """``lim_{t -> oo} expr`` for a parameter ``0 < beta < 1``.

    sympy cannot use the bound ``beta < 1`` directly, so ``beta = 1/(1 + a)`` with
    ``a > 0`` is substituted, the limit taken, and ``a = 1/beta - 1`` put back.
    """
    a = sp.Symbol("a_pos", positive=True)
    out = sp.limit(expr.subs(beta, 1 / (1 + a)), t, sp.oo)
    return sp.simplify(out.subs(a, 1 / beta - 1))


def latex_eq(lhs: Any, rhs: Any) -> str:
    """``lhs = rhs`` in LaTeX; strings are taken as LaTeX already."""
    return f"{_tex(lhs)} = {_tex(rhs)}"


def rotation45() -> np.ndarray:
    """The rotation by 45 degrees, ``[[c, -s], [s, c]]`` with c = s = 1/sqrt(2)."""
    c = np.sqrt(0.5)
    return np.array([[c, -c], [c, c]])
