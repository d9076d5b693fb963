r"""Spectral radius of linear methods, evaluated on arrays from the derived closed form.

The per-step rate of a linear method on one eigen-direction
:math:`f(x) = \lambda x^2 / 2` is the spectral radius of its iteration matrix,
the largest modulus among the roots of :math:`\det(zI - R)`.  The roots come
from :mod:`optheory.symbolic` (characteristic polynomial of the update rule,
solved in closed form by ``sympy.roots``) and are compiled once per method
with ``lambdify``; they are then evaluated in complex arithmetic so that the
complex pairs of the "ripples" regime need no special case.

A faster real-arithmetic path (:func:`spectral_radius_real`) evaluates the
same spectral radius from :func:`modulus_form`: sympy rewrites the roots as
:math:`h \pm \delta` with radical-free :math:`h` and :math:`\delta^2`, derives
the largest modulus in the real and in the complex regime, and the resulting
``Piecewise`` is compiled to numpy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, reduce
from typing import Any

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from optheory.methods import check_method, methods_with
from optheory.symbolic.linear import (
    BETA,
    ETA,
    LAM,
    characteristic_polynomial,
    iteration_matrix,
    method_update,
)

__all__ = [
    "RATE_METHODS",
    "ModulusForm",
    "modulus_form",
    "radius_inputs",
    "real_radius_evaluator",
    "root_expressions",
    "spectral_radius",
    "spectral_radius_real",
]

#: methods accepted by :func:`spectral_radius`
RATE_METHODS: tuple[str, ...] = methods_with("rate")

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
    check_method(method, "rate")
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
        with its (real) floating dtype.  Inputs so large that the closed form
        overflows (e.g. ``eta = lam = 1e308``) give ``inf`` (or ``nan``), without a warning.

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
    check_method(method, "rate")
    if any(_is_torch(v) for v in (eta, lam, beta)):
        return _spectral_radius_torch(method, eta, lam, beta)
    e, lam_a, b = radius_inputs(method, eta, lam, beta)
    e, lam_a, b = np.broadcast_arrays(e, lam_a, b)
    # Huge finite inputs overflow to inf (documented); no warning should leak.
    with np.errstate(over="ignore", invalid="ignore"):
        roots = _compiled(method, "numpy")(
            e.astype(np.complex128), lam_a.astype(np.complex128), b.astype(np.complex128)
        )
        mods = [np.abs(np.broadcast_to(r, e.shape)) for r in roots]
    return np.asarray(np.maximum.reduce(mods), dtype=np.float64)


def radius_inputs(
    method: str, eta: Any, lam: Any, beta: Any = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check the inputs of :func:`spectral_radius` (numpy): float64 arrays, not broadcast.

    Returns
    -------
    eta, lam, beta : ndarray
        float64, each in its own shape (the shapes are checked to broadcast).

    Raises
    ------
    ValueError
        As :func:`spectral_radius`.
    """
    check_method(method, "rate")
    arrays, bounds = [], []
    for name, value in (("eta", eta), ("lam", lam), ("beta", beta)):
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be numbers, got {value!r}") from None
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
            raise ValueError(f"{name} must be real numbers, got dtype {arr.dtype}")
        if np.iscomplexobj(arr):
            raise ValueError(f"{name} must be real, got complex values")
        arr = np.asarray(arr, dtype=np.float64)  # no copy when already float64
        # min and max propagate NaN: both finite iff every value is (two
        # reductions, no temporaries, so large maps are checked cheaply)
        lo, hi = (arr.min(), arr.max()) if arr.size else (1.0, 1.0)
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise ValueError(f"{name} must be finite")
        arrays.append(arr)
        bounds.append((lo, hi))
    e, lam_a, b = arrays
    _check_values(method, bool(bounds[0][0] > 0), bool(bounds[2][0] == bounds[2][1] == 0))
    try:
        np.broadcast_shapes(e.shape, lam_a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"eta, lam and beta shapes do not broadcast: {e.shape}, {lam_a.shape}, {b.shape}"
        ) from None
    return e, lam_a, b


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


# -- real-arithmetic path ------------------------------------------------------------

#: symbols of :attr:`ModulusForm.radius`: the roots' centre h and product p
CENTER, PRODUCT = sp.symbols("h p", real=True)


