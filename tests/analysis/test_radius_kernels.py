"""The numba engine of the closed-form radius maps against numpy, the complex path and simulation."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import optheory.analysis.radius_kernels as rk
from optheory.analysis.radius_kernels import (
    FUSED_MIN_POINTS,
    UNARY,
    kernel_form,
    pick_engine,
    scalar_radius_source,
)
from optheory.analysis.rates import CENTER, PRODUCT, modulus_form, spectral_radius
from optheory.analysis.sweep_maps import closed_form_rate, spectral_radius_map
from optheory.numeric.problems import EigenQuadratic
from optheory.numeric.sweep import simulate
from tests.conftest import require_numba

METHODS = ["gd", "momentum", "nesterov"]


def _beta(method: str, values: np.ndarray) -> np.ndarray | float:
    return 0.0 if method == "gd" else values


def _agree(fast: np.ndarray, ref: np.ndarray, method: str, eta, lam, beta) -> None:
    """Same expression, another order of the additions: relative 1e-12 away from a double
    root; at one (h^2 = p) a rounding e of h^2 - p moves the radius by sqrt(e), so there
    the two may differ by ~sqrt(eps) ~ 1.5e-8 (absolute, radii are O(1) here)."""
    form = modulus_form(method)
    with np.errstate(all="ignore"):  # extreme inputs: h^2 may overflow (then "far")
        h = sp.lambdify(rk._INPUTS, form.center, "numpy")(eta, lam, beta)
        p = sp.lambdify(rk._INPUTS, form.product, "numpy")(eta, lam, beta)
        far = np.broadcast_to(~(np.abs(h * h - p) <= 1e-6), ref.shape)
    np.testing.assert_allclose(fast[far], ref[far], rtol=1e-12, atol=0)
    np.testing.assert_allclose(fast, ref, rtol=0, atol=3e-8)


def test_kernel_form_only_renames_radicals_of_one_input():
    for method in METHODS:
        form = modulus_form(method)
        whole = form.radius.subs({CENTER: form.center, PRODUCT: form.product})
        kf = kernel_form(method)
        back = kf.expr.xreplace({u: r for u, (_, r) in zip(UNARY, kf.unary, strict=False)})
        assert back == whole
        for index, radical in kf.unary:
            assert radical.free_symbols == {rk._INPUTS[index]}
    # heavy ball's complex branch is sqrt(beta): one value per beta, not per point
    assert kernel_form("momentum").unary == ((2, sp.sqrt(rk._INPUTS[2])),)
    assert kernel_form("gd").unary == ()


def test_scalar_source_with_and_without_precomputed_radicals():
    fn_pre = scalar_radius_source("momentum", True)
    fn_in = scalar_radius_source("momentum", False)
    # complex regime at (eta, lam, beta) = (1, 1, 0.25): radius sqrt(beta) = 1/2
    assert fn_in(1.0, 1.0, 0.25, 0.0, 0.0) == 0.5
    assert fn_pre(1.0, 1.0, 0.25, 0.5, 0.0) == 0.5
    assert fn_pre(1.0, 1.0, 0.25, 7.0, 0.0) == 7.0  # it reads the placeholder


@pytest.mark.parametrize("method", METHODS)
def test_numba_map_agrees_with_numpy_and_complex_paths_in_every_layout(method):
    require_numba()
    rng = np.random.default_rng(11)
    eta = rng.uniform(0.01, 3.0, (60, 1))
    beta = _beta(method, rng.uniform(0.0, 0.99, (1, 70)))
    lam_full = rng.uniform(0.05, 2.0, (60, 70))
    layouts = [
        (eta, 1.0, beta),  # grid, scalar lam
        (eta.T, 0.7, _beta(method, rng.uniform(0, 0.99, (40, 1)))),  # beta per row
        (eta, lam_full, beta),  # a full-size input
        (np.ravel(np.broadcast_to(eta, (60, 70))), 1.3,
         np.ravel(np.broadcast_to(beta, (60, 70))) if method != "gd" else 0.0),  # scattered
        (eta[:, :, None], rng.uniform(0.1, 2, (1, 5, 1)),
         _beta(method, rng.uniform(0, 0.99, (1, 1, 9)))),  # 3-D
        (np.array([0.3]), 2.0, _beta(method, np.array([0.4]))),  # one point
    ]
    for e, lam, b in layouts:
        fast = spectral_radius_map(method, e, lam, b, engine="numba")
        slow = spectral_radius_map(method, e, lam, b, engine="numpy")
        shape = np.broadcast_shapes(np.shape(e), np.shape(lam), np.shape(b))
        assert fast.shape == slow.shape == shape and fast.dtype == np.float64
        _agree(fast, slow, method, e, lam, b)
        _agree(fast, np.asarray(spectral_radius(method, e, lam, b)), method, e, lam, b)


def test_precomputed_and_inline_radicals_agree_exactly():
    require_numba()
    eta = np.linspace(0.01, 3, 50)[:, None]
    beta = np.linspace(0, 0.99, 60)[None, :]
    grid = spectral_radius_map("momentum", eta, 1.0, beta, engine="numba")  # precomputed
    flat = spectral_radius_map(
        "momentum", np.ravel(np.broadcast_to(eta, (50, 60))), 1.0,
        np.ravel(np.broadcast_to(beta, (50, 60))), engine="numba",
    )  # beta as large as the map: sqrt(beta) computed in the loop
    np.testing.assert_array_equal(grid.ravel(), flat)


def test_empty_and_overflowing_maps():
    require_numba()
    empty = spectral_radius_map("momentum", np.ones((0, 1)), 1.0, np.ones((1, 4)) * 0.5,
                                engine="numba")
    assert empty.shape == (0, 4)
    # eta lam = 1e400 overflows: inf, as numpy gives, and no warning (warnings are errors)
    big = spectral_radius_map("momentum", np.array([1e200, 1.0]), 1e200, 0.5, engine="numba")
    ref = spectral_radius_map("momentum", np.array([1e200, 1.0]), 1e200, 0.5, engine="numpy")
    np.testing.assert_array_equal(big, ref)
    assert np.isinf(big).all()


@pytest.mark.parametrize("method", METHODS)
def test_numba_rate_map_equals_numpy_and_simulation(method):
    require_numba()
    rng = np.random.default_rng(5)
    k = 64
    hyper = {"eta": rng.uniform(0.02, 0.9, k)}
    if method != "gd":
        hyper["beta"] = rng.uniform(0.0, 0.95, k)
    lam = np.linspace(0.05, 2.0, 11)
    fast = closed_form_rate(method, hyper, lam, engine="numba")
    slow = closed_form_rate(method, hyper, lam, engine="numpy")
    # the max over eigenvalues of radii that agree to ~sqrt(eps) (see _agree)
    np.testing.assert_allclose(fast, slow, rtol=0, atol=3e-8)
    # numeric witness: the own update's fitted rate on the stable settings; the fit sees
    # q^t times a polynomial factor near double roots, so 1e-2 relative (the closed-form
    # module's own tests pin 1e-3 on well-separated roots)
    sim = simulate(method, EigenQuadratic(lam), hyper, 400)
    ok = (fast < 0.97) & (sim.diverged_at < 0) & np.isfinite(sim.rate)
    assert ok.sum() > 20
    np.testing.assert_allclose(sim.rate[ok], fast[ok], rtol=1e-2)


def test_extreme_inputs_overflow_alike_and_nan_propagates_like_numpy_max():
    require_numba()
    vals = np.array([1e-300, 1e-10, 0.5, 1.0, 1e10, 1e154, 1e200, 1e300, 1.7e308])
    eta = vals[:, None, None]
    lam = np.concatenate([-vals, vals])[None, :, None]
    beta = np.concatenate([-vals, [0.0], vals])[None, None, :]
    for method in ("momentum", "nesterov"):
        fast = spectral_radius_map(method, eta, lam, beta, engine="numba")
        slow = spectral_radius_map(method, eta, lam, beta, engine="numpy")
        # overflowed points are inf or NaN depending on the order of the additions
        # (documented); which points overflow does not
        np.testing.assert_array_equal(np.isfinite(fast), np.isfinite(slow))
        ok = np.isfinite(slow)
        # at these magnitudes h^2 - p cancels catastrophically; its rounding reaches the
        # radius through a square root: relative sqrt(eps) ~ 1.5e-8 at worst
        np.testing.assert_allclose(fast[ok], slow[ok], rtol=1.5e-8, atol=0)
    # nesterov has NaN points here; the rate kernel's max must propagate them as numpy.max
    grid = np.broadcast_to(eta, (9, 18, 19)).reshape(-1)
    betas = np.broadcast_to(beta, (9, 18, 19)).reshape(-1)
    k = np.arange(0, grid.size, 7)
    hyper = {"eta": grid[k], "beta": betas[k]}
    lams = lam.reshape(-1)
    rho = spectral_radius_map("nesterov", grid[k][:, None], lams[None, :], betas[k][:, None],
                              engine="numba")
    assert np.isnan(rho).any(axis=1).sum() > 5
    fast = closed_form_rate("nesterov", hyper, lams, engine="numba")
    np.testing.assert_array_equal(fast, np.max(rho, axis=1))


def test_pick_engine():
    assert pick_engine("numpy", 10**9) == "numpy"
    assert pick_engine("auto", FUSED_MIN_POINTS - 1) == "numpy"
    expected = "numba" if rk.numba_available() else "numpy"
    assert pick_engine("auto", FUSED_MIN_POINTS) == expected


def test_bad_engine_is_one_line(monkeypatch):
    with pytest.raises(ValueError, match="engine must be one of auto, numpy, numba; got 'gpu'"):
        spectral_radius_map("momentum", 0.1, 1.0, 0.5, engine="gpu")
    with pytest.raises(ValueError, match="engine must be one of"):
        closed_form_rate("momentum", {"eta": [0.1], "beta": [0.5]}, [1.0], engine="fast")
    monkeypatch.setattr(rk, "numba_available", lambda: False)
    with pytest.raises(ValueError, match=r"engine='numba' needs numba: pip install 'optheory\[fast\]'"):
        spectral_radius_map("momentum", 0.1, 1.0, 0.5, engine="numba")
    # auto falls back to numpy without numba
    big = spectral_radius_map("momentum", np.linspace(0.1, 1, 600)[:, None], 1.0,
                              np.linspace(0, 0.9, 600)[None, :])
    assert big.shape == (600, 600)
    with pytest.raises(ValueError, match="eigenvalues must not be empty"):
        closed_form_rate("momentum", {"eta": [0.1], "beta": [0.5]}, [])
