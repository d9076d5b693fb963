"""Benchmark of optheory's hyperparameter sweeps, measured side by side in one run.

    python scripts/bench.py [--json] [--device cpu|cuda] [--repeats N] [--quick]

Workload: heavy ball (``momentum``) on an EigenQuadratic with d eigenvalues,
a side x side grid of (eta, beta), T steps.  Every figure is the median of
``--repeats`` timings taken in this process on this machine:

a. sweep throughput, element-steps per second = K d T / time, of the own
   batched kernel: numpy with the default kernel (``compiled`` when numba is
   installed, else ``fused``; rate fitted on every ``FIT_EVERY``-th tail
   step, the default, and on every tail step), the ``fused`` numpy kernel
   (what runs without numba), and torch on ``--device`` (on CPU with
   ``--torch-threads`` threads and with all threads);
b. the same grid the way one would without this toolkit: one
   ``torch.optim.SGD(momentum=beta)`` per setting on a float64 parameter of
   shape (d,), stepped in a Python loop (a subset of settings is timed and the
   time extrapolated to K, as the output says), and the speed-up;
c. a memory-bandwidth reference: ``np.multiply(a, b, out=c)`` repeated T
   times over K d float64 elements (one thread), and the sweep's fraction of
   it; for torch with all threads, ``torch.mul(a, b, out=c)`` with all threads;
d. the closed-form spectral-radius map of N points on an (eta, beta) grid
   (:func:`optheory.analysis.sweep_maps.spectral_radius_map`: the sympy-derived
   real-arithmetic form, one thread, with its default engine: one compiled
   numba pass when numba is installed, else numpy over cache-sized blocks)
   against one streaming pass over N elements, timed right after the map
   (alternating with it) and alone (repeated, so possibly cache-resident); the
   verdict takes the larger ratio; also the first call (which compiles), the
   numpy engine, the complex-arithmetic
   :func:`optheory.analysis.rates.spectral_radius` in one call, and the map
   over N scattered (non-grid) points;
e. how the sweep's time grows with the grid (slope of log time on log K).

A sweep and its stream reference are timed alternately, and a fraction is
the median of the per-pair ratios, so both sides of a ratio see the same
load.  Every single-thread figure uses ``--clock`` (``cpu``: this process's CPU
time, for machines shared with other jobs; ``wall`` by default).  Figures
with all threads are always wall time, since CPU time adds up over threads.
The last lines give one verdict per target of the issue "Fast sweeps", with
the single-thread figure deciding.  Timings are benchmark figures, not tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

try:
    import optheory  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from optheory.analysis.radius_kernels import numba_available
from optheory.analysis.rates import spectral_radius
from optheory.analysis.sweep import grid_columns
from optheory.analysis.sweep_maps import spectral_radius_map
from optheory.numeric.problems import EigenQuadratic
from optheory.numeric.sweep import FIT_EVERY, plan_simulation, simulate

# Peak memory bandwidth (bytes/s) of GPUs whose properties do not report it.
# Keys are matched as words of torch's device name (an H100 SXM5 reports itself as
# "NVIDIA H100 80GB HBM3", the PCIe card as "NVIDIA H100 PCIe").
PEAK_BANDWIDTH = {
    "H100 SXM": 3.35e12, "H100 HBM3": 3.35e12, "H100 PCIe": 2.0e12, "H100 NVL": 3.9e12,
    "H200": 4.8e12,
}
# Bytes moved per element-step by the torch fused kernel: mul(C, z_prev -> z_prev)
# reads 2 and writes 1 array, addcmul_(A, z) reads 3 and writes 1 (float64).
TORCH_BYTES_PER_ELEMENT_STEP = 8 * (3 + 4)
#: Targets of the issue "Fast sweeps" (a. speed-up, b. fraction of stream, c. closed form).
TARGET_SPEEDUP = 100.0
TARGET_FRACTION = 0.30
TARGET_CLOSED_FORM = 3.0


#: The clock of every timing: "wall" (time.perf_counter) or "cpu" (time.process_time,
#: this process's CPU time: on a machine shared with other jobs it leaves out the time
#: the scheduler gave them, though not their pressure on caches and memory).
CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}
_clock = CLOCKS["wall"]


def median_time(
    fn: Callable[[], Any], repeats: int, clock: Callable[[], float] | None = None
) -> float:
    """Median time of ``fn`` over ``repeats`` calls (after one warm-up call)."""
    clock = clock or _clock
    fn()
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append(clock() - start)
    return float(np.median(times))


def paired_times(
    fn: Callable[[], Any], ref: Callable[[], Any], repeats: int,
    clock: Callable[[], float] | None = None,
) -> tuple[float, float, float]:
    """Time ``fn`` and ``ref`` alternately: (median fn, median ref, median of ref_i / fn_i).

    Alternating puts both timings of a pair under the same load of a shared
    machine, so the ratio is steadier than a ratio of separate medians.
    """
    clock = clock or _clock
    fn()
    ref()
    t_fn, t_ref = [], []
    for _ in range(repeats):
        start = clock()
        fn()
        t_fn.append(clock() - start)
        start = clock()
        ref()
        t_ref.append(clock() - start)
    ratio = np.asarray(t_ref) / np.asarray(t_fn)
    return float(np.median(t_fn)), float(np.median(t_ref)), float(np.median(ratio))


def machine() -> dict[str, Any]:
    """What ran the benchmark."""
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "cpu": _cpu_model(),
        "numpy": np.__version__,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", ""),
        "caches": _caches(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else [],
    }
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(0)
    except ImportError:
        info["torch"] = "not installed"
    return info


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _caches() -> str:
    """Cache sizes of CPU 0 (Linux sysfs), e.g. ``L1d 32K, L2 512K, L3 32768K``."""
    base = "/sys/devices/system/cpu/cpu0/cache"
    found = []
    try:
        for entry in sorted(os.listdir(base)):
            if not entry.startswith("index"):
                continue
            path = os.path.join(base, entry)
            with open(os.path.join(path, "level"), encoding="utf-8") as fh:
                level = fh.read().strip()
            with open(os.path.join(path, "type"), encoding="utf-8") as fh:
                kind = fh.read().strip()
            with open(os.path.join(path, "size"), encoding="utf-8") as fh:
                size = fh.read().strip()
            if kind != "Instruction":
                found.append(f"L{level}{'d' if kind == 'Data' else ''} {size}")
    except OSError:
        return "unknown"
    return ", ".join(found) or "unknown"


def heavy_ball_grid(side: int) -> dict[str, np.ndarray]:
    """A side x side (eta, beta) grid over and past heavy ball's stable region (lam <= 1)."""
    return {"eta": np.linspace(0.02, 3.0, side), "beta": np.linspace(0.0, 0.98, side)}