@dataclass(frozen=True)
class ModulusForm:
    r"""The spectral radius of a method as a function of two radical-free quantities.

    Attributes
    ----------
    center : sympy.Expr
        :math:`h = (z_1 + z_2)/2` in ``eta``, ``lam``, ``beta`` (the root itself
        for a degree-1 polynomial).
    product : sympy.Expr
        :math:`p = z_1 z_2` (``center**2`` for degree 1).
    radius : sympy.Expr
        :math:`\max_i |z_i|` in the symbols :data:`CENTER` (h) and
        :data:`PRODUCT` (p): a ``Piecewise`` over the sign of
        :math:`\delta^2 = h^2 - p` for degree 2.
    """

    center: sp.Expr
    product: sp.Expr
    radius: sp.Expr


def _has_radical(expr: sp.Expr) -> bool:
    return any(not a.exp.is_integer for a in expr.atoms(sp.Pow))


@cache
def modulus_form(method: str) -> ModulusForm:
    r"""Derive the spectral radius of a method in real arithmetic, from its roots.

    Parameters
    ----------
    method : str
        One of :data:`RATE_METHODS`.

    Returns
    -------
    ModulusForm

    Raises
    ------
    ValueError
        Unknown method.

    Algorithm
    ---------
    The roots :math:`z_{1,2}` of :func:`root_expressions` are
    :math:`h \pm \delta` with :math:`h = (z_1 + z_2)/2` and
    :math:`\delta = (z_1 - z_2)/2`; sympy expands :math:`h`, :math:`p = z_1 z_2`
    and :math:`\delta^2`, checks that none holds a radical (so all three are
    real for real inputs) and that :math:`\delta^2 = h^2 - p`.  Then

    * real regime :math:`\delta^2 \ge 0`: :math:`\delta = \pm t`, :math:`t \ge 0`;
      writing :math:`h = \pm a` with :math:`a = |h|`, sympy folds
      :math:`\max(|{\pm a} + t|, |{\pm a} - t|)` (each ``Abs`` as a ``Piecewise``)
      for both signs and must find one expression, :math:`a + t`;
    * complex regime :math:`\delta^2 < 0`: :math:`\delta = \pm i w`, :math:`w > 0`;
      sympy computes :math:`|h \pm i w|` and substitutes
      :math:`w^2 = -\delta^2 = p - h^2`.

    The two results make the ``Piecewise`` :attr:`ModulusForm.radius`.
    """
    check_method(method, "rate")
    roots = root_expressions(method)
    if len(roots) == 1:
        (root,) = roots
        return ModulusForm(sp.expand(root), sp.expand(root**2), sp.Abs(CENTER))
    if len(roots) != 2:  # pragma: no cover - the linear methods have 1- or 2-dim states
        raise RuntimeError(f"{method}: the real path handles degrees 1 and 2")
    z1, z2 = roots
    h = sp.expand((z1 + z2) / 2)
    p = sp.expand(z1 * z2)
    d2 = sp.expand(((z1 - z2) / 2) ** 2)
    if any(_has_radical(x) for x in (h, p, d2)) or sp.expand(h**2 - p - d2) != 0:
        raise RuntimeError(f"{method}: unexpected form of the roots")  # pragma: no cover
    a, t = sp.symbols("a t", nonnegative=True)
    real = {
        sp.piecewise_fold(
            sp.Max(*(sp.Abs(sign * a + e * t).rewrite(sp.Piecewise) for e in (1, -1)))
        )
        for sign in (1, -1)
    }
    if len(real) != 1 or next(iter(real)).has(sp.Piecewise):  # pragma: no cover
        raise RuntimeError(f"{method}: no single modulus in the real regime")
    delta2 = CENTER**2 - PRODUCT
    real_mod = next(iter(real)).subs({a: sp.Abs(CENTER), t: sp.sqrt(delta2)})
    w = sp.Symbol("w", positive=True)
    pair = {sp.Abs(CENTER + e * sp.I * w) for e in (1, -1)}
    if len(pair) != 1:  # pragma: no cover - conjugates have one modulus
        raise RuntimeError(f"{method}: the complex pair has two moduli")
    complex_mod = next(iter(pair)).subs(w, sp.sqrt(-delta2))
    radius = sp.Piecewise((complex_mod, delta2 < 0), (real_mod, True))
    return ModulusForm(h, p, radius)


