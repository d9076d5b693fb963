"""The number-in-text check: every number a sentence prints must come from a value.

Answers, claim summaries and report prose are written around computed values;
the values travel with the text (a claim's ``evidence``, an exercise's
``numbers``), and the problem's inputs are declared (a claim's statement, an
exercise's ``inputs``).  :func:`unexplained_numbers` lists the numbers of a text
that are neither: each is a typed-in number, or a computed one that the text
does not carry.

A printed number matches a value when the value, rounded to the printed
number's last digit, gives it (``0.651`` matches ``0.65132``; ``7e-05``
matches ``7.3e-05``); a percentage matches a fraction (``65%`` matches
``0.651``).  Numbers inside identifiers (``x1``, ``g_1``, ``x^2``, ``eq. (14)``)
are names, not values, and are skipped, as are the integers 0, 1 and 2, which
are structure in formulas (``1 - beta``, ``x^2``, "two runs").
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["collect_values", "numbers_in", "unexplained_numbers"]

#: a decimal number, optionally signed, with optional exponent (1e-08, 3.2e+04, 10^{-8} as 10)
_NUMBER = re.compile(
    r"(?<![\w.^{])"  # not inside an identifier, an exponent or after a decimal point
    r"(?P<num>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?:/\d+(?![.\d]))?)"
    r"(?P<pct>\\?%)?"
    r"(?![\w(])"  # not the start of an identifier (2x2, 0.1x1) or a call
)
#: rationals p/q inside evidence strings ("81/250")
_RATIONAL = re.compile(r"(?<![\w.])(\d+)/(\d+)(?![\w.])")
#: structural integers that formulas and prose use without being results
STRUCTURAL = (0.0, 1.0, 2.0)


def numbers_in(text: str) -> list[tuple[str, float]]:
    """The numbers printed in ``text``: ``(as printed, value)``, percentages as fractions."""
    cleaned = re.sub(r"10\^\{?(-?\d+)\}?", lambda m: f"1e{m.group(1)}", text)  # 10^{-8} -> 1e-8
    cleaned = re.sub(r"\\(?:frac|tfrac|dfrac)\{(\d+)\}\{(\d+)\}", r"\1/\2", cleaned)
    out = []
    for m in _NUMBER.finditer(cleaned):
        token = m.group("num")
        p, _, q = token.partition("/")
        if q:
            if float(q) == 0:  # 0/0 and the like: notation, not a value
                continue
            value = float(p) / float(q)
        else:
            value = float(token)
        if m.group("pct"):
            out.append((token + "%", value / 100))
        else:
            out.append((token, value))
    return out


def _walk(obj: Any) -> Iterator[float]:
    if isinstance(obj, bool):
        return
    if isinstance(obj, int | float):
        if math.isfinite(obj):
            yield float(obj)
        return
    if isinstance(obj, str):
        for p, q in _RATIONAL.findall(obj):
            if int(q):
                yield int(p) / int(q)
        for _, value in numbers_in(obj):
            yield value
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk(k)
            yield from _walk(v)
        return
    if isinstance(obj, list | tuple | set):
        for v in obj:
            yield from _walk(v)
        return
    try:  # numpy scalars and arrays
        import numpy as np

        arr = np.asarray(obj, dtype=float)
    except (TypeError, ValueError):
        return
    for v in arr.ravel().tolist():
        if math.isfinite(v):
            yield float(v)


def collect_values(*sources: Any) -> list[float]:
    """Every finite number inside ``sources`` (nested dicts, lists, strings with numbers)."""
    values: set[float] = set()
    for s in sources:
        for v in _walk(s):
            values.add(v)
            values.add(abs(v))
    return sorted(values)


def _printed_step(token: str) -> float:
    """Half a unit of the printed number's last digit (its rounding interval)."""
    if "/" in token:
        return 0.0  # an exact rational
    mantissa, _, exp = token.rstrip("%").lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    step = 10.0 ** (-decimals) * (10.0 ** int(exp) if exp else 1.0)
    if token.endswith("%"):
        step /= 100
    return step / 2


def _matches(token: str, value: float, candidates: Iterable[float]) -> bool:
    half = _printed_step(token)
    # the printed value is the candidate rounded to the printed digits (with slack for the
    # binary representation of the decimal boundary); integers printed with :g also match
    # integer-valued candidates exactly
    for c in candidates:
        if abs(c - value) <= half * (1 + 1e-9) + 1e-15 * abs(c):
            return True
        if c != 0 and value != 0 and not any(ch in token.lower() for ch in "e./"):
            # "%g"-style rounding to significant digits (e.g. 1673 from 1673.365)
            digits = len(token.lstrip("0").rstrip("%")) or 1
            if float(f"{abs(c):.{digits}g}") == value:
                return True
    return False


def unexplained_numbers(text: str, values: Iterable[float], inputs: Iterable[float] = ()) -> list[str]:
    """The numbers of ``text`` that are neither one of ``values`` nor a declared input.

    Parameters
    ----------
    text : str
        The sentence(s) to check.
    values : iterable of float
        The computed values the text was formatted from (see :func:`collect_values`).
    inputs : iterable of float
        The problem's declared inputs (step sizes, start points, constants of the statement).

    Returns
    -------
    list of str
        The offending numbers as printed; empty when every number is explained.
    """
    candidates = [*values, *inputs, *STRUCTURAL]
    return [token for token, value in numbers_in(text) if not _matches(token, value, candidates)]
