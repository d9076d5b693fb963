"""Spectral radius from the derived closed form, against numpy eigenvalues and torch.optim runs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import sympy as sp

from optheory.analysis.rates import (
    CENTER,
    PRODUCT,
    RATE_METHODS,
    modulus_form,
    radius_inputs,
    root_expressions,
    spectral_radius,
    spectral_radius_real,
)
from optheory.methods import methods_with
from optheory.symbolic.linear import BETA, ETA, LAM, iteration_matrix, method_update
from optheory.symbolic.stability import stability_region
from tests.conftest import require_torch


def _typed_matrices(method: str, e: np.ndarray, l: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Iteration matrices written out by hand from the update rules (test oracle)."""
    if method == "gd":
        return (1 - e * l)[..., None, None]
    if method == "momentum":
        rows = [[b, l], [-e * b, 1 - e * l]]
    elif method == "polyak":  # state (x, x_prev): x+ = x - eta lam x + beta (x - x_prev)
        rows = [[1 + b - e * l, -b], [np.ones_like(e), np.zeros_like(e)]]
    elif method == "ema":  # v <- beta v + (1 - beta) lam x; x <- x - eta v
        rows = [[b, (1 - b) * l], [-e * b, 1 - e * (1 - b) * l]]
    else:  # torch.optim.SGD(nesterov=True): b <- beta b + g; x <- x - eta (g + beta b)
        rows = [[b, l], [-e * b * b, 1 - e * l * (1 + b)]]
    return np.stack([np.stack(r, axis=-1) for r in rows], axis=-2)


@pytest.mark.parametrize("method", RATE_METHODS)
def test_matches_numpy_eigenvalues(method: str) -> None:
    rng = np.random.default_rng(3)
    e = rng.uniform(0.01, 2.0, 2000)
    l = rng.uniform(-0.5, 5.0, 2000)  # negative curvature allowed
    b = np.zeros(2000) if method == "gd" else rng.uniform(-1.2, 1.2, 2000)
    want = np.abs(np.linalg.eigvals(_typed_matrices(method, e, l, b))).max(axis=-1)
    got = spectral_radius(method, e, l, b)
    assert got.shape == (2000,) and got.dtype == np.float64
    # both sides lose up to ~sqrt(eps) ~ 1.5e-8 near a double eigenvalue
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-12)


def test_root_expressions_come_from_the_update() -> None:
    assert len(root_expressions("gd")) == 1 and len(root_expressions("momentum")) == 2
    e, l, b = sp.symbols("eta lam beta", real=True)
    (r,) = root_expressions("gd")
    assert sp.expand(r - (1 - e * l)) == 0
    s1, s2 = root_expressions("nesterov")
    assert sp.expand(s1 * s2 - b * (1 - e * l)) == 0  # det of the nesterov matrix


def test_broadcasting_and_scalars() -> None:
    out = spectral_radius("momentum", np.array([[0.1], [0.2], [0.3]]), [1.0, 2.0, 4.0, 8.0], 0.5)
    assert out.shape == (3, 4)
    scalar = spectral_radius("gd", 0.1, 25.0)
    assert isinstance(scalar, np.ndarray) and scalar.shape == ()
    assert float(scalar) == pytest.approx(1.5)
    # ripples: |sigma| = sqrt(beta) exactly in the complex regime
    ripple = float(spectral_radius("momentum", 0.1, 1.0, 0.5))
    assert ripple == pytest.approx(np.sqrt(0.5), rel=1e-14)


def test_torch_tensors_in_and_out() -> None:
    torch = require_torch()
    e = torch.tensor([[0.1], [0.3]], dtype=torch.float64)
    l = np.array([1.0, 3.0, 9.0])
    got = spectral_radius("nesterov", e, l, 0.7)
    assert isinstance(got, torch.Tensor) and got.dtype == torch.float64 and got.shape == (2, 3)
    want = spectral_radius("nesterov", e.numpy(), l, 0.7)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-14)
    got32 = spectral_radius("momentum", torch.tensor([0.1, 0.3]), torch.tensor([1.0, 2.0]), 0.5)
    assert got32.dtype == torch.float32
    want32 = spectral_radius("momentum", [0.1, 0.3], [1.0, 2.0], 0.5)
    np.testing.assert_allclose(got32.numpy(), want32, rtol=1e-5)  # float32 rounding


