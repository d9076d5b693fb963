r"""Eigen-decomposed quadratic problems on numpy or torch arrays.

An :class:`EigenQuadratic` is

.. math:: f(x) = \tfrac12 (x - x^\star)^\top Q (x - x^\star) + h^\star,
          \qquad Q = O^\top \Lambda O,

with the eigenvalues :math:`\Lambda` and the orthonormal basis ``O`` (rows are
eigenvectors) given explicitly, so eigen-coordinates :math:`z = O(x - x^\star)`
are exact by construction.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optheory._checks import check_choice, check_positive_int
from optheory.numeric.backend import as_array, check_backend, to_numpy

__all__ = ["EigenQuadratic", "textbook_2d", "textbook_2d_rotated"]

#: Up to this dimension a numpy problem's Hessian products avoid BLAS (see
#: ``EigenQuadratic._hessian_times``); larger problems use BLAS for speed.
FIXED_ORDER_MAX_DIM = 64

_ORTHONORMAL_TOL = 1e-10


class EigenQuadratic:
    r"""Strongly convex quadratic given by its eigen-decomposition.

    Parameters
    ----------
    eigenvalues : (d,) array_like
        Eigenvalues :math:`\lambda_i > 0` of the Hessian ``Q``.
    basis : None, "identity", "random" or (d, d) array_like, optional
        Orthonormal matrix ``O`` whose rows are the eigenvectors
        (:math:`Q = O^\top \Lambda O`).  ``"random"`` draws a rotation from
        the Haar measure with ``seed``.  Identity by default.
    x_star : (d,) array_like, optional
        Minimizer (zero by default).
    h_star : float, optional
        Minimum value.
    backend : {"numpy", "torch"}
    device : str
        ``"cpu"`` or ``"cuda"`` (torch only).
    dtype : {"float64", "float32"}
    seed : int
        Seed for ``basis="random"``.

    Raises
    ------
    ValueError
        Non-finite entries, eigenvalues <= 0, a basis that is not orthonormal,
        mismatched shapes, an unknown backend, or "cuda" without a GPU.
    """

    def __init__(
        self,
        eigenvalues: Any,
        basis: Any = None,
        x_star: Any = None,
        h_star: float = 0.0,
        backend: str = "numpy",
        device: str = "cpu",
        dtype: str = "float64",
        seed: int = 0,
    ) -> None:
        check_backend(backend, device)
        check_choice("dtype", dtype, ("float64", "float32"))
        lam = _finite_vector("eigenvalues", eigenvalues)
        if np.any(lam <= 0):
            bad = float(lam[lam <= 0][0])
            raise ValueError(
                f"eigenvalues must be > 0 for a strongly convex problem, got {bad:g}"
            )
        d = lam.size
        O = _basis_matrix(basis, d, seed)
        xs = np.zeros(d) if x_star is None else _finite_vector("x_star", x_star)
        if xs.size != d:
            raise ValueError(f"x_star has {xs.size} entries but there are {d} eigenvalues")
        hs = float(h_star)
        if not np.isfinite(hs):
            raise ValueError(f"h_star must be finite, got {h_star!r}")
        self.backend = backend
        self.device = device
        self.dtype = dtype
        self.dim = d
        self._lam = lam
        self._O = O
        self._xs = xs
        self.h_star = hs
        self._diagonal = bool(np.array_equal(O, np.eye(d)))
        Q = _fixed_order_quadratic_form(O, lam)
        self._Q = (Q + Q.T) / 2
        self.eigenvalues = self._to(lam)
        self.basis = self._to(O)
        self.x_star = self._to(xs)
        self.Q = self._to(self._Q)

    @classmethod
    def from_matrix(
        cls,
        Q: Any,
        c: Any = None,
        b: float = 0.0,
        backend: str = "numpy",
        device: str = "cpu",
        dtype: str = "float64",
    ) -> EigenQuadratic:
        r"""Build from :math:`h(x) = \tfrac12 x^\top Q x + c^\top x + b`.

        Uses the symmetric eigendecomposition ``numpy.linalg.eigh``;
        :math:`x^\star = -Q^{-1}c` and :math:`h^\star = b + \tfrac12 c^\top x^\star`.
        """
        Qa = np.asarray(to_numpy(Q), dtype=float)
        if Qa.ndim != 2 or Qa.shape[0] != Qa.shape[1] or Qa.shape[0] == 0:
            raise ValueError(f"Q must be a square (d, d) matrix, got shape {Qa.shape}")
        if not np.all(np.isfinite(Qa)):
            raise ValueError("Q must contain only finite numbers (found NaN or inf)")
        scale = max(1.0, float(np.max(np.abs(Qa))))
        if not np.allclose(Qa, Qa.T, rtol=0, atol=1e-12 * scale):
            i, j = np.argwhere(~np.isclose(Qa, Qa.T, rtol=0, atol=1e-12 * scale))[0]
            raise ValueError(
                f"Q must be symmetric: Q[{i},{j}] = {Qa[i, j]:g} but Q[{j},{i}] = {Qa[j, i]:g}"
            )
        d = Qa.shape[0]
        ca = np.zeros(d) if c is None else _finite_vector("c", c)
        if ca.size != d:
            raise ValueError(f"c has {ca.size} entries but Q is {d} x {d}")
        lam, V = np.linalg.eigh((Qa + Qa.T) / 2)
        if np.any(lam <= 0):
            raise ValueError(
                f"Q must be positive definite; it has the eigenvalue {float(lam.min()):.6g} <= 0"
            )
        x_star = -np.linalg.solve(Qa, ca)
        h_star = float(b) + 0.5 * float(ca @ x_star)
        problem = cls(lam, V.T, x_star, h_star, backend=backend, device=device, dtype=dtype)
        # Keep the user's Q itself for gradients, so e.g. the rotated textbook
        # problem gives exactly the gradient its hand-written formula gives.
        problem._Q = Qa
        problem.Q = problem._to(Qa)
        return problem

    # -- conversions ---------------------------------------------------------
    def _to(self, a: Any) -> Any:
        return as_array(a, self.backend, self.device, self.dtype)

    def _check_points(self, x: Any, name: str = "x") -> Any:
        arr = self._to(x)
        if arr.ndim == 0 or arr.shape[-1] != self.dim:
            raise ValueError(
                f"{name} must have shape (..., {self.dim}), got {tuple(arr.shape)}"
            )
        return arr

    # -- the problem ---------------------------------------------------------
    def f(self, x: Any) -> Any:
        r"""Objective values, shape ``x.shape[:-1]``: :math:`\tfrac12 r^\top Q r + h^\star`."""
        r = self._check_points(x) - self.x_star
        if self._diagonal:
            return 0.5 * (r * r * self.eigenvalues).sum(-1) + self.h_star
        return 0.5 * (r * self._hessian_times(r)).sum(-1) + self.h_star

    def grad(self, x: Any) -> Any:
        r"""Gradients :math:`Q (x - x^\star)`, same shape as ``x``."""
        r = self._check_points(x) - self.x_star
        if self._diagonal:
            return self.eigenvalues * r
        return self._hessian_times(r)

    def _hessian_times(self, r: Any) -> Any:
        """``r @ Q`` for points of shape (..., d).

        On numpy and up to ``FIXED_ORDER_MAX_DIM`` coordinates the products are
        summed by elementwise operations in a fixed order instead of BLAS, whose
        kernels (and so the last bits) change with the CPU and with the shape
        of ``r``: a (K, d) batch then rounds exactly like K separate points, on
        every x86-64 CPU.
        """
        if self.backend != "numpy" or self.dim > FIXED_ORDER_MAX_DIM:
            return r @ self.Q
        Q = self.Q
        out = r[..., 0:1] * Q[0]
        for j in range(1, self.dim):
            out = out + r[..., j : j + 1] * Q[j]
        return out

    def hessian(self) -> Any:
        """The Hessian ``Q`` as a (d, d) array of the problem's backend."""
        return self.Q

    def to_eigen(self, x: Any) -> Any:
        r"""Eigen-coordinates :math:`z = O (x - x^\star)` of points of shape (..., d)."""
        return (self._check_points(x) - self.x_star) @ self.basis.T

    def from_eigen(self, z: Any) -> Any:
        r"""Inverse of :meth:`to_eigen`: :math:`x = O^\top z + x^\star`."""
        return self._check_points(z, "z") @ self.basis + self.x_star

    def with_backend(self, backend: str, device: str = "cpu") -> EigenQuadratic:
        """The same problem on another backend or device."""
        return EigenQuadratic(
            self._lam, self._O, self._xs, self.h_star, backend=backend, device=device,
            dtype=self.dtype,
        )

    @property
    def condition_number(self) -> float:
        """:math:`\\lambda_{max} / \\lambda_{min}`."""
        return float(self._lam.max() / self._lam.min())

    def __repr__(self) -> str:
        return (
            f"EigenQuadratic(eigenvalues={self._lam.tolist()}, dim={self.dim}, "
            f"backend={self.backend!r}, device={self.device!r})"
        )


