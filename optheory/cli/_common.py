"""Helpers shared by the subcommands: safe number parsing and output."""

from __future__ import annotations

import argparse
import json
import math
import sys
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from optheory._budget import _literal_parts, check_literal

__all__ = [
    "StdoutError", "add_json_flag", "emit", "exact_value", "show_exact", "write_stdout", "parse_float", "parse_float_vector", "parse_matrix", "parse_number",
    "parse_vector", "to_jsonable",
]


def parse_number(text: str, name: str, *, as_float: bool = False) -> Fraction:
    """Parse a decimal or fraction literal (``0.1``, ``-3``, ``1/3``, ``2e-3``) exactly.

    Uses :class:`fractions.Fraction`'s own literal parser: nothing is evaluated.
    The literal's written size (digits, exponent) is judged first
    (:func:`optheory._budget.check_literal`), so ``1e99999999`` is refused
    without expanding it; ``as_float`` applies the float range instead of the
    exact limit.
    """
    cleaned = text.strip()
    if len(cleaned) > 64:
        raise ValueError(f"{name}: number {cleaned[:20]!r}... is too long")
    check_literal(cleaned, name, as_float=as_float)
    parts = _literal_parts(cleaned)
    if parts is not None and parts[0] == 0:
        return Fraction(0)  # Fraction("0e-999999999") would expand 10**999999999 first
    try:
        value = Fraction(cleaned)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{name}: {text!r} is not a number (use e.g. 0.5, -3 or 1/3)") from None
    return value


def to_float(value: Fraction, text: str, name: str) -> float:
    """``float(value)``, or a one-line ValueError naming ``name`` when it overflows."""
    try:
        result = float(value)
    except OverflowError:
        result = math.inf
    if not math.isfinite(result):
        raise ValueError(f"{name}: {text.strip()} is outside the float range (about +-1.8e308)")
    return result


def parse_float(text: str, name: str) -> float:
    """Parse a number literal for a float-valued flag (see :func:`parse_number`).

    Raises
    ------
    ValueError
        Not a number, or outside the float range (e.g. ``1e400``).
    """
    return to_float(parse_number(text, name, as_float=True), text, name)


def parse_float_vector(text: str, name: str) -> list[float]:
    """Parse ``"1, -2.5, 1/3"`` into floats, each inside the float range."""
    values = parse_vector(text, name, as_float=True)
    return [to_float(v, p, name) for v, p in zip(values, text.split(","), strict=True)]


def parse_vector(text: str, name: str, *, as_float: bool = False) -> list[Fraction]:
    """Parse ``"1, -2.5, 1/3"`` into exact fractions."""
    parts = [p for p in text.replace(" ", "").split(",")]
    if not parts or any(p == "" for p in parts):
        raise ValueError(f"{name}: expected comma-separated numbers such as '1,-2', got {text!r}")
    return [parse_number(p, name, as_float=as_float) for p in parts]


def parse_matrix(text: str, name: str) -> list[list[Fraction]]:
    """Parse ``"2,0;0,4"`` (rows separated by ``;``) into exact fractions."""
    rows = [parse_vector(r, name) for r in text.split(";")]
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise ValueError(f"{name}: rows have different lengths {sorted(widths)}; write e.g. '2,0;0,4'")
    return rows


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def add_class_arguments(parser: argparse.ArgumentParser, methods: tuple[str, ...]) -> None:
    """METHOD, ``--mu`` and ``--L``: a linear method on the class F(mu, L) (compare, worst-case-map)."""
    parser.add_argument("method", metavar="METHOD", help=", ".join(methods))
    parser.add_argument("--mu", required=True, metavar="X", help="strong convexity, > 0")
    parser.add_argument("--L", required=True, metavar="X", help="smoothness, > mu")


def to_jsonable(value: Any) -> Any:
    """Convert sympy / numpy / Fraction values into JSON-friendly Python objects.

    Non-finite floats (Python or numpy: nan, inf) become ``None`` (JSON ``null``):
    JSON has no token for them.
    """
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Fraction):
        return str(value) if value.denominator != 1 else value.numerator
    if isinstance(value, sp.MatrixBase):
        return [[to_jsonable(e) for e in row] for row in value.tolist()]
    if isinstance(value, sp.Basic):
        if value.is_Integer:
            return int(value)
        return str(value)
    if hasattr(value, "tolist"):
        return to_jsonable(value.tolist())
    return value


class StdoutError(Exception):
    """Writing the command's output to stdout failed (a full device, an I/O error)."""


def write_stdout(text: str) -> None:
    """Write ``text`` to stdout and flush it; a failing device raises :class:`StdoutError`.

    A closed pipe (``BrokenPipeError``) is passed through: the CLI treats it as
    the reader having had enough.
    """
    try:
        if sys.stdout is None:
            raise StdoutError("standard output is closed")
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except StdoutError:
        raise
    except OSError as exc:
        raise StdoutError(exc.strerror or str(exc)) from None


def emit(payload: Any, as_json: bool, text: str) -> None:
    """Print ``payload`` as JSON, or ``text`` for people (flushed; see :func:`write_stdout`)."""
    if as_json:
        body = json.dumps(to_jsonable(payload), indent=2, sort_keys=False, allow_nan=False)
        write_stdout(body + "\n")
    else:
        write_stdout(text.rstrip("\n") + "\n")


#: Longest exact form printed in text output (JSON always carries it).
MAX_EXACT_CHARS = 80


def exact_value(value: Any, digits: int = 12) -> dict[str, Any]:
    """An exact sympy number as ``{"exact": "1/9", "decimal": 0.111...}`` for JSON.

    ``decimal`` is the value rounded once from the exact form (``None`` when
    it is not a real number).
    """
    if isinstance(value, Fraction):
        expr = sp.Rational(value.numerator, value.denominator)
    elif isinstance(value, int):
        expr = sp.Integer(value)
    else:
        expr = value
    try:
        decimal = float(sp.N(expr, 30))
    except (TypeError, ValueError):
        decimal = None
    return {"exact": str(expr), "decimal": decimal}


def show_exact(value: Any, digits: int = 6) -> str:
    """``'1/9 = 0.111111'`` (or only the decimal when the exact form is a plain integer)."""
    pair = exact_value(value)
    if pair["decimal"] is None:
        return pair["exact"]
    decimal = f"{pair['decimal']:.{digits}g}"
    if len(pair["exact"]) > MAX_EXACT_CHARS:
        return f"{decimal} (exact form of {len(pair['exact'])} characters in --json)"
    if pair["exact"] in (decimal, f"{pair['decimal']:g}"):
        return pair["exact"]
    return f"{pair['exact']} = {decimal}"


def parse_exact(text: str, name: str) -> sp.Rational:
    """An exact rational from a number literal inside the float range (``0.1`` -> ``1/10``).

    Raises
    ------
    ValueError
        Not a number, or outside the float range (``1e999``), naming ``name``.
    """
    value = parse_number(text, name)
    to_float(value, text, name)
    return sp.Rational(value.numerator, value.denominator)


def parse_exact_list(text: str, name: str, maximum: int = 1000) -> list[sp.Rational]:
    """``"0.1,1/3"`` -> exact rationals, each inside the float range; at most ``maximum``."""
    parts = text.split(",")
    if len(parts) > maximum:
        raise ValueError(f"{name}: at most {maximum} values, got {len(parts)}")
    if any(not p.strip() for p in parts):
        raise ValueError(f"{name}: expected comma-separated numbers such as '0.1,0.2', got {text!r}")
    return [parse_exact(p, name) for p in parts]