def test_bad_input() -> None:
    for args, match in [
        (("adam", 0.1, 1.0), "adam' is not linear on quadratics"),
        (("sgdd", 0.1, 1.0), "unknown method"),
        (("gd", 0.1, 1.0, 0.5), "beta must be 0"),
        (("momentum", 0.0, 1.0, 0.5), "eta must be > 0"),
        (("momentum", 0.1, np.inf, 0.5), "lam must be finite"),
        (("momentum", 0.1, "1", 0.5), "lam must be real numbers"),
        (("momentum", 0.1, 1.0 + 2j, 0.5), "lam must be real"),
        (("momentum", [0.1, 0.2], [1.0, 2.0, 3.0], 0.5), "do not broadcast"),
    ]:
        with pytest.raises(ValueError, match=match) as err:
            spectral_radius(*args)
        assert "\n" not in str(err.value)
    torch = require_torch()
    one = torch.tensor([0.1], dtype=torch.float64)
    for args, match in [
        (("momentum", one, [1 + 2j], 0.5), "lam must be real"),
        (("momentum", one, torch.tensor([True]), 0.5), "lam must be a real tensor"),
        (("momentum", one, torch.tensor([float("nan")]), 0.5), "lam must be finite"),
        (("momentum", -one, 1.0, 0.5), "eta must be > 0"),
        (("momentum", torch.full((2,), 0.1), torch.ones(3), 0.5), "do not broadcast"),
    ]:
        with pytest.raises(ValueError, match=match) as err:
            spectral_radius(*args)
        assert "\n" not in str(err.value)


# ---------------------------------------------------------------- real-arithmetic path
EPS = np.finfo(float).eps


def test_modulus_form_is_derived_from_the_roots() -> None:
    e, l, b = sp.symbols("eta lam beta", real=True)
    gd = modulus_form("gd")
    assert sp.expand(gd.center - (1 - e * l)) == 0 and gd.radius == sp.Abs(CENTER)
    # oracles: half the trace and the determinant of the 2x2 iteration matrices
    # (heavy ball [[beta, lam], [-eta beta, 1 - eta lam]]; torch nesterov
    # [[beta, lam], [-eta beta^2, 1 - eta lam (1 + beta)]])
    mom, nes = modulus_form("momentum"), modulus_form("nesterov")
    assert sp.expand(mom.center - (1 + b - e * l) / 2) == 0 and mom.product == b
    assert sp.expand(nes.center - (1 + b) * (1 - e * l) / 2) == 0
    assert sp.expand(nes.product - b * (1 - e * l)) == 0
    # oracle for the piecewise: a quadratic's roots h +- sqrt(h^2 - p) have the
    # largest modulus |h| + sqrt(h^2 - p) when real and sqrt(p) when complex
    h, p = CENTER, PRODUCT
    for form in (mom, nes):
        (complex_mod, cond), (real_mod, _) = form.radius.args
        assert complex_mod == sp.sqrt(p) and cond == (h**2 - p < 0)
        assert sp.simplify(real_mod - (sp.Abs(h) + sp.sqrt(h**2 - p))) == 0


