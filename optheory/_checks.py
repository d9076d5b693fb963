"""Input validation shared by every layer.

Every check raises :class:`ValueError` with a single line that names the
parameter and says what to change, so the CLI can print it as is.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

__all__ = [
    "check_choice",
    "check_finite",
    "check_in_range",
    "check_positive",
    "check_positive_int",
    "shown",
]


def shown(value: Any) -> str:
    """``repr`` of a user's value for a message, numpy scalars as plain numbers (1.2, not np.float64(1.2))."""
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0:
        value = value.item()
    return repr(value)


def _as_float(name: str, value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {shown(value)}") from None
    return out


def check_finite(name: str, value: Any) -> float:
    """Return ``float(value)``; raise if it is not a finite real number."""
    out = _as_float(name, value)
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {shown(value)}")
    return out


def check_positive(name: str, value: Any) -> float:
    """Return ``float(value)``; raise unless it is finite and > 0."""
    out = check_finite(name, value)
    if out <= 0:
        raise ValueError(f"{name} must be > 0, got {shown(value)}")
    return out


def check_in_range(
    name: str,
    value: Any,
    low: float,
    high: float,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``float(value)``; raise unless it lies in the interval [low, high].

    ``low_open`` / ``high_open`` exclude the corresponding end point.
    """
    out = check_finite(name, value)
    below = out <= low if low_open else out < low
    above = out >= high if high_open else out > high
    if below or above:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        raise ValueError(f"{name} must lie in {lo}{low:g}, {high:g}{hi}, got {shown(value)}")
    return out


def check_positive_int(name: str, value: Any, *, maximum: int | None = None) -> int:
    """Return ``int(value)``; raise unless it is an integer >= 1 (and <= maximum).

    Accepts any :class:`numbers.Integral` (``int``, numpy integers) and, for
    backward compatibility, floats with an integral value (``10.0``).
    """
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        raise ValueError(f"{name} must be a positive integer, got {shown(value)}")
    if isinstance(value, numbers.Integral):
        value = int(value)
    elif not isinstance(value, float) or not math.isfinite(value) or value != int(value):
        raise ValueError(f"{name} must be a positive integer, got {shown(value)}")
    out = int(value)
    if out < 1:
        raise ValueError(f"{name} must be a positive integer, got {shown(value)}")
    if maximum is not None and out > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {shown(value)}")
    return out


def check_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``; else raise listing them."""
    options = list(choices)
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"unknown {name} {shown(value)}; choose one of: {', '.join(options)}")
    return value
