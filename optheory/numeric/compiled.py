r"""Compiled (numba) steps of the fused sweep kernel; optional.

The fused kernel of :mod:`optheory.numeric.sweep` iterates the error of a
linear method through

.. math:: z_{t+1} = A \odot z_t - C \odot z_{t-1}

(and :math:`z_{t+1} = A \odot z_t` for a one-dimensional state).  numpy makes
three passes over the (settings, d) arrays per step; the loops here take
``n`` steps of one row while it sits in the L1 cache, with the same
operations in the same order (no fused multiply-add: numba does not contract
without ``fastmath``), so the iterates are bit-identical to numpy's.

numba is imported on the first request only; install it with
``pip install 'optheory[fast]'``.  The compiled code is cached on disk where
numba can write its cache, so only the first process compiles.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from typing import Any

import numpy as np

__all__ = ["import_numba", "numba_available", "recurrence_steps", "warm_up"]


def numba_available() -> bool:
    """Whether numba can be imported (without importing it)."""
    return importlib.util.find_spec("numba") is not None


def import_numba() -> Any:
    """Import numba, or raise a one-line ValueError when it is installed but broken."""
    try:
        import numba
    except ImportError as err:  # e.g. built for another numpy
        raise ValueError(
            f"numba is installed but cannot be imported ({err}); reinstall it "
            "(pip install -U 'optheory[fast]') or uninstall it to run on numpy"
        ) from None
    return numba


def _jit(fn: Any) -> Any:
    numba = import_numba()

    try:
        return numba.njit(cache=True)(fn)
    except RuntimeError:  # pragma: no cover - no writable cache location
        return numba.njit(fn)


def _two_term(A: Any, C: Any, z: Any, z_prev: Any, n: int) -> None:  # pragma: no cover
    rows, d = z.shape
    for i in range(rows):
        a, c, zi, pi = A[i], C[i], z[i], z_prev[i]
        for _ in range(n):
            for j in range(d):
                x = zi[j]
                zi[j] = a[j] * x - c[j] * pi[j]
                pi[j] = x


def _one_term(A: Any, z: Any, n: int) -> None:  # pragma: no cover
    rows, d = z.shape
    for i in range(rows):
        a, zi = A[i], z[i]
        for _ in range(n):
            for j in range(d):
                zi[j] = a[j] * zi[j]


@cache
def _kernels() -> tuple[Any, Any]:
    return _jit(_two_term), _jit(_one_term)


def warm_up() -> None:
    """Compile both kernels now (on 1 x 1 arrays), so that no timing of a run counts it."""
    one = np.ones((1, 1))
    recurrence_steps(one, one.copy(), one.copy(), one.copy(), 1)
    recurrence_steps(one, None, one.copy(), None, 1)


def recurrence_steps(A: np.ndarray, C: np.ndarray | None, z: np.ndarray,
                     z_prev: np.ndarray | None, n: int) -> None:
    """Advance the recurrence ``n`` steps in place (C-contiguous float64 (m, d) arrays).

    ``z`` ends as :math:`z_{t+n}` and ``z_prev`` as :math:`z_{t+n-1}`; with
    ``C`` None (one-dimensional state) only ``z`` is used.
    """
    two, one = _kernels()
    if C is None:
        one(A, z, n)
    else:
        two(A, C, z, z_prev, n)