def _error_bound(method: str, e: np.ndarray, l: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Relative rounding bound of either evaluation of rho, per point.

    Both paths form a discriminant-like q = h^2 - p from terms no larger than
    S = (1 + |beta| + |eta lam|)^2, so its absolute error is at most ~16 eps S.
    A perturbation dq moves rho = |h| + sqrt(q) by dq / (2 sqrt q) when q >> dq and
    by at most sqrt(dq) when q ~ 0, and moves the complex modulus sqrt(h^2 - q)
    by dq / (2 rho); the bound adds these, relative to rho.
    """
    if method == "gd":  # one real root 1 - eta lam: a couple of roundings
        return np.full(e.shape, 4 * EPS)
    scale = (1 + np.abs(b) + np.abs(e * l)) ** 2
    dq = 16 * EPS * scale
    if method in ("momentum", "polyak"):  # the same characteristic polynomial
        h, q = (1 + b - e * l) / 2, ((1 + b - e * l) / 2) ** 2 - b
    elif method == "ema":
        h = (1 + b - e * (1 - b) * l) / 2
        q = h**2 - b
    else:
        h = (1 + b) * (1 - e * l) / 2
        q = h**2 - b * (1 - e * l)
    rho = np.abs(h) + np.sqrt(np.maximum(q, 0.0))
    rho = np.where(q < 0, np.sqrt(np.abs(h**2 - q)), rho)
    real = np.minimum(dq / (2 * np.sqrt(np.maximum(q, 1e-300))), np.sqrt(dq))
    moved = np.where(q >= 0, real, dq / (2 * rho))
    return moved / rho + 4 * EPS


@pytest.mark.parametrize("method", RATE_METHODS)
def test_real_path_matches_the_complex_path_and_eigenvalues(method: str) -> None:
    rng = np.random.default_rng(7)
    n = 20000
    e = rng.uniform(0.01, 2.0, n)
    l = rng.uniform(-0.5, 5.0, n)
    b = np.zeros(n) if method == "gd" else rng.uniform(-1.2, 1.2, n)
    fast = spectral_radius_real(method, e, l, b)
    ref = spectral_radius(method, e, l, b)
    assert fast.shape == (n,) and fast.dtype == np.float64
    bound = _error_bound(method, e, l, b)
    # both paths within the rounding bound of each other, point by point (2x: two paths)
    rel = np.abs(fast - ref) / ref
    assert (rel <= 2 * bound).all(), float(np.max(rel / bound))
    # the bound is tight enough to mean something: 1e-12 or better on most points
    assert np.mean(bound < 1e-12) > 0.9
    want = np.abs(np.linalg.eigvals(_typed_matrices(method, e, l, b))).max(axis=-1)
    np.testing.assert_allclose(fast, want, rtol=1e-6, atol=1e-12)  # as for spectral_radius


def _exact_rho(method: str, e: sp.Rational, l: sp.Rational, b: sp.Rational) -> float:
    """Largest |eigenvalue| of the hand-typed matrix in exact arithmetic (test oracle)."""
    if method == "momentum":
        m = sp.Matrix([[b, l], [-e * b, 1 - e * l]])
    else:
        m = sp.Matrix([[b, l], [-e * b * b, 1 - e * l * (1 + b)]])
    return max(float(sp.Abs(z).evalf(30)) for z in m.eigenvals(multiple=True))


@pytest.mark.parametrize("method", ["momentum", "nesterov"])
def test_real_path_against_exact_arithmetic(method: str) -> None:
    # dyadic rationals are exact floats, so only the evaluation rounds; the grid
    # holds real pairs, complex pairs and exact double roots (momentum at
    # eta lam = (1 - sqrt(beta))^2, e.g. beta = 1/4, eta lam = 1/4; nesterov at
    # 1 - eta lam = 4 beta / (1 + beta)^2, e.g. beta = 3, eta lam = 1/4)
    pts = [
        (sp.Rational(i, 16), sp.Rational(j, 8), sp.Rational(k, 16))
        for i in (1, 4, 7, 13, 24, 40)
        for j in (1, 4, 8, 11)
        for k in (0, 4, 9, 15, 48)
    ]
    e, l, b = (np.array([float(p[i]) for p in pts]) for i in range(3))
    exact = np.array([_exact_rho(method, *p) for p in pts])
    fast = spectral_radius_real(method, e, l, b)
    # exact q = (trace / 2)^2 - det of the typed matrix: the regime of each point
    q = np.array([float(_exact_disc(method, *p)) for p in pts])
    assert (q == 0).any() and (q < 0).any() and (q > 0).any()  # all three regimes hit
    # the real path forms h and p with a few roundings, so q = h^2 - p is off by
    # dq <= 10 eps rho^2 (|h| <= rho and |p| <= rho^2); rho = |h| + sqrt(q) moves by
    # dq / (2 sqrt q) for q >> dq, by at most sqrt(dq) at a double root, and
    # sqrt(p) in the complex regime only by the rounding of p
    dq = 10 * EPS * exact**2
    real = np.minimum(dq / (2 * np.sqrt(np.maximum(q, 1e-300))), np.sqrt(dq))
    bound = np.where(q >= 0, real / exact, 0.0) + 4 * EPS
    np.testing.assert_array_less(np.abs(fast - exact) / exact, bound)
    # away from double roots (|q| >= 1e-4 rho^2) that is 1e-13 or better
    far = np.abs(q) >= 1e-4 * exact**2
    assert far.sum() >= 0.9 * len(pts)
    np.testing.assert_allclose(fast[far], exact[far], rtol=1e-13)


def _exact_disc(method: str, e: sp.Rational, l: sp.Rational, b: sp.Rational) -> sp.Rational:
    if method == "momentum":
        m = sp.Matrix([[b, l], [-e * b, 1 - e * l]])
    elif method == "polyak":
        m = sp.Matrix([[1 + b - e * l, -b], [1, 0]])
    elif method == "ema":
        m = sp.Matrix([[b, (1 - b) * l], [-e * b, 1 - e * (1 - b) * l]])
    else:
        m = sp.Matrix([[b, l], [-e * b * b, 1 - e * l * (1 + b)]])
    return (m.trace() / 2) ** 2 - m.det()


def test_real_path_shapes_and_bad_input() -> None:
    out = spectral_radius_real("momentum", np.array([[0.1], [0.2], [0.3]]), [1.0, 2.0, 4.0], 0.5)
    assert out.shape == (3, 3)
    want = spectral_radius("momentum", np.array([[0.1], [0.2], [0.3]]), [1.0, 2.0, 4.0], 0.5)
    np.testing.assert_allclose(out, want, rtol=1e-12)  # no double root among these
    scalar = spectral_radius_real("gd", 0.1, 25.0)
    assert isinstance(scalar, np.ndarray) and scalar.shape == () and float(scalar) == 1.5
    # complex regime: exactly sqrt(beta) (the product of the roots is beta)
    assert float(spectral_radius_real("momentum", 0.1, 1.0, 0.5)) == np.sqrt(0.5)
    # scalar eta and lam, a beta axis: the result takes beta's shape
    axis = spectral_radius_real("momentum", 0.1, 1.0, np.array([0.5, 0.6]))
    assert axis.shape == (2,)
    for args, match in [
        (("adam", 0.1, 1.0), "adam' is not linear on quadratics"),
        (("sgdd", 0.1, 1.0), "unknown method"),
        (("gd", 0.1, 1.0, 0.5), "beta must be 0"),
        (("momentum", 0.0, 1.0, 0.5), "eta must be > 0"),
        (("momentum", 0.1, np.nan, 0.5), "lam must be finite"),
        (("momentum", [0.1, 0.2], [1.0, 2.0, 3.0], 0.5), "do not broadcast"),
    ]:
        with pytest.raises(ValueError, match=match) as err:
            spectral_radius_real(*args)
        assert "\n" not in str(err.value)
    e, l, b = radius_inputs("momentum", [[0.1]], 2, [0.5, 0.6])
    assert e.shape == (1, 1) and l.shape == () and b.shape == (2,) and l.dtype == np.float64


# ---------------------------------------------------------------- witnesses from torch.optim
def _run_sgd(
    method: str, settings: list[tuple[float, float]], lams: np.ndarray, steps: int
) -> list[np.ndarray]:
    """log ||(x, buffer)|| per step for each (eta, beta) setting, one param group each.

    The run is torch.optim.SGD (dampening 0, foreach=False) on f = sum lam_i x_i^2 / 2;
    every 20 steps each coordinate's state is rescaled by its norm (the map is
    linear, so this only shifts log ||.|| by a recorded constant and keeps the
    numbers away from under/overflow).
    """
    torch = require_torch()
    lam_t = torch.tensor(lams, dtype=torch.float64)
    params = [torch.ones(len(lams), dtype=torch.float64, requires_grad=True) for _ in settings]
    groups = [
        {"params": [p], "lr": e, "momentum": b}
        for p, (e, b) in zip(params, settings, strict=True)
    ]
    opt = torch.optim.SGD(
        groups,
        lr=settings[0][0],
        momentum=settings[0][1],
        dampening=0,
        nesterov=method == "nesterov",
        foreach=False,
    )
    logs = [np.zeros((steps, len(lams))) for _ in settings]
    offset = [np.zeros(len(lams)) for _ in settings]
    for t in range(steps):
        with torch.no_grad():
            for p in params:
                p.grad = lam_t * p
        opt.step()
        with torch.no_grad():
            for k, p in enumerate(params):
                buf: Any = opt.state[p].get("momentum_buffer")
                sq = p * p if buf is None else p * p + buf * buf
                norm = torch.sqrt(sq)
                with np.errstate(divide="ignore"):  # a state can hit 0 exactly (R nilpotent)
                    logs[k][t] = offset[k] + np.log(norm.numpy())
                if t % 20 == 19:
                    scale = torch.where(norm > 0, norm, torch.ones_like(norm))
                    p.div_(scale)
                    if buf is not None:
                        buf.div_(scale)
                    offset[k] += np.log(scale.numpy())
    return logs


def _envelope_rate(logs: np.ndarray, start: int, width: int) -> np.ndarray:
    """Per-step factor from the upper envelope of log-norms, one column at a time.

    For a complex pair, log ||s_t|| = t log(rho) + g(phase_t) with g bounded and
    periodic; the peaks of the detrended series in a window near ``start`` and
    in the last window both approximate max g, so the slope between the two
    peaks is log(rho) up to (peak-sampling error) / (distance, ~3000 steps).
    The detrending slope is refined a few times from a least-squares start.
    """
    steps = logs.shape[0]
    t = np.arange(steps, dtype=float)
    out = np.full(logs.shape[1], np.nan)
    for j in range(logs.shape[1]):
        col = logs[:, j]
        if not np.all(np.isfinite(col)):  # the state reached 0 exactly
            continue
        slope = np.polyfit(t[start:], col[start:], 1)[0]
        for _ in range(4):
            detrended = col - slope * t
            i1 = start + int(np.argmax(detrended[start : start + width]))
            i2 = steps - width + int(np.argmax(detrended[-width:]))
            slope = (col[i2] - col[i1]) / (i2 - i1)
        out[j] = np.exp(slope)
    return out


@pytest.mark.parametrize("method", methods_with("rate", "torch"))
def test_empirical_rate_of_torch_sgd_matches(method: str) -> None:
    lams = np.array([0.2, 0.7, 1.5, 3.0, 5.0])
    if method == "gd":
        settings = [(0.1, 0.0), (0.35, 0.0), (0.45, 0.0), (0.5, 0.0)]
    else:
        settings = [
            (0.1, 0.5), (0.2, 0.8), (0.3, 0.2), (0.45, 0.6), (0.05, 0.9), (0.4, 0.2), (0.5, 0.2)
        ]
    steps, start, width = 4000, 500, 400
    logs = _run_sgd(method, settings, lams, steps)
    checked, growing = 0, 0
    for (e, b), log in zip(settings, logs, strict=True):
        want = spectral_radius(method, e, lams, b)
        got = _envelope_rate(log, start, width)
        # skip coordinates near a double root (slow transient, long beat period):
        # hand-typed discriminant of the 2x2 matrix
        M = _typed_matrices(method, np.full(5, e), lams, np.full(5, b))
        tr = np.trace(M, axis1=-2, axis2=-1)
        det = np.linalg.det(M) if M.shape[-1] == 2 else np.zeros(5)
        keep = (np.abs(tr * tr - 4 * det) > 0.05) & (want > 0.3) & (want < 1.5)
        # error of the estimate: with separated real roots (|D| > 0.05) the
        # subdominant one has decayed by (rho2/rho1)^500; for a complex pair a
        # 400-step window samples the phase densely, so the two envelope peaks
        # agree to ~1e-3 in log, i.e. ~3e-7 per step over ~3000 steps (observed
        # <= 1e-7); 1e-5 relative keeps a wide margin and is 100x the 1e-3 asked for
        np.testing.assert_allclose(got[keep], want[keep], rtol=1e-5)
        checked += int(keep.sum())
        growing += int((keep & (want > 1)).sum())
    assert checked >= 12 and growing >= 1  # diverging coordinates are matched too


def _boundary_eta(method: str, lam: sp.Rational, beta: sp.Rational) -> sp.Expr:
    """Smallest eta > 0 where the derived stability region ends (from the engine only)."""
    region = stability_region(iteration_matrix(*method_update(method)))
    fixed = region.subs({LAM: lam, BETA: beta})
    candidates = []
    for rel in sp.And.make_args(fixed):
        for root in sp.solve(rel.lhs - rel.rhs, ETA):
            if root.is_real and root > 0:
                candidates.append(root)
    for root in sorted(candidates, key=float):
        inside = fixed.subs(ETA, root * (1 - sp.Rational(1, 10**6)))
        outside = fixed.subs(ETA, root * (1 + sp.Rational(1, 10**6)))
        if inside == sp.true and outside == sp.false:
            return root
    raise AssertionError("no boundary found")  # pragma: no cover


@pytest.mark.parametrize(
    ("method", "lam", "beta"),
    [
        ("gd", 2, 0),
        ("momentum", 1, sp.Rational(1, 2)),
        ("momentum", 3, sp.Rational(1, 5)),
        ("nesterov", 1, sp.Rational(1, 2)),
        ("nesterov", 2, sp.Rational(9, 10)),
    ],
)
def test_inside_boundary_converges_outside_diverges(method: str, lam: int, beta: Any) -> None:
    torch = require_torch()
    eta_b = _boundary_eta(method, sp.Integer(lam), sp.Rational(beta))
    if method == "momentum":
        assert eta_b == (2 + 2 * sp.Rational(beta)) / lam  # claim momentum.region
    if method == "gd":
        assert eta_b == sp.Rational(2, lam)  # claim momentum.scalar-gd
    for factor, converges in ((0.98, True), (1.02, False)):
        e = float(eta_b) * factor
        rho = float(spectral_radius(method, e, float(lam), float(beta)))
        assert (rho < 1) is converges
        p = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD(
            [p], lr=e, momentum=float(beta), dampening=0,
            nesterov=method == "nesterov", foreach=False,
        )
        for _ in range(1500):
            p.grad = lam * p.detach().clone()
            opt.step()
        final = abs(float(p.detach()[0]))
        # 1500 steps at a rate 2% inside/outside: |x| ends far below/above 1
        assert (final < 1e-3) if converges else (final > 1e3), (factor, final, rho)


def test_overflowing_inputs_give_inf_or_nan_without_warning() -> None:
    import warnings

    import numpy as np

    from optheory.analysis.rates import spectral_radius as radius

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a leaking RuntimeWarning fails here
        value = radius("momentum", 1e308, 1e308, 0.5)
    assert not np.isfinite(value)
