r"""Fused compiled kernels of the derived spectral radius (optional, needs numba).

The numpy evaluation of :func:`optheory.analysis.rates.modulus_form` makes
one pass over the map per operation (about eight); here the same sympy
expression, printed by ``lambdify`` as scalar Python code, is compiled by
numba into one loop that reads the inputs once and writes each radius once.
Nothing in this module knows a formula: it compiles whatever
:func:`~optheory.analysis.rates.modulus_form` derived.

numba is imported on the first kernel request only (``import optheory``
stays free of it); :func:`numba_available` tells whether it can be.  Install
it with ``pip install 'optheory[fast]'``.

Layout handled by the kernels: the map is viewed as ``R`` rows of ``C``
contiguous points (the last axis inner).  Each input is passed either as a
1-D array of one value per row (constant along the inner axis; length ``R``
or 1) or as a 2-D C-contiguous array of shape ``(R or 1, C)``; numba compiles
one specialised loop per combination, so that the inner loop reads only what
varies along it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import sympy as sp

from optheory.analysis.rates import _B, _E, _L, CENTER, PRODUCT, modulus_form
from optheory.numeric.compiled import import_numba, numba_available

__all__ = ["ENGINES", "FUSED_MIN_POINTS", "UNARY", "KernelForm", "fused_max_radius",
           "fused_radius_map", "kernel_form", "numba_available", "pick_engine",
           "scalar_radius_source"]

#: Engines of the closed-form maps.
ENGINES = ("auto", "numpy", "numba")
#: ``engine="auto"`` compiles a kernel (about a second, once per process and
#: input layout) only for maps of at least this many points; smaller maps use
#: numpy, which is faster than a compilation there.
FUSED_MIN_POINTS = 2**18


def pick_engine(engine: str, points: int) -> str:
    """Resolve ``engine`` to ``"numpy"`` or ``"numba"`` for a map of ``points`` points.

    Raises
    ------
    ValueError
        ``engine`` not in :data:`ENGINES`, or ``"numba"`` without numba installed.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}")
    if engine == "numba":
        if not numba_available():
            raise ValueError(
                "engine='numba' needs numba: pip install 'optheory[fast]', or use engine='numpy'"
            )
        return "numba"
    if engine == "auto" and points >= FUSED_MIN_POINTS and numba_available():
        return "numba"
    return "numpy"


#: Placeholders for radicals of one input (e.g. ``sqrt(beta)``), computed once
#: per input value outside the kernel; at most this many per method.
UNARY = sp.symbols("u0 u1", real=True)
_INPUTS = (_E, _L, _B)


@dataclass(frozen=True)
class KernelForm:
    r"""The derived radius as the kernels evaluate it.

    Attributes
    ----------
    expr : sympy.Expr
        :attr:`~optheory.analysis.rates.ModulusForm.radius` with the centre
        and product substituted, and each radical of a single input replaced
        by a placeholder of :data:`UNARY`.
    unary : tuple of (int, sympy.Expr)
        For each placeholder used, in order: the index of its input in
        ``(eta, lam, beta)`` and the radical it stands for.  On a grid these
        depend on one axis, so they are computed once per value of that axis
        instead of once per point (a square root costs several times a
        multiply-add).
    """

    expr: sp.Expr
    unary: tuple[tuple[int, sp.Expr], ...]


@cache
def kernel_form(method: str) -> KernelForm:
    """The radius of ``method`` (:func:`~optheory.analysis.rates.modulus_form`) for the kernels."""
    form = modulus_form(method)
    expr = form.radius.subs({CENTER: form.center, PRODUCT: form.product})
    radicals = sorted(
        (
            a for a in expr.atoms(sp.Pow)
            if not a.exp.is_integer and len(a.free_symbols) == 1
            and a.free_symbols <= set(_INPUTS)
        ),
        key=sp.default_sort_key,
    )[: len(UNARY)]
    unary = tuple((_INPUTS.index(next(iter(r.free_symbols))), r) for r in radicals)
    expr = expr.xreplace(dict(zip(radicals, UNARY, strict=False)))
    return KernelForm(expr, unary)


