"""Detect limit cycles at the end of a trajectory."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optheory._checks import check_positive, check_positive_int

__all__ = ["Cycle", "find_cycle"]


@dataclass(frozen=True)
class Cycle:
    """A period-``period`` orbit: ``points`` are the iterates of one period."""

    period: int
    points: np.ndarray
    max_mismatch: float


def find_cycle(
    x: np.ndarray, max_period: int = 50, tol: float = 1e-9, repeats: int = 5
) -> Cycle | None:
    """Find the smallest period p with ``x[t + p] == x[t]`` (to ``tol``) at the end.

    The last ``repeats * p`` iterates must repeat with period ``p``; a fixed
    point (p = 1) is reported as a cycle of period 1, so callers can tell
    convergence and cycling apart.

    Parameters
    ----------
    x : (T + 1, d) or (T + 1,) array
        A trajectory.
    max_period : int
    tol : float
        Largest allowed absolute mismatch between ``x[t]`` and ``x[t + p]``.
    repeats : int
        How many periods must repeat.

    Raises
    ------
    ValueError
        Empty or wrongly shaped ``x``; bad ``max_period``, ``tol``, ``repeats``.
    """
    max_period = check_positive_int("max_period", max_period)
    repeats = check_positive_int("repeats", repeats)
    tol = check_positive("tol", tol)
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"x must be a non-empty (T + 1, d) or (T + 1,) trajectory, got shape {arr.shape}")
    if not np.all(np.isfinite(arr[-1])):
        return None
    for p in range(1, max_period + 1):
        window = (repeats + 1) * p
        if window > arr.shape[0]:
            break
        tail = arr[-window:]
        mismatch = float(np.max(np.abs(tail[p:] - tail[:-p])))
        if mismatch <= tol:
            return Cycle(p, arr[-p:].copy(), mismatch)
    return None
