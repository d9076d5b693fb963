"""Stability regions from the Jury table / Schur-Cohn recursion, against numpy roots."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from optheory.symbolic.linear import (
    BETA,
    ETA,
    LAM,
    characteristic_polynomial,
    iteration_matrix,
    memory_update,
    method_update,
    momentum_matrix,
)
from optheory.symbolic.stability import (
    jury_conditions,
    polynomial_stability_region,
    schur_cohn_conditions,
    stability_region,
)

eta, lam, beta = ETA, LAM, BETA
z = sp.Symbol("z")
RNG_SEED = 20240611
# Points whose largest root modulus is this close to 1 are skipped: numpy's
# roots carry ~1e-15 relative error for well-separated roots and ~1e-8 near a
# double root, so 1e-6 keeps every classification unambiguous.
MARGIN = 1e-6


def _rational(rng: np.random.Generator, low: float, high: float) -> sp.Rational:
    return sp.Rational(Fraction(float(rng.uniform(low, high))).limit_denominator(997))


_RELATIONS: dict[type, Callable[[sp.Rational], bool]] = {
    sp.StrictGreaterThan: lambda d: d > 0,
    sp.StrictLessThan: lambda d: d < 0,
    sp.GreaterThan: lambda d: d >= 0,
    sp.LessThan: lambda d: d <= 0,
    sp.Eq: lambda d: d == 0,
    sp.Ne: lambda d: d != 0,
}


def _compile(boolean: sp.Basic) -> Callable[[dict[sp.Symbol, sp.Rational]], bool]:
    """Exact evaluator of a boolean of relations at rational points.

    Each polynomial lhs - rhs becomes a Poly over QQ, evaluated exactly (much
    faster than ``subs`` on large expressions); other relations use ``subs``.
    """
    if boolean in (sp.true, sp.false):
        const = bool(boolean)
        return lambda point: const
    if isinstance(boolean, sp.And | sp.Or):
        parts = [_compile(a) for a in boolean.args]
        combine = all if isinstance(boolean, sp.And) else any
        return lambda point: combine(f(point) for f in parts)
    if isinstance(boolean, sp.Not):
        inner = _compile(boolean.args[0])
        return lambda point: not inner(point)
    test = _RELATIONS[type(boolean)]
    diff = sp.expand(boolean.lhs - boolean.rhs)
    gens = sorted(diff.free_symbols, key=str)
    if not gens or not diff.is_polynomial(*gens):
        return lambda point: bool(test(sp.Rational(diff.subs(point))))
    poly = sp.Poly(diff, *gens, domain="QQ")
    return lambda point: bool(test(sp.Rational(poly(*[point[g] for g in gens]))))


def _numpy_stable(poly: sp.Poly, point: dict[sp.Symbol, sp.Rational]) -> bool | None:
    coeffs = [float(c.subs(point)) for c in poly.all_coeffs()]
    rho = max(abs(np.roots(coeffs)), default=0.0)
    if abs(rho - 1.0) < MARGIN:
        return None
    return bool(rho < 1.0)


def _compare_with_numpy(
    R: sp.Matrix,
    sample: Callable[[np.random.Generator], dict[sp.Symbol, sp.Rational]],
    n_points: int,
) -> tuple[int, int]:
    """Region, Jury and Schur-Cohn conjunctions agree with numpy at random exact points."""
    poly = characteristic_polynomial(R, z)
    region = _compile(stability_region(R))
    jury = _compile(sp.And(*jury_conditions(poly, z)))
    schur = _compile(sp.And(*schur_cohn_conditions(poly, z)))
    rng = np.random.default_rng(RNG_SEED)
    counts = [0, 0]
    for _ in range(n_points):
        point = sample(rng)
        expected = _numpy_stable(poly, point)
        if expected is None:
            continue
        counts[expected] += 1
        assert region(point) is expected, point
        assert jury(point) is expected, point
        assert schur(point) is expected, point
    return counts[0], counts[1]


def _norm(expr: sp.Expr) -> sp.Expr:
    """A polynomial up to a nonzero constant factor (primitive, positive leading coefficient)."""
    _, prim = sp.factor_terms(sp.expand(expr)).as_content_primitive()
    if sp.Poly(prim, *sorted(prim.free_symbols, key=str)).LC() < 0:
        prim = -prim
    return sp.expand(prim)


def _boundary_set(boolean: sp.Basic) -> set[sp.Expr]:
    """The boundary polynomials of a conjunction of relations, each up to a constant factor."""
    rels = boolean.args if isinstance(boolean, sp.And) else (boolean,)
    return {_norm(rel.lhs - rel.rhs) for rel in rels}


# ---------------------------------------------------------------- textbook results
def test_gd_region_is_zero_lt_eta_lam_lt_two() -> None:
    # claim momentum.scalar-gd: converges iff |1 - eta lam| < 1, i.e. 0 < eta lam < 2
    region = stability_region(iteration_matrix(*method_update("gd")))
    assert _boundary_set(region) == {_norm(eta * lam - 2)}  # eta*lam > 0 is implied by eta, lam > 0
    # with plain real symbols the lower bound must come out of the engine too
    e, l = sp.symbols("e l", real=True)
    R = iteration_matrix(*method_update("gd")).subs({eta: e, lam: l})
    assert _boundary_set(stability_region(R)) == {_norm(e * l - 2), _norm(e * l)}
    oracle = _compile(sp.And(0 < e * l, e * l < 2))
    general = _compile(stability_region(R))
    for num in range(-20, 61):
        u = sp.Rational(num, 20)  # includes the boundary points u = 0 and u = 2 exactly
        for ev in (sp.Rational(1, 3), sp.Integer(2)):
            point = {e: ev, l: u / ev}
            assert general(point) is oracle(point)


def test_heavy_ball_region_is_textbook() -> None:
    # claim momentum.region: |beta| < 1 and 0 < eta lam < 2 + 2 beta
    region = stability_region(momentum_matrix())
    oracle_boundary = (beta - 1, beta + 1, eta * lam - 2 - 2 * beta)
    assert _boundary_set(region) == {_norm(p) for p in oracle_boundary}
    oracle = _compile(sp.And(-1 < beta, beta < 1, eta * lam > 0, eta * lam < 2 + 2 * beta))
    derived = _compile(region)
    # dense exact grid, boundary points included (beta = +-1, eta lam = 2 + 2 beta)
    for bn in range(-30, 31):
        b = sp.Rational(bn, 20)
        for un in range(1, 100):
            u = sp.Rational(un, 20)
            for lv in (sp.Rational(1, 2), sp.Integer(3)):
                point = {beta: b, lam: lv, eta: u / lv}
                assert derived(point) is oracle(point)
    # and by sympy's own inequality solver, for a few betas: eta in (0, 2 + 2 beta) at lam = 1
    for b in (sp.Rational(-1, 2), sp.Integer(0), sp.Rational(9, 10)):
        conds = list(sp.And.make_args(region.subs({beta: b, lam: 1})))
        solved = sp.reduce_inequalities([*conds, eta > 0], [eta])
        assert solved == sp.And(0 < eta, eta < 2 + 2 * b)


def test_degree_two_jury_conditions_match_the_reference_form() -> None:
    # conventions.md: z^2 + a1 z + a0: |a0| < 1, 1 + a1 + a0 > 0, 1 - a1 + a0 > 0
    a0, a1 = sp.symbols("a0 a1", real=True)
    conds = jury_conditions(z**2 + a1 * z + a0, z)
    got = {sp.expand(c.lhs - c.rhs) for c in conds}
    assert got == {1 + a1 + a0, 1 - a1 + a0, 1 - a0, 1 + a0}


# ---------------------------------------------------------------- degrees 1..4 vs numpy
def _sample_eta_lam_beta(rng: np.random.Generator) -> dict[sp.Symbol, sp.Rational]:
    return {
        eta: _rational(rng, 0.01, 2.0),
        lam: _rational(rng, 0.01, 3.0),
        beta: _rational(rng, -1.3, 1.3),
    }


@pytest.mark.parametrize("name", ["gd", "momentum", "polyak", "ema", "nesterov"])
def test_degree_one_and_two_methods_against_numpy(name: str) -> None:
    R = iteration_matrix(*method_update(name))
    unstable, stable = _compare_with_numpy(R, _sample_eta_lam_beta, 300)
    assert stable >= 30 and unstable >= 30  # both outcomes are exercised


@pytest.mark.parametrize("depth", [2, 3])
def test_memory_of_past_iterates_degree_three_and_four(depth: int) -> None:
    update, state, betas = memory_update(depth)
    R = iteration_matrix(update, state)
    assert R.rows == depth + 1

    def sample(rng: np.random.Generator) -> dict[sp.Symbol, sp.Rational]:
        point = {eta: _rational(rng, 0.01, 1.0), lam: _rational(rng, 0.01, 3.0)}
        point.update({b: _rational(rng, -0.9, 0.9) for b in betas})
        return point

    unstable, stable = _compare_with_numpy(R, sample, 150)
    assert stable >= 15 and unstable >= 15


def test_block_diagonal_four_by_four() -> None:
    # two eigen-directions of heavy ball at once: stable iff both 2x2 blocks are
    lam1, lam2 = sp.symbols("lam_1 lam_2", positive=True)
    M = momentum_matrix()
    R = sp.diag(M.subs(lam, lam1), M.subs(lam, lam2))
    region = _compile(stability_region(R))
    both = _compile(
        sp.And(stability_region(M.subs(lam, lam1)), stability_region(M.subs(lam, lam2)))
    )

    def sample(rng: np.random.Generator) -> dict[sp.Symbol, sp.Rational]:
        return {
            eta: _rational(rng, 0.01, 1.5),
            lam1: _rational(rng, 0.01, 3.0),
            lam2: _rational(rng, 0.01, 3.0),
            beta: _rational(rng, -1.2, 1.2),
        }

    unstable, stable = _compare_with_numpy(R, sample, 120)
    assert stable >= 15 and unstable >= 15
    rng = np.random.default_rng(RNG_SEED + 1)
    for _ in range(150):
        point = sample(rng)
        assert region(point) is both(point)


def test_product_of_two_steps_matrix() -> None:
    # one period of heavy ball with alternating step sizes: R2 R1, a dense 2x2
    eta2 = sp.Symbol("eta_2", positive=True)
    M = momentum_matrix()
    R = M.subs(eta, eta2) * M

    def sample(rng: np.random.Generator) -> dict[sp.Symbol, sp.Rational]:
        point = _sample_eta_lam_beta(rng)
        point[eta2] = _rational(rng, 0.01, 2.0)
        return point

    unstable, stable = _compare_with_numpy(R, sample, 150)
    assert stable >= 15 and unstable >= 15


# ---------------------------------------------------------------- edge cases and errors
def test_constant_and_decided_polynomials() -> None:
    assert polynomial_stability_region(sp.Integer(3) + 0 * z, z) == sp.true
    assert polynomial_stability_region(z - sp.Rational(1, 2), z) == sp.true
    assert polynomial_stability_region(z - 2, z) == sp.false
    assert polynomial_stability_region(-z + sp.Rational(1, 3), z) == sp.true  # sign normalised
    assert polynomial_stability_region((z - sp.Rational(1, 2)) ** 3, z) == sp.true
    assert polynomial_stability_region((z - 1) * (z + sp.Rational(1, 2)), z) == sp.false


def test_bad_input() -> None:
    a = sp.Symbol("a", real=True)
    with pytest.raises(ValueError, match="leading coefficient") as err:
        jury_conditions(a * z**2 + z + 1, z)
    assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match="Poly or expression"):
        jury_conditions("z**2", z)
    with pytest.raises(ValueError, match="Symbol"):
        schur_cohn_conditions(z**2, "z")
    with pytest.raises(ValueError, match="square"):
        stability_region(sp.Matrix([[1, 2]]))
    with pytest.raises(ValueError, match="coefficients of poly must be polynomials"):
        jury_conditions(z**2 + z / a + 1, z)
    with pytest.raises(ValueError, match="polynomial in z"):
        jury_conditions(z**2 + sp.sin(z), z)