class _WherePrinter(NumPyPrinter):  # type: ignore[misc]
    """numpy printer writing a two-piece ``Piecewise`` as one ``numpy.where``."""

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        if len(expr.args) == 2 and expr.args[1].cond == sp.true:
            (a, cond), (b, _) = expr.args
            return (
                f"{self._module_format('numpy.where')}({self._print(cond)}, "
                f"{self._print(a)}, {self._print(b)})"
            )
        return str(super()._print_Piecewise(expr))  # pragma: no cover


def _separable(expr: sp.Expr) -> tuple[Any, list[sp.Expr]]:
    """Split ``expr`` into a sum or product of parts that each miss a variable.

    Returns ``(combine, parts)`` with ``combine`` ``numpy.add`` or
    ``numpy.multiply`` (``None`` and ``[expr]`` when no split exists).  Parts
    are ordered by their number of variables, so on a grid (e.g.
    ``beta/2 + 1/2 - eta*lam/2`` with ``eta`` and ``beta`` on two axes) each
    part is evaluated on its own axes and only the last combination has the
    grid's size.
    """
    names = expr.free_symbols
    for form in (sp.expand(expr), sp.factor(expr)):
        if not isinstance(form, sp.Add | sp.Mul):
            continue
        groups: dict[frozenset[sp.Basic], list[sp.Expr]] = {}
        for term in form.args:
            groups.setdefault(frozenset(term.free_symbols), []).append(term)
        if len(groups) > 1 and all(len(k) < len(names) for k in groups):
            ordered = sorted(groups.items(), key=lambda kv: len(kv[0]))
            parts = [form.func(*terms) for _, terms in ordered]
            return (np.add if isinstance(form, sp.Add) else np.multiply), parts
    return None, [expr]


@cache
def real_radius_evaluator(method: str) -> Callable[[Any, Any, Any], Any]:
    r"""Compiled numpy function ``(eta, lam, beta) -> rho`` of :func:`modulus_form`; no checks.

    The arguments must be float64 arrays that broadcast (see
    :func:`radius_inputs`).  Subexpressions are evaluated at their own
    broadcast shapes (pass grid axes unbroadcast), and the result is an array
    that broadcasts to the inputs' common shape (it may be smaller, e.g. when
    ``rho`` does not depend on an input).  Inputs whose squares overflow give
    ``inf`` or NaN.
    """
    form = modulus_form(method)
    uses_product = form.radius.has(PRODUCT)
    combine_h, center = _separable(form.center)
    combine_p, product = _separable(form.product) if uses_product else (None, [])
    pieces = sp.lambdify((_E, _L, _B), [*center, *product], modules="numpy")
    radius = sp.lambdify((CENTER, PRODUCT), form.radius, printer=_WherePrinter, cse=True)
    split = len(center)

    def evaluate(eta: Any, lam: Any, beta: Any) -> Any:
        # the unused branch of the where takes sqrt of a negative number; huge
        # inputs overflow to inf (documented), without a warning
        with np.errstate(invalid="ignore", over="ignore"):
            values = pieces(eta, lam, beta)
            h = reduce(combine_h, values[:split]) if combine_h else values[0]
            p = (reduce(combine_p, values[split:]) if combine_p else values[split]) if product else 0.0
            return radius(h, p)

    return evaluate


def spectral_radius_real(method: str, eta: Any, lam: Any, beta: Any = 0.0) -> np.ndarray:
    r"""Spectral radius as :func:`spectral_radius`, in real arithmetic (numpy only).

    Parameters
    ----------
    method : str
        One of :data:`RATE_METHODS`.
    eta, lam, beta : array_like
        As for :func:`spectral_radius` (no torch tensors).

    Returns
    -------
    ndarray
        float64, the broadcast shape.

    Raises
    ------
    ValueError
        As :func:`spectral_radius`.

    Algorithm
    ---------
    Evaluates :attr:`ModulusForm.radius` of :func:`modulus_form`:
    :math:`\sqrt{p}` where :math:`h^2 - p < 0`, else :math:`|h| + \sqrt{h^2 - p}`.
    It agrees with the complex path to rounding; near a double root
    (:math:`h^2 \approx p`) both lose up to :math:`\sim\sqrt{\epsilon}`
    relative, as any evaluation from rounded inputs does.
    """
    e, lam_a, b = radius_inputs(method, eta, lam, beta)
    shape = np.broadcast_shapes(e.shape, lam_a.shape, b.shape)
    rho = real_radius_evaluator(method)(e, lam_a, b)
    return np.array(np.broadcast_to(rho, shape), dtype=np.float64)
