"""Heavy-ball eigenvalues, regimes and closed-form powers against oracles and simulation."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from optheory.symbolic.heavy_ball import (
    REGIMES,
    Z,
    characteristic,
    discriminant,
    eigenvalues,
    matrix_power,
    matrix_power_repeated,
    momentum_power,
    regime,
    regime_boundaries,
    regime_conditions,
    ripple_modulus,
)
from optheory.symbolic.linear import BETA, ETA, LAM, momentum_matrix

eta, lam, beta = ETA, LAM, BETA
u = eta * lam
R = momentum_matrix()
t = sp.Symbol("t", integer=True, nonnegative=True)
Q = sp.Rational


def _numeric_R(e: float, l: float, b: float) -> np.ndarray:
    # the textbook matrix (claim momentum.matrix), typed here as an oracle
    return np.array([[b, l], [-e * b, 1 - e * l]])


# ---------------------------------------------------------------- eigenvalues
def test_eigenvalues_are_the_quadratic_formula() -> None:
    disc = (1 + beta - u) ** 2 - 4 * beta
    oracle = {(1 + beta - u + sp.sqrt(disc)) / 2, (1 + beta - u - sp.sqrt(disc)) / 2}
    got = eigenvalues()
    assert sp.expand(discriminant() - disc) == 0
    assert {sp.expand(g) for g in got} == {sp.expand(o) for o in oracle}
    s1, s2 = got
    assert sp.expand(s1 + s2 - (1 + beta - u)) == 0  # trace
    assert sp.expand(s1 * s2 - beta) == 0  # det
    assert sp.expand(characteristic().as_expr() - (Z**2 - (1 + beta - u) * Z + beta)) == 0


def test_ripple_modulus_is_sqrt_beta() -> None:
    assert ripple_modulus() == sp.sqrt(beta)
    # numeric witness: complex eigenvalues of the typed matrix have modulus sqrt(beta)
    rng = np.random.default_rng(7)
    checked = 0
    for _ in range(200):
        e, l, b = rng.uniform(0.05, 2.0), rng.uniform(0.05, 2.0), rng.uniform(0.0, 0.99)
        ev = np.linalg.eigvals(_numeric_R(e, l, b))
        if abs(ev[0].imag) > 1e-6:
            checked += 1
            # eigvals of a well-conditioned 2x2 are accurate to ~1e-15
            np.testing.assert_allclose(np.abs(ev), np.sqrt(b), rtol=1e-12)
    assert checked > 20


# ---------------------------------------------------------------- regime boundaries
def test_boundaries_are_derived_textbook_curves() -> None:
    bounds = regime_boundaries()
    (critical,) = bounds["critical"]
    assert sp.simplify(critical - (1 - sp.sqrt(eta * lam)) ** 2) == 0
    assert bounds["zero_root"] == (0,)
    lower, step, upper = bounds["stability"]
    assert (lower, upper) == (-1, 1)
    assert sp.simplify(step - (u / 2 - 1)) == 0  # eta lam = 2 + 2 beta
    # the critical curve is where the discriminant vanishes
    assert sp.simplify(discriminant().subs(beta, critical)) == 0


# ---------------------------------------------------------------- regimes
EXACT_POINTS = [
    # (eta, lam, beta, regime)
    (Q(1, 10), 1, Q(1, 2), "ripples"),
    (1, 1, 0, "one_step"),
    (Q(1, 4), 1, Q(1, 4), "critical"),  # beta = (1 - sqrt(1/4))^2, double root +1/2
    (Q(9, 4), 1, Q(1, 4), "critical"),  # beta = (1 - sqrt(9/4))^2, double root -1/2
    (Q(1, 2), 1, (1 - sp.sqrt(Q(1, 2))) ** 2, "critical"),  # irrational exact input
    (Q(1, 10), 1, Q(1, 100), "monotone"),
    (Q(1, 2), 1, 0, "monotone"),
    (Q(3, 2), 1, 0, "oscillation"),
    (2, 1, Q(1, 10), "oscillation"),  # (1 + sqrt(beta))^2 < eta lam < 2 + 2 beta
    (Q(1, 5), 1, Q(-1, 10), "oscillation"),  # beta < 0: one negative root
    (3, 1, Q(1, 2), "divergence"),  # eta lam = 2 + 2 beta exactly: on the boundary
    (Q(7, 2), 1, Q(1, 2), "divergence"),
    (Q(1, 10), 1, 1, "divergence"),
    (Q(1, 10), 1, Q(-11, 10), "divergence"),
]


@pytest.mark.parametrize(("e", "l", "b", "expected"), EXACT_POINTS)
def test_regime_exact_points(e: object, l: object, b: object, expected: str) -> None:
    assert regime(e, l, b) == expected


def test_regime_conditions_partition_and_floats() -> None:
    conds = regime_conditions()
    assert tuple(conds) == REGIMES
    assert regime(0.25, 1.0, 0.25) == "critical"  # floats read as the decimals they print
    assert regime(0.1, 4, 0.5) == "ripples"


def _numeric_regime(e: float, l: float, b: float) -> str | None:
    """Oracle from numpy eigenvalues of the typed matrix; None near a boundary."""
    ev = np.linalg.eigvals(_numeric_R(e, l, b))
    rho = np.abs(ev).max()
    disc = (1 + b - e * l) ** 2 - 4 * b
    if abs(rho - 1) < 1e-6 or abs(disc) < 1e-6 or abs(b) < 1e-6 or abs(1 + b - e * l) < 1e-6:
        return None
    if rho > 1:
        return "divergence"
    if disc < 0:
        return "ripples"
    return "monotone" if ev.real.min() >= 0 else "oscillation"


def test_regime_matches_numpy_at_random_points() -> None:
    rng = np.random.default_rng(11)
    seen: set[str] = set()
    for _ in range(300):
        e = Q(int(rng.integers(1, 400)), 100)
        b = Q(int(rng.integers(-120, 120)), 100)
        expected = _numeric_regime(float(e), 1.0, float(b))
        if expected is None:
            continue
        seen.add(expected)
        assert regime(e, 1, b) == expected, (e, b)
    assert seen == {"divergence", "ripples", "monotone", "oscillation"}


def _simulate(e: float, l: float, b: float, steps: int) -> np.ndarray:
    """Textbook momentum from x0 = 1, v0 = 0 (numeric witness)."""
    v, x, xs = 0.0, 1.0, []
    for _ in range(steps):
        v = b * v + l * x
        x = x - e * v
        xs.append(x)
    return np.array(xs)


def test_regimes_show_in_simulation() -> None:
    # monotone: the tail keeps one sign; oscillation with beta >= 0: the tail alternates
    xs = _simulate(0.1, 1.0, 0.01, 300)
    assert regime(0.1, 1, 0.01) == "monotone" and np.all(np.sign(xs[-100:]) == np.sign(xs[-1]))
    xs = _simulate(2.0, 1.0, 0.1, 300)
    assert regime(2, 1, 0.1) == "oscillation"
    assert np.all(np.sign(xs[-100:-1]) == -np.sign(xs[-99:]))
    # ripples: |state| shrinks by sqrt(beta) per step; over 40 steps the bounded
    # oscillating factor of the eigenvector basis averages out to within 5%
    xs = _simulate(0.1, 1.0, 0.5, 400)
    peak = [np.abs(xs[k : k + 40]).max() for k in (200, 240)]
    assert abs((peak[1] / peak[0]) ** (1 / 40) / np.sqrt(0.5) - 1) < 0.05
    # one step: x1 = 0 exactly from v0 = 0 (R^2 = 0 in general)
    assert _simulate(1.0, 1.0, 0.0, 3)[0] == 0.0
    assert momentum_matrix().subs({eta: 1, lam: 1, beta: 0}) ** 2 == sp.zeros(2)
    # divergence: the state grows
    assert abs(_simulate(3.5, 1.0, 0.5, 200)[-1]) > 1e3


@pytest.mark.parametrize(("e", "b"), [(Q(1, 4), Q(1, 4)), (Q(9, 4), Q(1, 4)), (Q(4, 9), Q(1, 9))])
def test_critical_points_have_a_jordan_block(e: sp.Rational, b: sp.Rational) -> None:
    # double root s = trace/2 and R - sI nilpotent but nonzero: exact witness of D = 0
    Rn = R.subs({eta: e, lam: 1, beta: b})
    s = Rn.trace() / 2
    N = Rn - s * sp.eye(2)
    assert N != sp.zeros(2) and N**2 == sp.zeros(2)
    assert regime(e, 1, b) == "critical"


# ---------------------------------------------------------------- closed-form powers
def test_distinct_power_matches_cayley_hamilton_oracle() -> None:
    s1, s2 = eigenvalues()
    oracle = (s1**t * (R - s2 * sp.eye(2)) - s2**t * (R - s1 * sp.eye(2))) / (s1 - s2)
    # name sqrt(D) so that simplify treats s1**t and s2**t as independent atoms
    W = sp.Symbol("W", positive=True)
    diff = (momentum_power(t) - oracle).subs(sp.sqrt(discriminant()), W)
    assert diff.free_symbols >= {W, t}
    assert diff.applyfunc(sp.simplify) == sp.zeros(2)


def test_repeated_power_matches_oracle() -> None:
    s = (1 + beta - u) / 2  # the double root when D = 0
    oracle = s ** (t - 1) * (t * R - (t - 1) * s * sp.eye(2))
    assert (momentum_power(t, repeated=True) - oracle).applyfunc(sp.simplify) == sp.zeros(2)


@pytest.mark.parametrize(
    "point",
    [
        {eta: Q(1, 2), lam: 1, beta: Q(1, 2)},  # complex pair
        {eta: Q(1, 10), lam: 2, beta: Q(1, 100)},  # real, distinct
        {eta: Q(3), lam: 1, beta: Q(3, 5)},  # complex, outside the stable region
    ],
)
def test_distinct_power_equals_exact_matrix_power(point: dict) -> None:
    closed = momentum_power(t).subs(point)
    Rn = R.subs(point)
    for k in range(7):
        diff = (closed.subs(t, k) - Rn**k).applyfunc(lambda e: sp.simplify(sp.expand(e)))
        assert diff == sp.zeros(2)


@pytest.mark.parametrize(("e", "b"), [(Q(1, 4), Q(1, 4)), (Q(9, 4), Q(1, 4)), (Q(4, 9), Q(1, 9))])
def test_repeated_power_equals_exact_matrix_power(e: sp.Rational, b: sp.Rational) -> None:
    point = {eta: e, lam: 1, beta: b}
    closed = momentum_power(t, repeated=True).subs(point)
    Rn = R.subs(point)
    for k in range(8):
        assert closed.subs(t, k) == Rn**k
    # the generic (distinct) formula does not apply here
    with pytest.raises(ValueError, match="repeated"):
        matrix_power(Rn, t)


def test_power_helpers_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="2x2"):
        matrix_power(sp.eye(3), t)
    with pytest.raises(ValueError, match="distinct"):
        matrix_power_repeated(sp.Matrix([[1, 0], [0, 2]]), t)
    for bad in [("a", 1, 0), (0, 1, 0), (1, -2, 0), (1, 1, float("nan")), (True, 1, 0)]:
        with pytest.raises(ValueError) as err:
            regime(*bad)
        assert "\n" not in str(err.value)
