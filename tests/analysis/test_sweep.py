"""sweep(): grid handling, agreement with run() and with the closed form, bad input, bench smoke."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import optheory.analysis.sweep as sweep_module
from optheory.analysis.rates import spectral_radius, spectral_radius_real
from optheory.analysis.sweep import SweepResult, grid_columns, sweep
from optheory.analysis.sweep_maps import closed_form_rate, spectral_radius_map
from optheory.numeric.problems import EigenQuadratic
from optheory.numeric.run import run
from tests.conftest import cuda_available

LAM = np.array([0.5, 1.0, 2.0])
PROBLEM = EigenQuadratic(LAM)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _char_poly(method: str, eta: float, beta: float, lam: float) -> list[float]:
    """Characteristic polynomial of one eigen-direction, typed in as a test oracle."""
    if method == "momentum":  # v <- beta v + g; x <- x - eta v
        return [1.0, -(1 + beta - eta * lam), beta]
    # torch nesterov: b <- beta b + g; x <- x - eta (g + beta b)
    return [1.0, -(1 + beta) * (1 - eta * lam), beta * (1 - eta * lam)]


def _moduli(method: str, eta: float, beta: float) -> np.ndarray:
    """All root moduli over the eigenvalues, largest first."""
    roots = [np.roots(_char_poly(method, eta, beta, lam)) for lam in LAM]
    return np.sort(np.abs(np.concatenate(roots)))[::-1]


def test_grid_is_the_cartesian_product_in_c_order():
    names, axes, cols = grid_columns({"eta": [0.1, 0.2, 0.3], "beta": [0.0, 0.5]})
    assert names == ("eta", "beta") and [a.size for a in axes] == [3, 2]
    np.testing.assert_array_equal(cols["eta"], [0.1, 0.1, 0.2, 0.2, 0.3, 0.3])
    np.testing.assert_array_equal(cols["beta"], [0.0, 0.5] * 3)


def test_sweep_equals_separate_runs():
    grid = {"eta": [0.1, 0.45, 0.9], "beta": [0.0, 0.6]}
    x0 = [1.0, -0.5, 2.0]
    res = sweep("momentum", PROBLEM, grid, 80, x0=x0)
    assert isinstance(res, SweepResult) and res.shape == (3, 2) and res.size == 6
    assert res.final_error.shape == res.rate.shape == res.diverged_at.shape == (3, 2)
    for i, eta in enumerate(grid["eta"]):
        for j, beta in enumerate(grid["beta"]):
            traj = run("momentum", PROBLEM, x0, 80, eta=eta, beta=beta)
            # eigen-coordinates equal the coordinates here (identity basis, x* = 0);
            # the fused recurrence differs from run() by ulps per step only.
            np.testing.assert_allclose(
                res.final_error[i, j], np.linalg.norm(traj.x[-1]), rtol=1e-12
            )
            assert res.diverged_at[i, j] == -1
    np.testing.assert_array_equal(res.values("eta")[:, 0], grid["eta"])
    np.testing.assert_array_equal(res.values("beta")[0], grid["beta"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.steps = 3  # type: ignore[misc]


@pytest.mark.parametrize("method", ["momentum", "nesterov"])
def test_closed_form_matches_simulation_where_the_dominant_root_is_isolated(method):
    grid = {"eta": np.linspace(0.02, 1.4, 24), "beta": np.linspace(0.02, 0.95, 24)}
    steps = 600
    res = sweep(method, PROBLEM, grid, steps)
    eta, beta, q = res.values("eta"), res.values("beta"), res.closed_form_rate
    moduli = [_moduli(method, e, b) for e, b in zip(eta.ravel(), beta.ravel(), strict=True)]
    gap = np.array([m[1] / m[0] for m in moduli]).reshape(q.shape)
    # oracle for the closed form itself: the largest root modulus from numpy.roots
    # (both lose ~sqrt(eps) near a double root, hence 1e-6)
    np.testing.assert_allclose(q.ravel(), [m[0] for m in moduli], rtol=1e-6)
    mask = (q > 0.05) & (q < 0.999) & (gap <= 0.95)
    assert mask.sum() > 100
    # With one dominant root of modulus q and every other mode at most gap * q, the
    # log-norm is log e_t = log c + t log q + g_t with |g_t| <= K gap**t.  The least
    # squares slope over the W = 300 tail steps t >= 300 is off by at most
    # 3 sup|g| / W <= 3 K 0.95**300 / 300 ~ 2e-9 K; away from double roots (gap <= 0.95)
    # the coefficient ratio K is O(1) -- 1e-6 leaves K up to ~500.
    np.testing.assert_allclose(res.rate[mask], q[mask], rtol=1e-6)


def test_closed_form_matches_simulation_in_the_complex_regime():
    # Heavy ball with (1 + beta - eta lam)^2 < 4 beta for every lam: all roots are complex
    # with modulus sqrt(beta), so ||z_t||^2 = beta^t P(t), P a positive quasi-periodic sum
    # of cos^2 terms.  The fitted slope is then off by the least-squares slope of
    # (1/2) log P over the window, O(p osc / W^2) for period p: with W = 2000 and
    # p ~ 2 pi / theta <= 30 here that is ~1e-5, well inside 1e-3.
    grid = {"eta": [0.3, 0.5, 0.8], "beta": [0.6, 0.8, 0.9]}
    res = sweep("momentum", PROBLEM, grid, 4000)
    eta, beta = res.values("eta")[..., None], res.values("beta")[..., None]
    disc = (1 + beta - eta * LAM) ** 2 - 4 * beta
    assert (disc < -0.05).all()
    np.testing.assert_allclose(res.closed_form_rate, np.sqrt(res.values("beta")), rtol=1e-14)
    np.testing.assert_allclose(res.rate, res.closed_form_rate, rtol=1e-3)


def test_closed_form_only_and_gd_oracle():
    grid = {"eta": np.linspace(0.1, 1.2, 12)}
    res = sweep("gd", PROBLEM, grid, 50, closed_form=True)
    assert res.final_error is None and res.rate is None and res.diverged_at is None
    assert res.kernel == "none"
    # oracle: gd's factor on eigenvalue lam is |1 - eta lam|
    want = np.abs(1 - grid["eta"][:, None] * LAM).max(axis=1)
    np.testing.assert_allclose(res.closed_form_rate, want, rtol=1e-14)
    direct = closed_form_rate("gd", {"eta": grid["eta"]}, LAM, max_memory=10)
    np.testing.assert_allclose(direct, want, rtol=1e-14)


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov"])
def test_blocked_map_equals_one_call(method):
    eta = np.linspace(0.01, 3.0, 70)[:, None]
    beta = 0.0 if method == "gd" else np.linspace(0.0, 0.99, 50)[None, :]
    whole = spectral_radius_real(method, eta, 0.7, beta)
    shape = (70, 1) if method == "gd" else (70, 50)
    for block in (333, 7, 10**6):  # rows of a grid; shorter than a row (flat); one block
        blocked = spectral_radius_map(method, eta, 0.7, beta, block=block)
        assert blocked.shape == whole.shape == shape
        np.testing.assert_array_equal(blocked, whole)  # same elementwise arithmetic
    # the complex-arithmetic path agrees to rounding: ~eps away from double roots,
    # up to ~sqrt(eps) ~ 1.5e-8 at one (pointwise bounds: tests/analysis/test_rates.py)
    np.testing.assert_allclose(whole, spectral_radius(method, eta, 0.7, beta), rtol=1e-7)
    flat = spectral_radius_map(method, np.ravel(np.broadcast_to(eta, shape)), 0.7,
                               np.ravel(np.broadcast_to(beta, shape)), block=333)
    np.testing.assert_array_equal(flat, whole.ravel())
    assert spectral_radius_map(method, 0.5, 0.7, 0.0 if method == "gd" else 0.5).shape == ()
    with pytest.raises(ValueError, match="block must be a positive integer"):
        spectral_radius_map(method, eta, 0.7, beta, block=0)
    with pytest.raises(ValueError, match="do not broadcast"):
        spectral_radius_map(method, np.ones(3), np.ones(4), beta=0.0)


def test_adaptive_methods_have_no_closed_form():
    res = sweep("adam", PROBLEM, {"eta": [0.01, 0.1]}, 30)
    assert res.closed_form_rate is None and res.kernel == "generic"
    assert np.isfinite(res.final_error).all()
    with pytest.raises(ValueError, match="closed_form=True needs a linear method"):
        sweep("adam", PROBLEM, {"eta": [0.01]}, 30, closed_form=True)


@pytest.mark.parametrize(
    ("grid", "kwargs", "match"),
    [
        ({}, {}, "grid must name at least one"),
        ([("eta", [0.1])], {}, "grid must be a dict"),
        ({"eta": []}, {}, r"grid\['eta'\] is empty"),
        ({"eta": [[0.1, 0.2]]}, {}, r"grid\['eta'\] must be 1-D"),
        ({"eta": [0.1, float("nan")]}, {}, "finite"),
        ({"eta": [0.1, float("inf")]}, {}, "finite"),
        ({"eta": ["fast"]}, {}, "must be a 1-D array of numbers"),
        ({1: [0.1]}, {}, "grid keys must be hyperparameter names"),
        ({"eta": [0.1], "lr": [0.1]}, {}, "unknown hyperparameter 'lr'"),
        ({"eta": [0.1, -1.0]}, {}, r"eta\[\d\] must be > 0"),
        ({"eta": [0.1]}, {"steps": 0}, "steps must be a positive integer"),
        ({"eta": [0.1]}, {"max_memory": 64}, "max_memory must be at least"),
        ({"eta": [0.1]}, {"backend": "tensorflow"}, "unknown backend"),
    ],
)
def test_bad_input_fails_before_any_work(monkeypatch, grid, kwargs, match):
    def no_work(*args, **kw):
        raise AssertionError("simulation started despite bad input")

    monkeypatch.setattr(sweep_module, "run_plan", no_work)
    monkeypatch.setattr(sweep_module, "closed_form_rate", no_work)
    args = {"steps": 10}
    args.update(kwargs)
    steps = args.pop("steps")
    with pytest.raises(ValueError, match=match) as info:
        sweep("gd", PROBLEM, grid, steps, **args)
    assert "\n" not in str(info.value)


def test_bench_quick_json_smoke():
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "bench.py"), "--quick", "--json"],
        capture_output=True, text=True, timeout=60, env=env, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    for key in ("speedup_vs_torch_loop", "fraction_of_stream", "closed_form_vs_stream",
                "scaling_slope", "medians", "machine"):
        assert key in data
    for key in ("speedup_vs_torch_loop", "fraction_of_stream", "closed_form_vs_stream"):
        assert data[key] > 0
    assert all(v > 0 for v in data["medians"].values())
    assert {"platform", "cpu_count", "numpy", "torch", "caches"} <= set(data["machine"])
    # one verdict per target, each saying met or missed (the figures themselves are not tested)
    verdicts = data["verdicts"]
    for goal in ("over the torch.optim loop", "of stream", "one stream pass"):
        assert any(goal in v for v in verdicts), goal
    assert all(v.startswith("target: ") and ("(met;" in v or "(missed;" in v) for v in verdicts)
    assert data["config"]["fit_every"] == 4


def _bench_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench", os.path.join(ROOT, "scripts", "bench.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_peak_bandwidth_from_device_properties():
    from types import SimpleNamespace

    bench = _bench_module()
    # H100 SXM5 80GB: HBM3 at 2619 MHz on a 5120-bit bus, DDR: 2 * 2.619e9 * 640 B = 3.35 TB/s
    props = SimpleNamespace(name="NVIDIA H100 80GB HBM3", memory_clock_rate=2_619_000,
                            memory_bus_width=5120)
    peak, source = bench.peak_bandwidth_of(props)
    assert peak == pytest.approx(3.352e12, rel=1e-3) and "clock" in source
    # without the clock fields: the datasheet table, by the words of the name
    assert bench.peak_bandwidth_of(SimpleNamespace(name="NVIDIA H100 80GB HBM3"))[0] == 3.35e12
    assert bench.peak_bandwidth_of(SimpleNamespace(name="NVIDIA H100 PCIe"))[0] == 2.0e12
    assert bench.peak_bandwidth_of(SimpleNamespace(name="NVIDIA H200"))[0] == 4.8e12
    unknown = bench.peak_bandwidth_of(SimpleNamespace(name="Some GPU"))
    assert np.isnan(unknown[0]) and "unknown" in unknown[1]


@pytest.mark.skipif(cuda_available(), reason="checks the message shown without a GPU")
def test_bench_cuda_without_gpu_is_a_one_line_usage_error():
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "bench.py"), "--device", "cuda", "--quick"],
        capture_output=True, text=True, timeout=60, env=env, cwd=ROOT,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert "no CUDA GPU is available" in proc.stderr and "Traceback" not in proc.stderr


def test_closed_form_rate_counts_only_the_excited_components():
    # x0 = (0, 1) in the eigenbasis of diag(0.2, 4): the lam = 0.2 component stays 0, so the
    # error decays like |1 - 0.1 * 4|^t = 0.6^t, not like |1 - 0.1 * 0.2|^t = 0.98^t
    problem = EigenQuadratic([0.2, 4.0])
    res = sweep("gd", problem, {"eta": [0.1]}, 60, x0=[0.0, 1.0])
    assert res.closed_form_rate[0] == pytest.approx(0.6, rel=1e-12)
    assert res.rate[0] == pytest.approx(0.6, rel=1e-9)  # geometric decay, fitted exactly
    both = sweep("gd", problem, {"eta": [0.1]}, 60, x0=[1.0, 1.0])
    assert both.closed_form_rate[0] == pytest.approx(0.98, rel=1e-12)
