"""Budgets checked before the work: number literals, memory, exact symbolic work.

Every entry point estimates what an input will cost *before* doing it and
refuses, with one line naming the parameter, the limit and how to raise it,
when the estimate exceeds the budget.  The defaults fit a laptop:

* :data:`DEFAULT_MAX_MEMORY` (1 GiB) for the arrays a call allocates, its
  results included (``max_memory=`` in the API, ``--max-memory`` on the
  command line);
* number literals are judged by their written size (digits and exponent),
  never after expanding them: ``1e99999999`` is refused in microseconds.

The functions here are pure and cheap; the CLI and the API both call them.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = [
    "DEFAULT_MAX_MEMORY",
    "DEFAULT_MAX_SECONDS",
    "MAX_LITERAL_DIGITS",
    "MAX_LITERAL_EXPONENT",
    "check_literal",
    "too_many_digits",
    "check_memory",
    "format_bytes",
    "parse_memory",
    "resolve_max_memory",
]

#: Bytes of arrays one call may allocate, results included, unless raised.
DEFAULT_MAX_MEMORY = 2**30
#: Seconds a run may take, estimated after a short probe, unless raised.
DEFAULT_MAX_SECONDS = 60.0
#: Most significant digits of a number literal (integer, decimal, or each side of p/q).
MAX_LITERAL_DIGITS = 100
#: Largest magnitude of the decimal exponent of an exactly parsed literal: the
#: value is then at most about 400 digits long, cheap for exact arithmetic.
MAX_LITERAL_EXPONENT = 400
#: Largest magnitude of the decimal exponent of a float-valued literal (doubles
#: reach about 1.8e308 and 4.9e-324).
FLOAT_EXPONENT_RANGE = (-324, 308)

_DECIMAL = re.compile(
    r"\s*(?P<sign>[-+]?)(?P<int>\d*(?:_\d+)*)(?:\.(?P<frac>\d*(?:_\d+)*))?"
    r"(?:[eE](?P<exp>[-+]?\d+(?:_\d+)*))?\s*\Z"
)


def _literal_parts(text: str) -> tuple[int, int] | None:
    """(significant digits, decimal position of the leading digit) of a decimal literal.

    ``None`` when ``text`` is not a plain decimal literal (left to the caller's
    parser to reject).  The position is the power of ten of the leading
    digit: ``1234.5`` -> 3, ``0.00012`` -> -4, ``1e99999999`` -> 99999999.
    Works on the text alone, in time linear in its length.
    """
    match = _DECIMAL.match(text)
    if match is None:
        return None
    whole = (match.group("int") or "").replace("_", "")
    frac = (match.group("frac") or "").replace("_", "")
    if not whole and not frac:
        return None
    exp_text = (match.group("exp") or "0").replace("_", "")
    if len(exp_text.lstrip("+-").lstrip("0")) > 12:
        exponent = int(math.copysign(10**12, -1 if exp_text.startswith("-") else 1))
    else:
        exponent = int(exp_text)
    digits = (whole + frac).lstrip("0")
    if not digits:  # zero: the position is the written exponent (parsers still expand it)
        return 0, exponent
    significant = len(digits.rstrip("0")) or 1
    leading = len(whole.lstrip("0")) - 1 if whole.lstrip("0") else -(len(frac) - len(frac.lstrip("0")) + 1)
    return significant, leading + exponent


def too_many_digits(text: str, maximum: int) -> bool:
    """Whether the decimal literal ``text`` surely exceeds ``maximum`` (from its written size)."""
    parts = _literal_parts(text.split("/", 1)[0])
    return parts is not None and parts[0] > 0 and parts[1] > len(str(maximum))


def check_literal(text: str, name: str, *, as_float: bool = False) -> None:
    """Refuse a number literal whose written size is too large, before parsing it.

    Parameters
    ----------
    text : str
        A decimal (``-2.5e3``), integer or fraction (``1/3``) literal.
    name : str
        The parameter to name in the error (e.g. ``"--eta"``).
    as_float : bool
        The value will be used as a double: its magnitude must lie in the float
        range (about 1e-308 to 1.8e308, zero allowed) instead of the exact limit.

    Raises
    ------
    ValueError
        More than :data:`MAX_LITERAL_DIGITS` significant digits, or an exponent
        beyond :data:`MAX_LITERAL_EXPONENT` (exact) or the float range.
    """
    for part in text.split("/", 1):
        parts = _literal_parts(part)
        if parts is None:
            continue
        digits, position = parts
        if digits > MAX_LITERAL_DIGITS:
            raise ValueError(
                f"{name}: number {part.strip()[:20]!r}... has {digits} significant digits; "
                f"at most {MAX_LITERAL_DIGITS} are accepted"
            )
        if digits == 0:
            continue
        if as_float and "/" not in text:
            low, high = FLOAT_EXPONENT_RANGE
            if position > high:
                raise ValueError(
                    f"{name}: {_clip(text)} is outside the float range (about +-1.8e308)"
                )
            if position < low:
                raise ValueError(
                    f"{name}: {_clip(text)} is below the float range (smallest about 4.9e-324); "
                    "use 0 or a larger magnitude"
                )
        elif abs(position) > MAX_LITERAL_EXPONENT:
            raise ValueError(
                f"{name}: {_clip(text)} is too large for exact arithmetic (about 1e{position}); "
                f"decimal exponents are limited to +-{MAX_LITERAL_EXPONENT}"
            )


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 24 else text[:21] + "..."


_UNITS = {
    "": 1, "b": 1,
    "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
    "t": 10**12, "tb": 10**12,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
}
_MEMORY = re.compile(r"\s*(?P<number>\d+(?:\.\d*)?(?:[eE]\+?\d{1,2})?)\s*(?P<unit>[a-zA-Z]*)\s*\Z")


def parse_memory(text: str, name: str = "--max-memory") -> int:
    """Parse a memory size such as ``"1GiB"``, ``"512MB"``, ``"2e9"`` into bytes.

    Raises
    ------
    ValueError
        Not a size, an unknown unit, or less than 1 byte.
    """
    match = _MEMORY.match(text)
    unit = match.group("unit").lower() if match else ""
    if match is None or unit not in _UNITS:
        raise ValueError(
            f"{name}: {_clip(text)!r} is not a memory size; write e.g. 2GiB, 512MB or 4e9"
        )
    value = int(float(match.group("number")) * _UNITS[unit])
    if value < 1:
        raise ValueError(f"{name} must be at least 1 byte, got {text!r}")
    return value


def resolve_max_memory(max_memory: Any, name: str = "max_memory") -> int:
    """``max_memory`` as a positive int of bytes (``None`` means the default)."""
    from optheory._checks import check_positive_int

    if max_memory is None:
        return DEFAULT_MAX_MEMORY
    return check_positive_int(name, max_memory)


def format_bytes(n: float) -> str:
    """``1073741824`` -> ``"1 GiB"``, ``1.5e9`` -> ``"1.4 GiB"``."""
    if not math.isfinite(n):
        return "unbounded"
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{int(n)} B"


def check_memory(
    what: str,
    needed: float,
    max_memory: int,
    *,
    name: str = "max_memory",
    hint: str = "",
) -> None:
    """Refuse work whose arrays need more than ``max_memory`` bytes.

    Parameters
    ----------
    what : str
        What would be allocated, e.g. ``"the trajectory (10000001 x 1000 x 2 floats)"``.
    needed : float
        Estimated bytes (may be huge or inf; never allocated here).
    max_memory : int
        The budget in bytes.
    name : str
        How the caller raises the budget (``"max_memory"`` or ``"--max-memory"``).
    hint : str
        Another way out, e.g. ``"use fewer steps"``.

    Raises
    ------
    ValueError
        One line: what, the estimate, the limit, how to raise it.
    """
    if needed > max_memory:
        extra = f", or {hint}" if hint else ""
        raise ValueError(
            f"{what} needs about {format_bytes(needed)}, above {name}={format_bytes(max_memory)}; "
            f"raise {name}{extra}"
        )
