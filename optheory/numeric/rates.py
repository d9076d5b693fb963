r"""Measured convergence rates.

For a linearly converging sequence :math:`|z_t| \approx C q^t`, the per-step
factor :math:`q` is read off a least-squares line through
:math:`(t, \log |z_t|)`: :math:`\log|z_t| \approx \log C + t \log q`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optheory.numeric.backend import to_numpy

__all__ = ["empirical_rate"]


def empirical_rate(values: Any, skip: int = 0) -> float:
    r"""Per-step contraction factor of a sequence, fitted on a log scale.

    Parameters
    ----------
    values : array_like
        The sequence :math:`z_0, z_1, \dots`: shape (T,), or (T, d) for vectors
        (their Euclidean norms are used).  Sign changes do not matter: only
        :math:`|z_t|` enters.
    skip : int
        Leading entries to ignore (a transient before the asymptotic regime).

    Returns
    -------
    float
        :math:`q = \exp(\hat s)` with :math:`\hat s` the least-squares slope of
        :math:`\log|z_t|` against :math:`t`; ``q < 1`` means convergence.  If an
        entry is exactly zero the sequence has reached the limit and the fit
        stops just before it.

    Raises
    ------
    ValueError
        ``skip`` negative or not an integer, values not 1-D/2-D numbers,
        non-finite values (a diverged run), or fewer than two nonzero entries
        to fit.
    """
    if isinstance(skip, bool) or not isinstance(skip, int | np.integer) or skip < 0:
        raise ValueError(f"skip must be an integer >= 0, got {skip!r}")
    try:
        arr = np.asarray(to_numpy(values), dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"values must be a sequence of numbers, got {values!r}") from None
    if arr.ndim not in (1, 2):
        raise ValueError(f"values must have shape (T,) or (T, d), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("values must be finite (found NaN or inf: the run diverged)")
    mags = np.abs(arr) if arr.ndim == 1 else np.linalg.norm(arr, axis=1)
    t = np.arange(mags.size, dtype=float)[skip:]
    mags = mags[skip:]
    zeros = np.flatnonzero(mags == 0)
    if zeros.size:
        t, mags = t[: zeros[0]], mags[: zeros[0]]
    if mags.size < 2:
        raise ValueError(
            f"values must have at least two nonzero entries after skip={skip} to fit a rate"
        )
    y = np.log(mags)
    tc = t - t.mean()
    slope = float(tc @ (y - y.mean()) / (tc @ tc))
    return float(np.exp(slope))
