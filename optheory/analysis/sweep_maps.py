r"""Closed-form rate maps of the linear methods over a hyperparameter grid.

On a quadratic with eigenvalues :math:`\lambda_1, \dots, \lambda_d` a linear
method (gd, heavy-ball momentum, Nesterov) decouples into d independent
iterations, so its asymptotic per-step factor is

.. math:: q(\eta, \beta) = \max_i \rho\bigl(M(\eta, \beta, \lambda_i)\bigr),

with :math:`\rho` the spectral radius derived by sympy
(:func:`optheory.analysis.rates.modulus_form`), evaluated here in real
arithmetic: by numpy (:func:`optheory.analysis.rates.real_radius_evaluator`)
over cache-sized blocks, or, with numba installed, by one compiled pass
(:mod:`optheory.analysis.radius_kernels`).  Nothing is simulated here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from optheory._checks import check_positive_int
from optheory.analysis.radius_kernels import fused_max_radius, fused_radius_map, pick_engine
from optheory.analysis.rates import RATE_METHODS, radius_inputs, real_radius_evaluator
from optheory.methods import check_method

__all__ = ["CLOSED_FORM_METHODS", "closed_form_rate", "closed_form_rows", "spectral_radius_map"]

#: Methods with a closed-form rate.
CLOSED_FORM_METHODS = RATE_METHODS
# Peak bytes per (setting, eigenvalue) pair of the evaluator: about ten float64
# temporaries, plus the inputs.
_BYTES_PER_PAIR = 8 * 16
#: Points per block: the evaluator's ten or so temporaries (128 KiB each) stay
#: in a core's L2 cache.  Measured on a 1000 x 1000 grid: 2^12 points per block
#: ~1.5x slower (per-call overhead), 2^13 ~1.3x, 2^15 about the same as 2^14 in
#: most runs but up to ~4x slower in some (256 KiB temporaries sit above glibc's
#: default mmap threshold, so each may be mapped and page-faulted afresh).
BLOCK = 2**14


def closed_form_rows(dim: int, max_memory: int) -> int:
    """Settings per chunk: about ``BLOCK`` (setting, eigenvalue) pairs, under ``max_memory``."""
    return max(1, min(max_memory // (_BYTES_PER_PAIR * dim), BLOCK // dim))


def spectral_radius_map(
    method: str, eta: Any, lam: Any, beta: Any = 0.0, block: int = BLOCK, engine: str = "auto"
) -> np.ndarray:
    r"""Spectral radius over broadcast arrays, in real arithmetic.

    Parameters
    ----------
    method : {"gd", "momentum", "nesterov"}
    eta, lam, beta : array_like
        Broadcast together to the map's shape.  Grid axes are best passed
        unbroadcast (e.g. ``eta[:, None]``, ``beta[None, :]``): the parts of
        the formula that depend on one axis are then computed once per block
        on that axis alone.
    block : int
        Points per block of the numpy engine (``BLOCK`` by default).
    engine : {"auto", "numpy", "numba"}
        ``"numpy"``: the derived expression evaluated operation by operation
        over cache-sized blocks.  ``"numba"``: the same expression compiled
        into one pass (needs numba, ``pip install 'optheory[fast]'``; the
        first call per process and input layout compiles, about a second).
        ``"auto"`` (default): numba for maps of at least
        :data:`~optheory.analysis.radius_kernels.FUSED_MIN_POINTS` points when
        it is installed, else numpy.

    Returns
    -------
    ndarray
        :math:`\rho(M(\eta, \beta, \lambda))`, float64, the broadcast shape;
        equal to :func:`~optheory.analysis.rates.spectral_radius` up to
        rounding (see :func:`~optheory.analysis.rates.spectral_radius_real`);
        the two engines agree to rounding.

    Raises
    ------
    ValueError
        Shapes that do not broadcast, ``block`` < 1, an unknown ``engine`` or
        ``"numba"`` without numba, and whatever ``spectral_radius`` rejects.
    """
    check_method(method, "rate")
    block = check_positive_int("block", block)
    try:
        arrays = radius_inputs(method, eta, lam, beta)
    except ValueError as err:
        if "broadcast" in str(err):
            raise ValueError("eta, lam and beta shapes do not broadcast") from None
        raise
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    if pick_engine(engine, math.prod(shape)) == "numba" and shape:
        return fused_radius_map(method, *arrays)
    evaluate = real_radius_evaluator(method)
    if not shape:
        return np.array(evaluate(*arrays), dtype=np.float64)
    out = np.empty(shape)
    inner = math.prod(shape[1:])
    if inner > block:
        # rows too long for a block: flatten the broadcast arrays, block the flat index
        flat = [np.ravel(np.broadcast_to(a, shape)) for a in arrays]
        view = out.reshape(-1)
        for lo in range(0, view.size, block):
            view[lo : lo + block] = evaluate(*(f[lo : lo + block] for f in flat))
        return out
    # block along the first axis; an input constant along it is passed whole
    full = [a.reshape((1,) * (len(shape) - a.ndim) + a.shape) for a in arrays]
    rows = max(1, block // max(inner, 1))
    for lo in range(0, shape[0], rows):
        hi = min(lo + rows, shape[0])
        parts = (a if a.shape[0] == 1 else a[lo:hi] for a in full)
        out[lo:hi] = evaluate(*parts)
    return out


def closed_form_rate(
    method: str,
    hyper: Mapping[str, Any],
    eigenvalues: Any,
    max_memory: int = 2**30,
    engine: str = "auto",
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
        Bound on the bytes of one chunk of settings (numpy engine; the numba
        engine needs no temporaries).
    engine : {"auto", "numpy", "numba"}
        As for :func:`spectral_radius_map`, counting K d points.

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
        different lengths, an unknown ``engine`` or ``"numba"`` without numba.
    """
    check_method(method, "rate")
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
    eta, lam, beta = radius_inputs(method, eta[:, None], lam, beta[:, None])
    if lam.size == 0:
        raise ValueError("eigenvalues must not be empty")
    if pick_engine(engine, eta.shape[0] * lam.size) == "numba":
        return fused_max_radius(method, eta, lam, beta)
    evaluate = real_radius_evaluator(method)
    rows = closed_form_rows(lam.shape[1], max_memory)
    out = np.empty(eta.shape[0])
    for lo in range(0, out.size, rows):
        hi = min(lo + rows, out.size)
        rho = evaluate(eta[lo:hi], lam, beta[lo:hi])
        out[lo:hi] = np.max(np.broadcast_to(rho, (hi - lo, lam.shape[1])), axis=1)
    return out
