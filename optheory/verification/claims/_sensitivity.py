"""Witness helpers for claims whose runs may amplify rounding.

Two runs of *different* recursions can end far apart for two reasons: the
recursions differ, or the dynamics amplified last-bit differences (see
:mod:`optheory.numeric.lyapunov`).  Only the first supports a claim that they
differ, so the gap must appear while the runs are still inside the rounding
horizon: at a step where it exceeds what rounding, propagated by the
Jacobians along the run, can produce.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optheory.numeric.lyapunov import SAFETY, SensitivityRun

__all__ = ["first_gap_beyond_rounding"]


def first_gap_beyond_rounding(a: Any, b: Any, sens: SensitivityRun) -> int | None:
    """First step at which runs ``a`` and ``b`` differ by more than rounding explains.

    Parameters
    ----------
    a, b : array_like, shape (steps + 1, d)
        The iterates of the two runs (same start).
    sens : SensitivityRun
        The sensitivity of one of them (its predicted rounding gap).

    Returns
    -------
    int or None
        The step, or None when every gap lies within ``SAFETY`` times the
        predicted rounding gap (the runs may be the same recursion).
    """
    xa, xb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n = min(xa.shape[0], xb.shape[0], sens.rounding_gap.shape[0])
    gap = np.linalg.norm(xa[:n] - xb[:n], axis=1)
    allowed = SAFETY * sens.rounding_gap[:n]
    with np.errstate(invalid="ignore"):
        over = np.flatnonzero(gap > allowed)
    return int(over[0]) if over.size else None
