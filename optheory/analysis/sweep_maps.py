r"""Closed-form rate maps of the linear methods over a hyperparameter grid.

On a quadratic with eigenvalues :math:`\lambda_1, \dots, \lambda_d` a linear
method (gd, heavy-ball momentum, Nesterov) decouples into d independent
iterations, so its asymptotic per-step factor is

.. math:: q(\eta, \beta) = \max_i \rho\bigl(M(\eta, \beta, \lambda_i)\bigr),

with :math:`\rho` the spectral radius derived by sympy in
:func:`optheory.analysis.rates.spectral_radius`.  Nothing is simulated here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from optheory._checks import check_choice, check_positive_int
from optheory.analysis.rates import RATE_METHODS, spectral_radius

__all__ = ["CLOSED_FORM_METHODS", "closed_form_rate", "closed_form_rows", "spectral_radius_map"]

#: Methods with a closed-form rate.
CLOSED_FORM_METHODS = RATE_METHODS
# Peak bytes per (setting, eigenvalue) pair of spectral_radius: a few complex128
# temporaries per root plus the broadcast float64 inputs.
_BYTES_PER_PAIR = 16 * 12
# Points per call of spectral_radius: its dozen complex temporaries then stay in
# a core's L2 cache instead of streaming through memory (about 2-3x faster).
BLOCK = 2**15


def closed_form_rows(dim: int, max_memory: int) -> int:
    """Settings per chunk: about ``BLOCK`` (setting, eigenvalue) pairs, under ``max_memory``."""
    return max(1, min(max_memory // (_BYTES_PER_PAIR * dim), BLOCK // dim))


def spectral_radius_map(
    method: str, eta: Any, lam: Any, beta: Any = 0.0, block: int = BLOCK
) -> np.ndarray:
    r""":func:`~optheory.analysis.rates.spectral_radius` over broadcast arrays, in cache-sized blocks.

    Parameters
    ----------
    method : {"gd", "momentum", "nesterov"}
    eta, lam, beta : array_like
        Broadcast together to the map's shape.
    block : int
        Points per call (``BLOCK`` by default).

    Returns
    -------
    ndarray
        :math:`\rho(M(\eta, \beta, \lambda))`, float64, the broadcast shape.

    Raises
    ------
    ValueError
        Shapes that do not broadcast, ``block`` < 1, and whatever
        ``spectral_radius`` rejects.
    """
    check_choice("method", method, CLOSED_FORM_METHODS)
    block = check_positive_int("block", block)
    try:
        e, lam_a, b = np.broadcast_arrays(
            np.asarray(eta, dtype=float), np.asarray(lam, dtype=float), np.asarray(beta, dtype=float)
        )
    except ValueError:
        raise ValueError("eta, lam and beta shapes do not broadcast") from None
    flat = [np.ravel(a) for a in (e, lam_a, b)]
    out = np.empty(flat[0].size)
    for lo in range(0, out.size, block):
        hi = lo + block
        out[lo:hi] = spectral_radius(method, flat[0][lo:hi], flat[1][lo:hi], flat[2][lo:hi])
    return out.reshape(e.shape)


def closed_form_rate(
    method: str,
    hyper: Mapping[str, Any],
    eigenvalues: Any,
    max_memory: int = 2**30,
) -> np.ndarray:
    r"""Closed-form asymptotic rate of each setting: the largest spectral radius over eigenvalues.

    Parameters
    ----------
    method : {"gd", "momentum", "nesterov"}
    hyper : mapping
        ``eta`` (and ``beta`` except for gd) as 1-D arrays of one length K, or
        scalars; other names are ignored.
    eigenvalues : (d,) array_like
        Eigenvalues of the quadratic.
    max_memory : int
        Bound on the bytes of one chunk of settings.

    Returns
    -------
    ndarray, shape (K,)
        :math:`\max_i \rho(M(\eta_k, \beta_k, \lambda_i))`; the per-step
        factor of :math:`\|z_t\|` for a start that excites every eigen-component.

    Raises
    ------
    ValueError
        Unknown method, missing ``eta`` (or ``beta``), values
        :func:`~optheory.analysis.rates.spectral_radius` rejects, batches of
        different lengths.
    """
    check_choice("method", method, CLOSED_FORM_METHODS)
    max_memory = check_positive_int("max_memory", max_memory)
    names = ("eta",) if method == "gd" else ("eta", "beta")
    cols = []
    for name in names:
        if name not in hyper:
            raise ValueError(f"closed_form_rate for {method} needs {name}; pass it in hyper")
        cols.append(np.atleast_1d(np.asarray(hyper[name], dtype=float)))
    if any(c.ndim != 1 for c in cols):
        raise ValueError("hyperparameters must be scalars or 1-D arrays")
    try:
        columns = np.broadcast_arrays(*cols)
    except ValueError:
        sizes = ", ".join(f"{n} has {c.size}" for n, c in zip(names, cols, strict=True))
        raise ValueError(f"batched hyperparameters must have one length; {sizes}") from None
    eta = columns[0]
    beta = columns[1] if method != "gd" else np.zeros_like(eta)
    lam = np.asarray(eigenvalues, dtype=float).reshape(1, -1)
    rows = closed_form_rows(lam.shape[1], max_memory)
    out = np.empty(eta.size)
    for lo in range(0, eta.size, rows):
        hi = min(lo + rows, eta.size)
        rho = spectral_radius(method, eta[lo:hi, None], lam, beta[lo:hi, None])
        out[lo:hi] = np.max(rho, axis=1)
    return out