def scalar_radius_source(method: str, precomputed: bool = True) -> Any:
    """The kernel form as a scalar Python function ``(eta, lam, beta, u0, u1) -> rho`` (math module).

    ``lambdify`` prints the ``Piecewise`` as a conditional expression and common
    subexpressions once.  With ``precomputed`` the radicals of
    :attr:`KernelForm.unary` are read from ``u0, u1``; without, they are
    computed in place and ``u0, u1`` are ignored, as are placeholders a method
    does not use.
    """
    form = kernel_form(method)
    expr = form.expr
    if not precomputed:
        expr = expr.xreplace({u: radical for u, (_, radical) in zip(UNARY, form.unary, strict=False)})
    return sp.lambdify((*_INPUTS, *UNARY), expr, modules="math", cse=True)


def _precompute(method: str, arrays: tuple[np.ndarray, ...], points: int) -> bool:
    """Whether to compute the radicals outside the kernel: when each input they read
    has at most a quarter as many values as the map has points (a grid axis, the
    settings of a rate map), so that the saving outweighs the extra pass."""
    return all(4 * arrays[index].size <= points for index, _ in kernel_form(method).unary)


@cache
def _unary_functions(method: str) -> tuple[tuple[int, Any], ...]:
    """numpy functions of the placeholders: (input index, function of that input)."""
    return tuple(
        (index, sp.lambdify(_INPUTS[index], radical, modules="numpy"))
        for index, radical in kernel_form(method).unary
    )


def _unary_values(
    method: str, arrays: tuple[np.ndarray, ...], precomputed: bool
) -> list[np.ndarray]:
    """The placeholders' values on the inputs' own (unbroadcast) shapes; unused ones a dummy."""
    values = []
    for index, fn in _unary_functions(method) if precomputed else ():
        # a radical of a negative input is NaN there, where its branch is not taken
        with np.errstate(invalid="ignore", over="ignore"):
            values.append(np.asarray(fn(arrays[index]), dtype=np.float64))
    while len(values) < len(UNARY):
        values.append(np.zeros(1))
    return values


@cache
def _helpers() -> tuple[Any, Any]:
    """numba overloads picking a row (scalar or 1-D view) and an element of it."""
    from numba import types
    from numba.extending import overload

    # numba matches the overloads' parameters to these by name: no annotations
    def row(x, i):  # type: ignore[no-untyped-def]  # pragma: no cover - overloaded
        raise NotImplementedError

    def at(v, j):  # type: ignore[no-untyped-def]  # pragma: no cover - overloaded
        raise NotImplementedError

    @overload(row)
    def _row(x, i):  # type: ignore[no-untyped-def]
        # 1-D: one value per row (a float); 2-D: the row itself (a 1-D view)
        return lambda x, i: x[i if x.shape[0] > 1 else 0]

    @overload(at)
    def _at(v, j):  # type: ignore[no-untyped-def]
        if isinstance(v, types.Float):
            return lambda v, j: v
        return lambda v, j: v[j]

    return row, at


@cache
def _kernels(method: str, precomputed: bool) -> tuple[Any, Any]:
    """Compiled (fill, row_max) kernels of ``method``'s derived radius."""
    numba = import_numba()

    radius = numba.njit(scalar_radius_source(method, precomputed))
    row, at = _helpers()

    @numba.njit
    def fill(e: Any, l: Any, b: Any, u: Any, v: Any, out: Any) -> None:  # pragma: no cover
        n_rows, n_cols = out.shape
        for i in range(n_rows):
            er, lr, br, ur, vr, orow = row(e, i), row(l, i), row(b, i), row(u, i), row(v, i), out[i]
            for j in range(n_cols):
                orow[j] = radius(at(er, j), at(lr, j), at(br, j), at(ur, j), at(vr, j))

    @numba.njit
    def row_max(e: Any, l: Any, b: Any, u: Any, v: Any, n_cols: int, out: Any) -> None:  # pragma: no cover
        for i in range(out.shape[0]):
            er, lr, br, ur, vr = row(e, i), row(l, i), row(b, i), row(u, i), row(v, i)
            top = -math.inf
            for j in range(n_cols):
                r = radius(at(er, j), at(lr, j), at(br, j), at(ur, j), at(vr, j))
                # NaN wins, as in numpy.max
                if r > top or r != r:
                    top = r
                    if r != r:
                        break
            out[i] = top

    return fill, row_max


