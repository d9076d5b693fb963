r"""An axis-aligned quadratic whose gradients carry Gaussian noise.

.. math:: f(x) = \tfrac12 \sum_i \lambda_i x_i^2, \qquad
          g(x) = \nabla f(x) + \sigma \xi, \quad \xi \sim N(0, I),

the model of a stochastic gradient used by the exercises and the claims
(stationary variance of SGD and momentum, AdaGrad's accumulator, Adam's noise
floor).  Usable wherever :func:`optheory.numeric.run.run` takes a problem.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optheory._checks import check_choice, check_in_range
from optheory.numeric.backend import as_array, check_backend

__all__ = ["NoisyQuadratic"]


class NoisyQuadratic:
    r"""Quadratic :math:`\tfrac12 \sum_i \lambda_i x_i^2` with noisy gradients.

    Every call of :meth:`grad` draws fresh noise of the iterate's shape from
    ``numpy.random.default_rng(seed)``, created once, so a run is reproducible
    and the same on every backend (the draws are made in numpy and converted).
    :meth:`f` is noiseless.

    Parameters
    ----------
    eigenvalues : (d,) array_like
        Curvatures :math:`\lambda_i \ge 0`; 0 gives a pure-noise coordinate.
    sigma : float
        Standard deviation of the noise (>= 0).
    seed : int
        Seed of the noise generator (>= 0).
    backend : {"numpy", "torch"}
    device : str
        ``"cpu"`` or ``"cuda"`` (torch only).
    dtype : {"float64", "float32"}

    Raises
    ------
    ValueError
        Non-finite or negative eigenvalues, a bad sigma or seed, an unknown
        backend or dtype, or "cuda" without a GPU.
    """

    def __init__(
        self,
        eigenvalues: Any,
        sigma: float,
        seed: int,
        backend: str = "numpy",
        device: str = "cpu",
        dtype: str = "float64",
    ) -> None:
        check_backend(backend, device)
        check_choice("dtype", dtype, ("float64", "float32"))
        try:
            lam = np.asarray(eigenvalues, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(
                f"eigenvalues must be a 1-D sequence of numbers, got {eigenvalues!r}"
            ) from None
        if lam.ndim != 1 or lam.size == 0:
            raise ValueError(f"eigenvalues must be a non-empty 1-D sequence, got shape {lam.shape}")
        if not np.all(np.isfinite(lam)):
            raise ValueError("eigenvalues must contain only finite numbers (found NaN or inf)")
        if np.any(lam < 0):
            raise ValueError(f"eigenvalues must be >= 0, got {float(lam[lam < 0][0]):g}")
        sigma_value = check_in_range("sigma", sigma, 0.0, float("inf"))
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
        self.backend = backend
        self.device = device
        self.dtype = dtype
        self.dim = int(lam.size)
        self.sigma = sigma_value
        self.seed = int(seed)
        self.lams = lam
        self.eigenvalues = as_array(lam, backend, device, dtype)
        self._rng = np.random.default_rng(self.seed)

    def _check_points(self, x: Any) -> Any:
        arr = as_array(x, self.backend, self.device, self.dtype)
        if arr.ndim == 0 or arr.shape[-1] != self.dim:
            raise ValueError(f"x must have shape (..., {self.dim}), got {tuple(arr.shape)}")
        return arr

    def f(self, x: Any) -> Any:
        r"""Noiseless values :math:`\tfrac12 \sum_i \lambda_i x_i^2`, shape ``x.shape[:-1]``."""
        arr = self._check_points(x)
        return 0.5 * (arr * arr * self.eigenvalues).sum(-1)

    def grad(self, x: Any) -> Any:
        r"""Noisy gradients :math:`\lambda \odot x + \sigma \xi`, same shape as ``x``."""
        arr = self._check_points(x)
        noise = self._rng.standard_normal(tuple(arr.shape))
        return self.eigenvalues * arr + self.sigma * as_array(
            noise, self.backend, self.device, self.dtype
        )

    def __repr__(self) -> str:
        return (
            f"NoisyQuadratic(eigenvalues={self.lams.tolist()}, sigma={self.sigma:g}, "
            f"seed={self.seed}, backend={self.backend!r})"
        )
