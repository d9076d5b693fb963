r"""The :math:`(\eta\lambda, \beta)` plane of a linear method: its derived curves.

Every linear method of :data:`~optheory.analysis.rates.RATE_METHODS` depends on
step size and curvature only through :math:`u = \eta\lambda`, so its stability
region and the curves where its character changes are curves in the
:math:`(u, \beta)` plane.  They are derived here from the update rule:

* ``stability``: each boundary relation of the Jury region
  (:func:`optheory.symbolic.stability.stability_region` of the iteration
  matrix), solved for :math:`\beta` (or, when it does not involve
  :math:`\beta`, for :math:`u`: a vertical line);
* ``critical``: the discriminant of the characteristic polynomial solved for
  :math:`\beta` (double root: ripples on one side, real roots on the other),
  branches kept where they meet the stable region;
* ``zero_root``: the product of the roots solved for :math:`\beta`.

For heavy ball these are :func:`optheory.symbolic.heavy_ball.regime_boundaries`
(the curves that separate the named regimes).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

from optheory._checks import check_choice
from optheory.analysis.rates import RATE_METHODS
from optheory.symbolic.linear import (
    BETA,
    ETA,
    LAM,
    characteristic_polynomial,
    iteration_matrix,
    method_update,
)
from optheory.symbolic.stability import stability_region

__all__ = ["U", "PlaneCurve", "plane_curves"]

#: the product :math:`u = \eta\lambda` (abscissa of the plane)
U = sp.Symbol("u", positive=True)
_Z = sp.Symbol("z")


@dataclass(frozen=True)
class PlaneCurve:
    r"""One derived curve of the plane.

    Attributes
    ----------
    kind : {"stability", "critical", "zero_root"}
        What the curve separates (see the module docstring).
    expr : sympy.Expr
        :math:`\beta` as a function of :data:`U` when ``vertical`` is false,
        otherwise the constant :math:`u` of a vertical line.
    vertical : bool
        True for a line :math:`u = \text{expr}` (a relation without :math:`\beta`).
    """

    kind: str
    expr: sp.Expr
    vertical: bool = False


def _in_u(expr: sp.Expr) -> sp.Expr:
    out = sp.simplify(expr.subs(ETA, U / LAM))
    if LAM in out.free_symbols:  # pragma: no cover - the linear methods depend on eta*lam
        raise RuntimeError(f"{expr} does not depend on eta*lam alone")
    return out


def _solve_beta(expr: sp.Expr) -> list[sp.Expr]:
    return [sp.simplify(b) for b in sp.solve(expr, BETA)]


@cache
def plane_curves(method: str) -> tuple[PlaneCurve, ...]:
    r"""The derived curves of a linear method's :math:`(\eta\lambda, \beta)` plane.

    Parameters
    ----------
    method : str
        One of :data:`~optheory.analysis.rates.RATE_METHODS`.

    Returns
    -------
    tuple of PlaneCurve
        Stability boundaries first, then the double-root and zero-root curves
        (degree-2 methods only); expressions in :data:`U` with
        :math:`\lambda = 1` understood.

    Raises
    ------
    ValueError
        Unknown method.
    """
    check_choice("method", method, RATE_METHODS)
    if method == "momentum":
        from optheory.symbolic.heavy_ball import regime_boundaries

        return tuple(
            PlaneCurve(kind, sp.simplify(e.subs(ETA, U / LAM)))
            for kind, exprs in regime_boundaries().items()
            for e in exprs
        )
    R = iteration_matrix(*method_update(method))
    stable = stability_region(R)
    curves: list[PlaneCurve] = []
    for rel in sp.And.make_args(stable):
        poly = _in_u(rel.lhs - rel.rhs)
        if BETA in poly.free_symbols:
            curves.extend(PlaneCurve("stability", b) for b in _solve_beta(poly))
        else:
            curves.extend(
                PlaneCurve("stability", sp.nsimplify(v), vertical=True)
                for v in sp.solve(poly, U)
            )
    p = characteristic_polynomial(R, _Z)
    if p.degree() == 2:
        stable_u = stable.subs(ETA, U / LAM)
        samples = [sp.Rational(k, 4) for k in range(1, 16)]
        disc = _in_u(sp.discriminant(p.as_expr(), _Z))
        for b in _solve_beta(disc):
            if any(
                b.subs(U, u).is_real and stable_u.subs({U: u, BETA: b.subs(U, u)}) == sp.true
                for u in samples
            ):
                curves.append(PlaneCurve("critical", b))
        product = _in_u(p.all_coeffs()[-1])
        curves.extend(PlaneCurve("zero_root", b) for b in _solve_beta(product))
    # a fixed order (sympy's solution order can follow the hash seed)
    rank = {"stability": 0, "critical": 1, "zero_root": 2}
    return tuple(sorted(curves, key=lambda c: (rank[c.kind], sp.default_sort_key(c.expr))))