def _as_rows(arr: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``arr`` (broadcasting to ``shape``) in the kernels' row layout."""
    full = arr.reshape((1,) * (len(shape) - arr.ndim) + arr.shape)
    lead = shape[:-1]
    if full.shape[-1] == 1:  # constant along the inner axis: one value per row
        values = full[..., 0]
        if values.size == 1:
            return np.ascontiguousarray(values.reshape(1))
        return np.ascontiguousarray(np.broadcast_to(values, lead)).reshape(-1)
    if all(n == 1 for n in full.shape[:-1]):  # the same row for every row
        return np.ascontiguousarray(full.reshape(1, -1))
    return np.ascontiguousarray(np.broadcast_to(full, shape)).reshape(-1, shape[-1])


def fused_radius_map(
    method: str, eta: np.ndarray, lam: np.ndarray, beta: np.ndarray
) -> np.ndarray:
    r"""Spectral radius over broadcast float64 arrays by one compiled pass; no checks.

    Parameters
    ----------
    method : str
        One of :data:`~optheory.analysis.rates.RATE_METHODS`.
    eta, lam, beta : ndarray
        float64, checked by :func:`~optheory.analysis.rates.radius_inputs`;
        broadcast to a shape with at least one axis.

    Returns
    -------
    ndarray
        :math:`\rho(M(\eta, \beta, \lambda))` in the broadcast shape; equal to
        the numpy evaluation up to rounding (the same expression, possibly
        with a different order of the additions).
    """
    shape = np.broadcast_shapes(eta.shape, lam.shape, beta.shape)
    out = np.empty(shape)
    if out.size == 0:
        return out
    arrays = (eta, lam, beta)
    precomputed = _precompute(method, arrays, out.size)
    fill, _ = _kernels(method, precomputed)
    inputs = (*arrays, *_unary_values(method, arrays, precomputed))
    fill(*(_as_rows(a, shape) for a in inputs), out.reshape(-1, shape[-1]))
    return out


def fused_max_radius(
    method: str, eta: np.ndarray, lam: np.ndarray, beta: np.ndarray
) -> np.ndarray:
    r"""Largest spectral radius over the eigenvalues of each setting, one compiled pass; no checks.

    Parameters
    ----------
    method : str
        One of :data:`~optheory.analysis.rates.RATE_METHODS`.
    eta, beta : ndarray, shape (K,) or (1,)
        One value per setting (float64, checked).
    lam : ndarray, shape (d,)
        Eigenvalues (float64, checked), d >= 1.

    Returns
    -------
    ndarray, shape (K,)
        :math:`\max_i \rho(M(\eta_k, \beta_k, \lambda_i))`; NaN where any
        radius is NaN, as ``numpy.max``.
    """
    k = max(eta.size, beta.size)
    out = np.empty(k)
    if k == 0:
        return out
    rows = (eta.reshape(-1), lam.reshape(1, -1), beta.reshape(-1))  # settings are the rows
    precomputed = _precompute(method, rows, k * lam.size)
    _, row_max = _kernels(method, precomputed)
    inputs = (*rows, *_unary_values(method, rows, precomputed))
    row_max(*(np.ascontiguousarray(a) for a in inputs), lam.size, out)
    return out
