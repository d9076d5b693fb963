"""Minimax tuning: derived optima against textbook/literature oracles and a grid search."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from optheory.symbolic.tuning import TUNABLE, minimax_equations, optimal_parameters

Q = sp.Rational
INTERVALS = [(1, 10), (1, 9), (Fraction(1, 3), Fraction(7, 2)), (Q(2, 5), 25), (1, 1000)]


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    return bool(sp.simplify(sp.radsimp(a - b)) == 0)


def _heavy_ball_oracle(m: sp.Expr, L: sp.Expr) -> dict[str, sp.Expr]:
    # Polyak / Goh (Distill 2017)
    sm, sL = sp.sqrt(m), sp.sqrt(L)
    beta = ((sL - sm) / (sL + sm)) ** 2
    return {"eta": 4 / (sL + sm) ** 2, "beta": beta, "rate": sp.sqrt(beta)}


def _nesterov_oracle(m: sp.Expr, L: sp.Expr) -> dict[str, sp.Expr]:
    # Lessard, Recht & Packard (2016): quadratic-optimal Nesterov tuning
    s = sp.sqrt(3 * L / m + 1)
    return {"eta": 4 / (3 * L + m), "beta": (s - 2) / (s + 2), "rate": 1 - 2 / s}


def _oracle(method: str, m: sp.Expr, L: sp.Expr) -> dict[str, sp.Expr]:
    if method == "gd":
        return {"eta": 2 / (m + L), "beta": sp.Integer(0), "rate": (L - m) / (L + m)}
    if method in ("momentum", "polyak"):
        return _heavy_ball_oracle(m, L)
    if method == "ema":
        # v <- beta v + (1 - beta) g is heavy ball with step eta (1 - beta)
        hb = _heavy_ball_oracle(m, L)
        return {"eta": hb["eta"] / (1 - hb["beta"]), "beta": hb["beta"], "rate": hb["rate"]}
    return _nesterov_oracle(m, L)


@pytest.mark.parametrize("method", TUNABLE)
@pytest.mark.parametrize(("m", "L"), INTERVALS)
def test_exact_optimum_matches_oracle(method: str, m: object, L: object) -> None:
    got = optimal_parameters(method, m, L)
    want = _oracle(method, sp.Rational(str(m)), sp.Rational(str(L)))
    assert set(got) == {"eta", "beta", "rate"}
    for key in ("eta", "beta", "rate"):
        assert isinstance(got[key], sp.Expr) and not got[key].free_symbols
        assert _same(got[key], want[key]), (key, got[key], want[key])


def test_exact_values_simple_case() -> None:
    # kappa = 9: sqrt(kappa) = 3 makes the heavy-ball optimum rational
    assert optimal_parameters("momentum", 1, 9) == {
        "eta": Q(1, 4), "beta": Q(1, 4), "rate": Q(1, 2)
    }
    assert optimal_parameters("gd", 1, 9) == {"eta": Q(1, 5), "beta": 0, "rate": Q(4, 5)}


@pytest.mark.parametrize("method", TUNABLE)
def test_float_input_gives_floats(method: str) -> None:
    got = optimal_parameters(method, 0.1, 4.0)
    want = _oracle(method, Q(1, 10), Q(4))
    for key in ("eta", "beta", "rate"):
        assert isinstance(got[key], float)
        # exact solution rounded once: only the final rounding error remains
        assert got[key] == pytest.approx(float(want[key]), rel=1e-14, abs=1e-15)


@pytest.mark.parametrize("method", TUNABLE)
def test_single_curvature_converges_in_finitely_many_steps(method: str) -> None:
    got = optimal_parameters(method, 2, 2)
    assert got["rate"] == 0 and got["eta"] == Q(1, 2)


def test_minimax_equations_are_the_documented_system() -> None:
    eta, r = sp.Symbol("eta", positive=True), sp.Symbol("r", real=True)
    m, L = sp.symbols("m L", positive=True)
    eqs = minimax_equations("gd", m, L)
    # p_m(z) = z - (1 - eta m) must equal z - r, and p_L(-r) = -r - 1 + eta L = 0
    assert {sp.expand(e) for e in eqs} == {sp.expand(r - 1 + eta * m), sp.expand(-r - 1 + eta * L)}
    assert len(minimax_equations("nesterov", m, L)) == 3


def test_bad_input() -> None:
    for args, match in [
        (("adam", 1, 2), "adam' is not linear on quadratics"),
        (("adamw", 1, 2), "unknown method"),
        (("gd", 2, 1), "lam_min must be <= lam_max"),
        (("gd", 0, 1), "lam_min must be > 0"),
        (("gd", -1, 1), "lam_min must be > 0"),
        (("gd", 1, float("inf")), "lam_max must be finite"),
        (("gd", float("nan"), 1), "lam_min must be finite"),
        (("gd", "1", 2), "lam_min must be a number"),
        (("gd", 1, sp.Symbol("L")), "lam_max must be a real number"),
    ]:
        with pytest.raises(ValueError, match=match) as err:
            optimal_parameters(*args)
        assert "\n" not in str(err.value)


# ---------------------------------------------------------------- numeric optimality
def _worst_rate(method: str, eta: np.ndarray, beta: np.ndarray, lams: np.ndarray) -> np.ndarray:
    """max over lams of the spectral radius, from hand-typed trace and determinant."""
    e, b, lm = eta[..., None], beta[..., None], lams
    if method == "gd":
        return np.abs(1 - e * lm).max(axis=-1)
    if method == "momentum":
        tr, det = 1 + b - e * lm, b + 0 * lm
    elif method == "ema":
        tr, det = 1 + b - e * (1 - b) * lm, b + 0 * lm
    else:  # nesterov, as torch.optim.SGD(nesterov=True)
        tr, det = (1 + b) * (1 - e * lm), b * (1 - e * lm)
    root = np.sqrt((tr * tr - 4 * det).astype(np.complex128))
    return np.maximum(np.abs((tr + root) / 2), np.abs((tr - root) / 2)).max(axis=-1)


@pytest.mark.parametrize("method", ["gd", "momentum", "ema", "nesterov"])
@pytest.mark.parametrize(("m", "L"), [(1.0, 10.0), (0.5, 20.0)])
def test_grid_search_cannot_beat_the_derived_optimum(method: str, m: float, L: float) -> None:
    opt = optimal_parameters(method, m, L)
    lams = np.linspace(m, L, 41)  # ends included: the worst case sits there
    at_opt = _worst_rate(method, np.array(opt["eta"]), np.array(opt["beta"]), lams)
    # the claimed rate is the true worst case of the derived parameters; 1e-7 covers
    # the sqrt(eps) ~ 1.5e-8 error of the quadratic formula at the double root at m
    assert abs(float(at_opt) - opt["rate"]) < 1e-7
    if method == "gd":
        etas, betas = np.linspace(0.001, 2.5 / L, 4001), np.zeros(4001)
    else:
        E, B = np.meshgrid(
            np.linspace(0.2, 3.0, 241) * opt["eta"], np.linspace(-0.5, 0.995, 241), indexing="ij"
        )
        etas, betas = E.ravel(), B.ravel()
    worst = _worst_rate(method, etas, betas, lams)
    # no grid point does better (up to the same 1e-7), and the grid gets close
    assert worst.min() >= opt["rate"] - 1e-7
    assert worst.min() <= opt["rate"] + 0.02
    # fine grid in a +-3% box around the optimum: still nothing better
    if method != "gd":
        e2, b2 = np.meshgrid(
            opt["eta"] * np.linspace(0.97, 1.03, 61),
            opt["beta"] + np.linspace(-0.03, 0.03, 61),
            indexing="ij",
        )
        local = _worst_rate(method, e2.ravel(), b2.ravel(), lams)
        assert local.min() >= opt["rate"] - 1e-7


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov"])
def test_extreme_condition_number_is_a_one_line_value_error(method: str) -> None:
    with pytest.raises(ValueError, match="condition number"):
        optimal_parameters(method, 1e-300, 1.0)
