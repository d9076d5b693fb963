r"""Spectral radius of linear methods, evaluated on arrays from the derived closed form.

The per-step rate of a linear method on one eigen-direction
:math:`f(x) = \lambda x^2 / 2` is the spectral radius of its iteration matrix,
the largest modulus among the roots of :math:`\det(zI - R)`.  The roots come
from :mod:`optheory.symbolic` (characteristic polynomial of the update rule,
solved in closed form by ``sympy.roots``) and are compiled once per method
with ``lambdify``; they are then evaluated in complex arithmetic so that the
complex pairs of the "ripples" regime need no special case.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import sympy as sp

from optheory._checks import check_choice
from optheory.symbolic.linear import (
    BETA,
    ETA,
    LAM,
    characteristic_polynomial,
    iteration_matrix,
    method_update,
)

__all__ = ["RATE_METHODS", "root_expressions", "spectral_radius"]

#: methods accepted by :func:`spectral_radius`
RATE_METHODS: tuple[str, ...] = ("gd", "momentum", "nesterov")

# plain real symbols: the closed form must not rely on eta, lam > 0 simplifications
_E, _L, _B = sp.symbols("eta lam beta", real=True)
_Z = sp.Symbol("z")


@cache
def root_expressions(method: str) -> tuple[sp.Expr, ...]:
    r"""Closed-form eigenvalues of a method's iteration matrix (with multiplicity).

    Parameters
    ----------
    method : str
        One of :data:`RATE_METHODS`.

    Returns
    -------
    tuple of sympy.Expr
        The roots of :math:`\det(zI - R)` in real symbols ``eta``, ``lam``, ``beta``.

    Raises
    ------
    ValueError
        Unknown method.
    """
    check_choice("method", method, RATE_METHODS)
    R = iteration_matrix(*method_update(method)).xreplace({ETA: _E, LAM: _L, BETA: _B})
    p = characteristic_polynomial(R, _Z)
    roots = sp.roots(p, _Z, multiple=True)
    if len(roots) != p.degree():  # pragma: no cover - degrees 1 and 2 always solve
        raise RuntimeError(f"sympy did not solve the characteristic polynomial of {method}")
    return tuple(roots)


@cache
def _compiled(method: str, backend: str) -> Callable[..., tuple[Any, ...]]:
    roots = root_expressions(method)
    if backend == "torch":
        import torch

        sqrt: Any = torch.sqrt
    else:
        sqrt = np.sqrt
    # generated code uses only arithmetic and sqrt, mapped to the backend's sqrt
    return sp.lambdify((_E, _L, _B), roots, modules=[{"sqrt": sqrt}])  # type: ignore[no-any-return]


def _is_torch(value: Any) -> bool:
    return type(value).__module__.startswith("torch")


def spectral_radius(method: str, eta: Any, lam: Any, beta: Any = 0.0) -> Any:
    r"""Spectral radius of a linear method on :math:`f(x) = \lambda x^2/2`, broadcast.

    Parameters
    ----------
    method : str
        ``"gd"`` (:math:`x \leftarrow x - \eta g`), ``"momentum"`` (textbook
        heavy ball) or ``"nesterov"`` (``torch.optim.SGD(nesterov=True)``).
    eta : array_like or torch.Tensor
        Step sizes, > 0.
    lam : array_like or torch.Tensor
        Curvatures (any finite real; negative values describe concave directions).
    beta : array_like or torch.Tensor
        Momentum parameters (finite).  Must be 0 for ``"gd"``.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        Broadcast shape of the inputs, float64 for numpy.  If any input is a
        torch tensor the result is a real torch tensor on that tensor's device
        with its (real) floating dtype.

    Raises
    ------
    ValueError
        Unknown method, non-numeric, complex or non-finite values, ``eta <= 0``,
        ``beta != 0`` for ``"gd"``, or shapes that do not broadcast.

    Algorithm
    ---------
    :math:`\max_i |z_i|` over the closed-form roots :math:`z_i` of the
    characteristic polynomial (:func:`root_expressions`), evaluated in complex
    arithmetic (complex128 / complex64).
    """
    check_choice("method", method, RATE_METHODS)
    if any(_is_torch(v) for v in (eta, lam, beta)):
        return _spectral_radius_torch(method, eta, lam, beta)
    arrays = []
    for name, value in (("eta", eta), ("lam", lam), ("beta", beta)):
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be numbers, got {value!r}") from None
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
            raise ValueError(f"{name} must be real numbers, got dtype {arr.dtype}")
        if np.iscomplexobj(arr):
            raise ValueError(f"{name} must be real, got complex values")
        arr = arr.astype(np.float64)
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be finite")
        arrays.append(arr)
    e, lam_a, b = arrays
    _check_values(method, bool(np.all(e > 0)), bool(np.all(b == 0)))
    try:
        e, lam_a, b = np.broadcast_arrays(e, lam_a, b)
    except ValueError:
        raise ValueError(
            f"eta, lam and beta shapes do not broadcast: {e.shape}, {lam_a.shape}, {b.shape}"
        ) from None
    roots = _compiled(method, "numpy")(
        e.astype(np.complex128), lam_a.astype(np.complex128), b.astype(np.complex128)
    )
    mods = [np.abs(np.broadcast_to(r, e.shape)) for r in roots]
    return np.asarray(np.maximum.reduce(mods), dtype=np.float64)


def _check_values(method: str, eta_positive: bool, beta_zero: bool) -> None:
    if not eta_positive:
        raise ValueError("eta must be > 0")
    if method == "gd" and not beta_zero:
        raise ValueError("beta must be 0 for method 'gd' (it has no momentum)")


def _spectral_radius_torch(method: str, eta: Any, lam: Any, beta: Any) -> Any:
    import torch

    ref = next(v for v in (eta, lam, beta) if isinstance(v, torch.Tensor))
    dtype = ref.dtype if ref.dtype in (torch.float32, torch.float64) else torch.float64
    tensors = []
    for name, value in (("eta", eta), ("lam", lam), ("beta", beta)):
        if isinstance(value, torch.Tensor):
            if value.is_complex() or value.dtype == torch.bool:
                raise ValueError(f"{name} must be a real tensor, got dtype {value.dtype}")
            t = value.to(device=ref.device, dtype=dtype)
        else:
            arr = np.asarray(value)
            if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
                raise ValueError(f"{name} must be real numbers, got dtype {arr.dtype}")
            if np.iscomplexobj(arr):
                raise ValueError(f"{name} must be real, got complex values")
            t = torch.as_tensor(arr.astype(np.float64), device=ref.device).to(dtype)
        if not bool(torch.isfinite(t).all()):
            raise ValueError(f"{name} must be finite")
        tensors.append(t)
    e, lam_t, b = tensors
    _check_values(method, bool((e > 0).all()), bool((b == 0).all()))
    try:
        e, lam_t, b = torch.broadcast_tensors(e, lam_t, b)
    except RuntimeError:
        raise ValueError(
            f"eta, lam and beta shapes do not broadcast: "
            f"{tuple(e.shape)}, {tuple(lam_t.shape)}, {tuple(b.shape)}"
        ) from None
    cdtype = torch.complex128 if dtype == torch.float64 else torch.complex64
    roots = _compiled(method, "torch")(e.to(cdtype), lam_t.to(cdtype), b.to(cdtype))
    mods = [torch.broadcast_to(torch.as_tensor(r, device=ref.device), e.shape).abs() for r in roots]
    return torch.stack(mods).amax(dim=0).to(dtype)