def _finite_vector(name: str, value: Any) -> np.ndarray:
    try:
        arr = np.asarray(to_numpy(value), dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a 1-D sequence of numbers, got {value!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers (found NaN or inf)")
    return arr


def _basis_matrix(basis: Any, d: int, seed: int) -> np.ndarray:
    if basis is None or (isinstance(basis, str) and basis == "identity"):
        return np.eye(d)
    if isinstance(basis, str):
        check_choice("basis", basis, ("identity", "random"))
        check_positive_int("seed + 1", seed + 1)
        return _random_rotation(d, seed)
    O = np.asarray(to_numpy(basis), dtype=float)
    if O.shape != (d, d):
        raise ValueError(f"basis must have shape ({d}, {d}) to match the eigenvalues, got {O.shape}")
    if not np.all(np.isfinite(O)):
        raise ValueError("basis must contain only finite numbers (found NaN or inf)")
    err = float(np.max(np.abs(O @ O.T - np.eye(d))))
    if err > _ORTHONORMAL_TOL:
        raise ValueError(
            f"basis must be orthonormal (O @ O.T = I); deviation is {err:.3g}, "
            "use e.g. numpy.linalg.qr to orthonormalise it"
        )
    return O


def _random_rotation(d: int, seed: int) -> np.ndarray:
    # The Q factor of a Gaussian matrix with a positive diagonal in R is Haar distributed.
    rng = np.random.default_rng(seed)
    g = rng.standard_normal((d, d))
    if d > FIXED_ORDER_MAX_DIM:
        q, r = np.linalg.qr(g)
        return np.asarray(q * np.sign(np.diag(r)), dtype=float)
    # Modified Gram-Schmidt on the columns with sequential (cumsum) dot products:
    # LAPACK's QR rounds differently on different CPUs, this does not.
    cols = [g[:, j].copy() for j in range(d)]
    for j in range(d):
        for i in range(j):
            cols[j] = cols[j] - _fixed_dot(cols[i], cols[j]) * cols[i]
        cols[j] = cols[j] / np.sqrt(_fixed_dot(cols[j], cols[j]))
    return np.stack(cols, axis=1)


def _fixed_dot(u: np.ndarray, v: np.ndarray) -> float:
    """Dot product summed left to right (a cumulative sum has one fixed order)."""
    return float(np.cumsum(u * v)[-1])


def _fixed_order_quadratic_form(O: np.ndarray, lam: np.ndarray) -> np.ndarray:
    r""":math:`O^\top \Lambda O` as a sum of rank-one terms in a fixed order (no BLAS)."""
    if O.shape[0] > FIXED_ORDER_MAX_DIM:
        return np.asarray((O.T * lam) @ O)
    Q = np.zeros_like(O)
    for k in range(O.shape[0]):
        Q = Q + lam[k] * np.outer(O[k], O[k])
    return Q


def textbook_2d(backend: str = "numpy", device: str = "cpu") -> EigenQuadratic:
    r"""The textbook's ill-conditioned 2-D problem :math:`f = 0.1 x_1^2 + 2 x_2^2`.

    Section "Momentum" of the textbook: eigenvalues 0.2 and 4, axis-aligned.

    Parameters
    ----------
    backend : {"numpy", "torch"}
    device : str
        ``"cpu"``, or ``"cuda"`` with torch.

    Returns
    -------
    EigenQuadratic

    Raises
    ------
    ValueError
        Unknown backend or device, or "cuda" without a GPU.
    """
    return EigenQuadratic([0.2, 4.0], backend=backend, device=device)


def textbook_2d_rotated(backend: str = "numpy", device: str = "cpu") -> EigenQuadratic:
    r"""The 45-degree rotation :math:`f = 0.1 (x_1 + x_2)^2 + 2 (x_1 - x_2)^2`.

    Built from its Hessian :math:`Q = [[4.2, -3.8], [-3.8, 4.2]]`, whose
    eigenvalues are 0.4 and 8 along :math:`(1, 1)/\sqrt2` and :math:`(1, -1)/\sqrt2`
    (a rotation *and* a doubling of the curvatures of :func:`textbook_2d`).

    Parameters
    ----------
    backend : {"numpy", "torch"}
    device : str
        ``"cpu"``, or ``"cuda"`` with torch.

    Returns
    -------
    EigenQuadratic

    Raises
    ------
    ValueError
        Unknown backend or device, or "cuda" without a GPU.
    """
    return EigenQuadratic.from_matrix(
        [[4.2, -3.8], [-3.8, 4.2]], [0.0, 0.0], 0.0, backend=backend, device=device
    )
