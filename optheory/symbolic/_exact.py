"""Exact conversion of user numbers to sympy, without parsing text as code."""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Number
from typing import Any

import sympy as sp

__all__ = ["to_exact", "to_exact_matrix"]


def to_exact(value: Any, name: str = "value") -> sp.Expr:
    """Convert a number to an exact sympy number.

    Integers and ``Fraction`` stay exact; a float becomes the rational number
    its shortest decimal representation denotes (``0.1 -> 1/10``), so inputs
    typed as decimals are treated as the decimals the user meant.  sympy
    expressions (including symbols) are returned unchanged.

    Raises
    ------
    ValueError
        For NaN, infinities, strings and other non-numbers.
    """
    if isinstance(value, sp.Basic):
        if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise ValueError(f"{name} must be finite, got {value}")
        return value  # type: ignore[return-value]
    if isinstance(value, bool) or not isinstance(value, Number):
        # numpy scalars are Numbers; strings and None are not.
        raise ValueError(f"{name} must be a number or a sympy expression, got {value!r}")
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    as_float = float(value)  # type: ignore[arg-type]
    if not math.isfinite(as_float):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if as_float == int(as_float) and abs(as_float) < 2**53:
        return sp.Integer(int(as_float))
    frac = Fraction(repr(as_float))
    return sp.Rational(frac.numerator, frac.denominator)


def to_exact_matrix(value: Any, name: str, shape: tuple[int | None, int | None]) -> sp.Matrix:
    """Convert a nested sequence / array / sympy Matrix into an exact sympy Matrix.

    ``shape`` gives the expected (rows, cols); ``None`` leaves a size free.
    A 1-D sequence is read as a column vector.
    """
    if isinstance(value, sp.MatrixBase):
        mat = sp.Matrix(value)
    else:
        rows = _as_nested_list(value, name)
        if rows and not isinstance(rows[0], list):
            rows = [[entry] for entry in rows]
        width = {len(r) for r in rows}
        if len(width) > 1:
            raise ValueError(f"{name} must be rectangular; its rows have lengths {sorted(width)}")
        mat = sp.Matrix([[to_exact(e, f"{name}[{i},{j}]") for j, e in enumerate(r)]
                         for i, r in enumerate(rows)])
    for i in range(mat.rows):
        for j in range(mat.cols):
            to_exact(mat[i, j], f"{name}[{i},{j}]")
    want_r, want_c = shape
    if mat.rows == 0 or mat.cols == 0:
        raise ValueError(f"{name} must not be empty")
    if (want_r is not None and mat.rows != want_r) or (want_c is not None and mat.cols != want_c):
        raise ValueError(
            f"{name} has shape ({mat.rows}, {mat.cols}); expected "
            f"({want_r if want_r is not None else 'n'}, {want_c if want_c is not None else 'n'})"
        )
    return mat


def _as_nested_list(value: Any, name: str) -> list[Any]:
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise ValueError(f"{name} must be a sequence of numbers, got {value!r}")
    out = []
    for item in value:
        if isinstance(item, str | bytes):
            raise ValueError(f"{name} entries must be numbers, got {item!r}")
        out.append(list(item) if hasattr(item, "__iter__") else item)
    return out