def torch_loop(problem: EigenQuadratic, cols: dict[str, np.ndarray], steps: int, idx: Any) -> None:
    """The per-setting torch.optim loop on settings ``idx`` (explicit gradients, no autograd)."""
    import torch

    lam = torch.as_tensor(np.asarray(problem.eigenvalues), dtype=torch.float64)
    for k in idx:
        p = torch.ones(problem.dim, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([p], lr=float(cols["eta"][k]), momentum=float(cols["beta"][k]))
        for _ in range(steps):
            p.grad = lam * p.detach()
            opt.step()


def stream(n: int, steps: int) -> Callable[[], None]:
    """``steps`` streaming passes c = a * b over n float64 elements."""
    rng = np.random.default_rng(0)
    a, b, c = rng.random(n), rng.random(n), np.empty(n)

    def run() -> None:
        for _ in range(steps):
            np.multiply(a, b, out=c)

    return run


def torch_stream(n: int, steps: int) -> Callable[[], None]:
    """The same passes with ``torch.mul`` (uses torch's current thread count)."""
    import torch

    rng = np.random.default_rng(0)
    a, b = torch.from_numpy(rng.random(n)), torch.from_numpy(rng.random(n))
    c = torch.empty(n, dtype=torch.float64)

    def run() -> None:
        for _ in range(steps):
            torch.mul(a, b, out=c)

    return run


def gpu_peak_bandwidth() -> tuple[float, str]:
    """Peak bandwidth of GPU 0 in bytes/s and where the number comes from."""
    import torch

    return peak_bandwidth_of(torch.cuda.get_device_properties(0))


def peak_bandwidth_of(props: Any) -> tuple[float, str]:
    """Peak bandwidth (bytes/s) from CUDA device properties: DDR, 2 x memory clock x bus width."""
    clock = getattr(props, "memory_clock_rate", None)  # kHz
    width = getattr(props, "memory_bus_width", None)  # bits
    if clock and width:
        return 2.0 * clock * 1e3 * width / 8, "torch.cuda.get_device_properties (2 x clock x bus)"
    name = props.name
    for key in sorted(PEAK_BANDWIDTH, key=len, reverse=True):
        if all(part in name for part in key.split()):
            return PEAK_BANDWIDTH[key], f"datasheet table ({key}); properties lack the memory clock"
    return float("nan"), f"unknown for {name!r}"


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    global _clock
    _clock = CLOCKS[args.clock]
    wall = CLOCKS["wall"]
    quick = args.quick
    repeats = 1 if quick and args.repeats is None else (args.repeats or 5)
    side, dim, steps = (12, 20, 40) if quick else (64, 100, 200)
    n_closed = 10**5 if quick else 10**6
    loop_subset = 2 if quick else 16
    sizes = [4, 6, 8, 12] if quick else [16, 32, 64, 128]
    device = args.device

    try:
        import torch

        all_threads = torch.get_num_threads()
        if device == "cpu":
            torch.set_num_threads(args.torch_threads)
        has_torch = True
    except ImportError:
        has_torch = False
    if device == "cuda" and not _cuda_available():  # main() checks first; for direct calls
        raise SystemExit("--device cuda: no CUDA GPU is available")

    problem = EigenQuadratic(np.linspace(0.01, 1.0, dim))
    grid = heavy_ball_grid(side)
    _, _, cols = grid_columns(grid)
    k = side * side
    elements = k * dim * steps
    med: dict[str, float] = {}
    notes: list[str] = []

    def sweep_numpy(fit_every: int = FIT_EVERY, kernel: str = "auto") -> None:
        simulate("momentum", problem, cols, steps, fit_every=fit_every, kernel=kernel)

    def sweep_torch() -> None:
        simulate("momentum", problem, cols, steps, backend="torch", device=device)

    passes = stream(k * dim, steps)
    sweep_kernel = plan_simulation("momentum", problem, cols, steps).kernel
    ratio: dict[str, float] = {}
    streams = []
    med["sweep_numpy_s"], t, ratio["numpy"] = paired_times(sweep_numpy, passes, repeats)
    streams.append(t)
    med["sweep_numpy_fit_every_1_s"], t, ratio["numpy_1"] = paired_times(
        lambda: sweep_numpy(1), passes, repeats
    )
    streams.append(t)
    if sweep_kernel == "compiled":  # the same without numba: numpy passes
        med["sweep_numpy_fused_s"], t, ratio["numpy_fused"] = paired_times(
            lambda: sweep_numpy(kernel="fused"), passes, repeats
        )
        streams.append(t)
    if has_torch:
        if device == "cpu":
            med["sweep_torch_s"], t, ratio["torch"] = paired_times(sweep_torch, passes, repeats)
            streams.append(t)
            torch.set_num_threads(1)
            med["sweep_torch_1_thread_wall_s"] = median_time(sweep_torch, repeats, wall)
            torch.set_num_threads(all_threads)
            med["sweep_torch_all_threads_wall_s"], t, ratio["torch_all"] = paired_times(
                sweep_torch, passes, repeats, wall
            )
            med["stream_wall_s"] = t
            med["stream_torch_all_threads_wall_s"] = median_time(
                torch_stream(k * dim, steps), repeats, wall
            )
            torch.set_num_threads(args.torch_threads)
        else:
            med["sweep_torch_s"] = median_time(sweep_torch, repeats)
    med["stream_s"] = float(np.median(streams))

    if has_torch:
        subset = np.linspace(0, k - 1, loop_subset).astype(int)
        per = median_time(lambda: torch_loop(problem, cols, steps, subset), repeats) / loop_subset
        med["torch_loop_per_setting_s"] = per
        med["torch_loop_s"] = per * k
        notes.append(
            f"torch.optim loop timed on {loop_subset} of {k} settings and extrapolated to {k}"
        )

    # d. closed form of n_closed points (a square (eta, beta) grid at lam = 1), with
    # the default engine (numba when installed) and with numpy.
    side_c = int(round(np.sqrt(n_closed)))
    eta_c = np.linspace(0.01, 3.0, side_c)[:, None]
    beta_c = np.linspace(0.0, 0.99, side_c)[None, :]
    engine = "numba" if numba_available() else "numpy"
    start = wall()
    spectral_radius_map("momentum", eta_c, 1.0, beta_c, engine=engine)  # numba compiles
    med["closed_form_first_call_wall_s"] = wall() - start
    one_pass = stream(side_c * side_c, 1)
    med["closed_form_s"], med["stream_pass_s"], ratio["closed"] = paired_times(
        lambda: spectral_radius_map("momentum", eta_c, 1.0, beta_c, engine=engine), one_pass,
        max(repeats, 5),
    )
    med["closed_form_numpy_s"], _, ratio["closed_numpy"] = paired_times(
        lambda: spectral_radius_map("momentum", eta_c, 1.0, beta_c, engine="numpy"), one_pass,
        max(repeats, 5),
    )
    eta_f = np.ravel(np.broadcast_to(eta_c, (side_c, side_c)))
    beta_f = np.ravel(np.broadcast_to(beta_c, (side_c, side_c)))
    med["closed_form_scattered_s"], _, ratio["scattered"] = paired_times(
        lambda: spectral_radius_map("momentum", eta_f, 1.0, beta_f, engine=engine), one_pass,
        max(repeats, 5),
    )
    med["closed_form_complex_one_call_s"], _, ratio["complex"] = paired_times(
        lambda: spectral_radius("momentum", eta_c, 1.0, beta_c), one_pass, repeats
    )
    # The pass timed alone repeats over the same 24 MB, which a large L3 cache may
    # hold: a faster reference than the pass right after the map, so it is kept
    # too and the verdict takes the less favourable ratio.
    med["stream_pass_alone_s"] = median_time(one_pass, max(repeats, 5))
    if engine == "numpy":
        notes.append("numba is not installed: the closed-form map ran on numpy "
                     "(pip install 'optheory[fast]' for the compiled engine)")

    # e. scaling with the grid size.
    times = []
    for s in sizes:
        _, _, cs = grid_columns(heavy_ball_grid(s))

        def sized(cs: dict[str, np.ndarray] = cs) -> None:
            simulate("momentum", problem, cs, steps)

        t = median_time(sized, repeats)
        med[f"scaling_{s * s}_settings_s"] = t
        times.append(t)
    slope = float(np.polyfit(np.log([s * s for s in sizes]), np.log(times), 1)[0])

    out: dict[str, Any] = {
        "config": {
            "method": "momentum", "grid": f"{side}x{side} (eta x beta)", "settings": k,
            "eigenvalues": dim, "steps": steps, "device": device, "repeats": repeats,
            "closed_form_points": side_c * side_c, "closed_form_engine": engine,
            "scaling_settings": [s * s for s in sizes],
            "quick": quick, "clock": args.clock, "fit_every": FIT_EVERY,
            "sweep_kernel": sweep_kernel,
            "torch_threads": args.torch_threads if has_torch else None,
            "torch_all_threads": all_threads if has_torch else None,
        },
        "throughput_element_steps_per_s": {
            "sweep_numpy": elements / med["sweep_numpy_s"],
            "sweep_numpy_fit_every_1": elements / med["sweep_numpy_fit_every_1_s"],
            "sweep_numpy_fused": elements / med.get("sweep_numpy_fused_s", med["sweep_numpy_s"]),
            "stream_reference": elements / med["stream_s"],
        },
        "fraction_of_stream": ratio["numpy"],
        "fraction_of_stream_fit_every_1": ratio["numpy_1"],
        "fraction_of_stream_fused_numpy": ratio.get("numpy_fused", ratio["numpy"]),
        "closed_form_vs_stream_paired": 1.0 / ratio["closed"],
        "closed_form_vs_stream_alone": med["closed_form_s"] / med["stream_pass_alone_s"],
        "closed_form_numpy_vs_stream": 1.0 / ratio["closed_numpy"],
        "closed_form_scattered_vs_stream": 1.0 / ratio["scattered"],
        "closed_form_complex_vs_stream": 1.0 / ratio["complex"],
        "scaling_slope": slope,
        "medians": med,
        "machine": machine(),
        "notes": notes,
    }
    thr = out["throughput_element_steps_per_s"]
    if has_torch:
        thr["sweep_torch"] = elements / med["sweep_torch_s"]
        thr["torch_optim_loop"] = elements / med["torch_loop_s"]
        out["speedup_vs_torch_loop"] = med["torch_loop_s"] / med["sweep_numpy_s"]
        out["speedup_torch_path_vs_torch_loop"] = med["torch_loop_s"] / med["sweep_torch_s"]
        if device == "cpu":
            out["fraction_of_stream_torch"] = ratio["torch"]
            thr["sweep_torch_all_threads"] = elements / med["sweep_torch_all_threads_wall_s"]
            thr["stream_torch_all_threads"] = elements / med["stream_torch_all_threads_wall_s"]
            # all-thread torch sweep against the one-thread numpy stream (wall clock both)
            out["fraction_of_stream_torch_all_threads"] = ratio["torch_all"]
            out["fraction_of_torch_stream_all_threads"] = (
                med["stream_torch_all_threads_wall_s"] / med["sweep_torch_all_threads_wall_s"]
            )
            # torch's default thread setting (the library picks its own count per call)
            # against 1 thread, both wall clock: >= 1 means the default is not slower
            out["torch_default_vs_1_thread"] = (
                med["sweep_torch_1_thread_wall_s"] / med["sweep_torch_all_threads_wall_s"]
            )
    else:
        out["speedup_vs_torch_loop"] = float("nan")
        notes.append("torch is not installed: no torch path, no torch.optim loop")
    if device == "cuda":
        peak, source = gpu_peak_bandwidth()
        achieved = TORCH_BYTES_PER_ELEMENT_STEP * elements / med["sweep_torch_s"]
        out["cuda_bandwidth"] = {
            "achieved_bytes_per_s": achieved, "peak_bytes_per_s": peak,
            "fraction_of_peak": achieved / peak, "peak_source": source,
        }
    out["closed_form_vs_stream"] = max(
        out["closed_form_vs_stream_paired"], out["closed_form_vs_stream_alone"]
    )
    out["verdicts"] = verdicts(out)
    return out


def verdicts(res: dict[str, Any]) -> list[str]:
    """One line per target of "Fast sweeps"; the single-thread figure decides."""
    cfg = res["config"]
    one = f"1 thread, {cfg['clock']} clock"
    rows: list[tuple[str, str, bool, str]] = []  # target, measured, met, what was measured
    speed = res["speedup_vs_torch_loop"]
    if speed == speed:  # not NaN: torch is installed
        rows.append((f">= {TARGET_SPEEDUP:.0f}x over the torch.optim loop", f"{speed:.0f}x",
                     speed >= TARGET_SPEEDUP,
                     f"numpy sweep, {cfg['sweep_kernel']} kernel, {one}; decides"))
    goal = f">= {TARGET_FRACTION:.2f} of stream"
    frac = res["fraction_of_stream"]
    rows.append((goal, f"{frac:.3f}", frac >= TARGET_FRACTION,
                 f"numpy sweep, {cfg['sweep_kernel']} kernel, fit_every={cfg['fit_every']} "
                 f"(defaults), {one}; decides"))
    dense = res["fraction_of_stream_fit_every_1"]
    rows.append((goal, f"{dense:.3f}", dense >= TARGET_FRACTION,
                 f"numpy sweep, {cfg['sweep_kernel']} kernel, fit_every=1, {one}"))
    if cfg["sweep_kernel"] == "compiled":
        plain = res["fraction_of_stream_fused_numpy"]
        rows.append((goal, f"{plain:.3f}", plain >= TARGET_FRACTION,
                     f"numpy sweep, fused kernel (as without numba), {one}"))
    if "fraction_of_stream_torch" in res:
        frac_t = res["fraction_of_stream_torch"]
        rows.append((goal, f"{frac_t:.3f}", frac_t >= TARGET_FRACTION,
                     f"torch sweep, {cfg['torch_threads']} thread(s), {cfg['clock']} clock"))
    if "torch_default_vs_1_thread" in res:
        speed = res["torch_default_vs_1_thread"]
        # 10% allowance for timing noise between two wall-clock medians
        rows.append(("torch default >= 1 thread", f"{speed:.2f}x", speed >= 0.9,
                     f"torch sweep with torch's default {cfg['torch_all_threads']} threads "
                     "over the same with 1 thread, wall clock"))
    if "fraction_of_stream_torch_all_threads" in res:
        frac_a = res["fraction_of_stream_torch_all_threads"]
        rows.append((goal, f"{frac_a:.3f}", frac_a >= TARGET_FRACTION,
                     f"torch sweep with {cfg['torch_all_threads']} threads over the 1-thread "
                     "numpy stream, wall clock; for information"))
    closed = res["closed_form_vs_stream"]
    rows.append((f"closed form <= {TARGET_CLOSED_FORM:.0f}x one stream pass", f"{closed:.1f}x",
                 closed <= TARGET_CLOSED_FORM,
                 f"{cfg['closed_form_points']}-point grid map, {cfg['closed_form_engine']} "
                 f"engine, {one}, the larger of the two stream-pass ratios; decides"))
    return [
        f"target: {goal} -- measured {value} ({'met' if met else 'missed'}; {how})"
        for goal, value, met, how in rows
    ]


def table(res: dict[str, Any]) -> str:
    """The human-readable report."""
    cfg, med, thr = res["config"], res["medians"], res["throughput_element_steps_per_s"]
    lines = [
        f"heavy ball, {cfg['grid']} = {cfg['settings']} settings x {cfg['eigenvalues']} "
        f"eigenvalues x {cfg['steps']} steps, medians of {cfg['repeats']} "
        f"(device {cfg['device']}, {cfg['clock']} clock; rows marked wall: wall clock)",
        f"{'measurement':<54}{'median s':>12}{'element-steps/s':>18}",
    ]

    def row(name: str, seconds: float, rate: float | None = None) -> None:
        r = f"{rate:>18.3e}" if rate is not None else f"{'':>18}"
        lines.append(f"{name:<54}{seconds:>12.4g}{r}")

    kern = cfg["sweep_kernel"]
    row(f"a. sweep, own batched numpy, {kern} (fit_every={cfg['fit_every']})",
        med["sweep_numpy_s"], thr["sweep_numpy"])
    row(f"a. sweep, own batched numpy, {kern} (fit_every=1)", med["sweep_numpy_fit_every_1_s"],
        thr["sweep_numpy_fit_every_1"])
    if "sweep_numpy_fused_s" in med:
        row("a. sweep, own batched numpy, fused (no numba)", med["sweep_numpy_fused_s"],
            thr["sweep_numpy_fused"])
    if "sweep_torch_s" in med:
        row(f"a. sweep, own batched torch ({cfg['device']}, {cfg['torch_threads']} thread)",
            med["sweep_torch_s"], thr["sweep_torch"])
    if "sweep_torch_all_threads_wall_s" in med:
        row(f"a. sweep, torch ({cfg['torch_all_threads']} threads, wall)",
            med["sweep_torch_all_threads_wall_s"], thr["sweep_torch_all_threads"])
    if "torch_loop_s" in med:
        row("b. torch.optim.SGD loop (extrapolated)", med["torch_loop_s"], thr["torch_optim_loop"])
    row("c. stream c = a*b, T passes (numpy, 1 thread)", med["stream_s"], thr["stream_reference"])
    if "stream_wall_s" in med:
        row("c. the same (wall, beside the all-thread sweep)", med["stream_wall_s"],
            res["config"]["settings"] * cfg["eigenvalues"] * cfg["steps"] / med["stream_wall_s"])
    if "stream_torch_all_threads_wall_s" in med:
        row(f"c. stream torch.mul, T passes ({cfg['torch_all_threads']} threads, wall)",
            med["stream_torch_all_threads_wall_s"], thr["stream_torch_all_threads"])
    n = cfg["closed_form_points"]
    eng = cfg["closed_form_engine"]
    row(f"d. closed form, {n}-point grid, {eng} engine", med["closed_form_s"])
    row("d. its first call (wall; compiles with numba)", med["closed_form_first_call_wall_s"])
    row("d. the grid, numpy engine (blocked)", med["closed_form_numpy_s"])
    row(f"d. {n} scattered points, {eng} engine", med["closed_form_scattered_s"])
    row("d. the grid, complex path, one call", med["closed_form_complex_one_call_s"])
    row(f"d. one stream pass, {n} elements (after the map)", med["stream_pass_s"])
    row(f"d. one stream pass, {n} elements (alone)", med["stream_pass_alone_s"])
    for size in cfg["scaling_settings"]:
        row(f"e. sweep numpy, {size} settings", med[f"scaling_{size}_settings_s"])
    lines += [
        "",
        f"speed-up of the numpy sweep over the torch.optim loop: {res['speedup_vs_torch_loop']:.1f}x",
        f"numpy sweep / streaming reference: {res['fraction_of_stream']:.2f} "
        f"(fit_every={cfg['fit_every']}), {res['fraction_of_stream_fit_every_1']:.2f} "
        f"(fit_every=1), {cfg['sweep_kernel']} kernel; "
        f"{res['fraction_of_stream_fused_numpy']:.2f} with the fused kernel",
    ]
    if "fraction_of_stream_torch" in res:
        lines.append(f"torch sweep / streaming reference: {res['fraction_of_stream_torch']:.2f}")
    if "torch_default_vs_1_thread" in res:
        lines.append(
            f"torch sweep, default setting ({cfg['torch_all_threads']} threads) vs 1 thread "
            f"(wall): {med['sweep_torch_all_threads_wall_s']:.3g} s vs "
            f"{med['sweep_torch_1_thread_wall_s']:.3g} s"
        )
    if "fraction_of_stream_torch_all_threads" in res:
        lines.append(
            f"torch sweep, {cfg['torch_all_threads']} threads (wall): "
            f"{res['fraction_of_stream_torch_all_threads']:.2f} of the 1-thread numpy stream, "
            f"{res['fraction_of_torch_stream_all_threads']:.2f} of a torch.mul stream with "
            "as many threads"
        )
    lines += [
        f"closed form / one stream pass: {res['closed_form_vs_stream_paired']:.1f}x (grid, pass "
        f"after the map), {res['closed_form_vs_stream_alone']:.1f}x (grid, pass alone), "
        f"{res['closed_form_numpy_vs_stream']:.1f}x (grid, numpy engine), "
        f"{res['closed_form_scattered_vs_stream']:.1f}x (scattered points), "
        f"{res['closed_form_complex_vs_stream']:.1f}x (complex path, one call)",
        f"scaling slope of log time on log settings: {res['scaling_slope']:.2f}",
    ]
    if "cuda_bandwidth" in res:
        bw = res["cuda_bandwidth"]
        lines.append(
            f"cuda: {bw['achieved_bytes_per_s'] / 1e9:.0f} GB/s = {bw['fraction_of_peak']:.2f} "
            f"of peak {bw['peak_bytes_per_s'] / 1e9:.0f} GB/s ({bw['peak_source']})"
        )
    lines += [f"note: {note}" for note in res["notes"]]
    m = res["machine"]
    lines.append(
        f"machine: {m['cpu']}, {m['cpu_count']} CPUs, caches {m['caches']}, "
        f"load average {m['load_average']}, {m['platform']}, numpy {m['numpy']}, "
        f"torch {m['torch']}"
    )
    lines += [""] + res["verdicts"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--repeats", type=int, default=None, help="timings per figure (5)")
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    parser.add_argument("--torch-threads", type=int, default=1, help="torch CPU threads (1)")
    parser.add_argument(
        "--clock", choices=tuple(CLOCKS), default="wall",
        help="wall time, or this process's CPU time (for a shared machine; not with cuda)",
    )
    args = parser.parse_args(argv)
    if args.device == "cuda" and not _cuda_available():
        parser.error("--device cuda: no CUDA GPU is available here; use --device cpu")
    if args.clock == "cpu" and args.device == "cuda":
        parser.error("--clock cpu does not see GPU time; use --clock wall with --device cuda")
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be >= 1")
    res = run_bench(args)
    print(json.dumps(res, indent=2) if args.json else table(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
