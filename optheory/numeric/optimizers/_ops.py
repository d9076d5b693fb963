"""The few array operations the optimizers need, for numpy arrays and torch tensors.

Arithmetic operators already work on both; only named functions differ, so
each helper picks ``numpy`` or ``torch`` from its argument (torch is imported
only when a tensor is passed in).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optheory.numeric.backend import backend_of, import_torch

__all__ = ["lerp", "maximum", "namespace", "power", "sign", "sqrt", "zeros_like"]


def namespace(x: Any) -> Any:
    """The module (``numpy`` or ``torch``) whose functions apply to ``x``."""
    return import_torch() if backend_of(x) == "torch" else np


def sqrt(x: Any) -> Any:
    """Elementwise square root."""
    return namespace(x).sqrt(x)


def sign(x: Any) -> Any:
    """Elementwise sign with ``sign(0) = 0``."""
    return namespace(x).sign(x)


def maximum(a: Any, b: Any) -> Any:
    """Elementwise maximum of two arrays of one backend."""
    return namespace(a).maximum(a, b)


def zeros_like(x: Any) -> Any:
    """Zeros with the shape, dtype and device of ``x``."""
    return namespace(x).zeros_like(x)


def power(base: Any, t: int) -> Any:
    """``base ** t`` for a step count ``t``.

    A Python float base uses Python's float power with a float exponent, the
    arithmetic torch.optim uses for its bias corrections.  Arrays (batched
    settings) use the array library's power, which may differ from it in the
    last bit.
    """
    if isinstance(base, float):
        return base ** float(t)
    return base**t


def lerp(start: Any, end: Any, weight: Any) -> Any:
    r"""torch's ``start.lerp(end, weight)`` with its two-branch formula.

    .. math:: \mathrm{lerp}(a, b, w) = \begin{cases} a + w (b - a) & |w| < 1/2 \\
              b - (b - a)(1 - w) & \text{otherwise} \end{cases}

    ``weight`` is a Python float or an array broadcasting against ``start``.
    """
    if isinstance(weight, float):
        if abs(weight) < 0.5:
            return start + weight * (end - start)
        return end - (end - start) * (1 - weight)
    xp = namespace(start)
    small = xp.abs(weight) < 0.5
    return xp.where(small, start + weight * (end - start), end - (end - start) * (1 - weight))
