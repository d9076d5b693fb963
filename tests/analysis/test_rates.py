"""Spectral radius from the derived closed form, against numpy eigenvalues and torch.optim runs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import sympy as sp

from optheory.analysis.rates import RATE_METHODS, root_expressions, spectral_radius
from optheory.symbolic.linear import BETA, ETA, LAM, iteration_matrix, method_update
from optheory.symbolic.stability import stability_region
from tests.conftest import require_torch


def _typed_matrices(method: str, e: np.ndarray, l: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Iteration matrices written out by hand from the update rules (test oracle)."""
    if method == "gd":
        return (1 - e * l)[..., None, None]
    if method == "momentum":
        rows = [[b, l], [-e * b, 1 - e * l]]
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
        (("adam", 0.1, 1.0), "unknown method"),
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


@pytest.mark.parametrize("method", RATE_METHODS)
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
