"""Benchmark of optheory's hyperparameter sweeps, measured side by side in one run.

    python scripts/bench.py [--json] [--device cpu|cuda] [--repeats N] [--quick]

Workload: heavy ball (``momentum``) on an EigenQuadratic with d eigenvalues,
a side x side grid of (eta, beta), T steps.  Every figure is the median of
``--repeats`` timings taken in this process on this machine:

a. sweep throughput, element-steps per second = K d T / time, of the own
   batched kernel (numpy, and torch on ``--device``);
b. the same grid the way one would without this toolkit: one
   ``torch.optim.SGD(momentum=beta)`` per setting on a float64 parameter of
   shape (d,), stepped in a Python loop (a subset of settings is timed and the
   time extrapolated to K, as the output says), and the speed-up;
c. a memory-bandwidth reference: ``np.multiply(a, b, out=c)`` repeated T
   times over K d float64 elements, and the sweep's fraction of it;
d. the closed-form spectral-radius map of N points
   (:func:`optheory.analysis.sweep_maps.spectral_radius_map`, i.e.
   :func:`optheory.analysis.rates.spectral_radius` in cache-sized blocks)
   against one streaming pass over N elements;
e. how the sweep's time grows with the grid (slope of log time on log K).

On CPU torch runs with ``--torch-threads`` threads (1 by default, so every
CPU figure is one core's).  ``--clock cpu`` times with this process's CPU
time instead of wall time, for machines shared with other jobs.  Timings are
benchmark figures, not tests.
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

from optheory.analysis.rates import spectral_radius
from optheory.analysis.sweep import grid_columns
from optheory.analysis.sweep_maps import spectral_radius_map
from optheory.numeric.problems import EigenQuadratic
from optheory.numeric.sweep import simulate

# Peak memory bandwidth (bytes/s) of GPUs whose properties do not report it.
PEAK_BANDWIDTH = {"H100 SXM": 3.35e12, "H100 PCIe": 2.0e12, "H100 NVL": 3.9e12, "H200": 4.8e12}
# Bytes moved per element-step by the torch fused kernel: mul(C, z_prev -> z_prev)
# reads 2 and writes 1 array, addcmul_(A, z) reads 3 and writes 1 (float64).
TORCH_BYTES_PER_ELEMENT_STEP = 8 * (3 + 4)


#: The clock of every timing: "wall" (time.perf_counter) or "cpu" (time.process_time,
#: this process's CPU time: on a machine shared with other jobs it leaves out the time
#: the scheduler gave them, though not their pressure on caches and memory).
CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}
_clock = CLOCKS["wall"]


def median_time(fn: Callable[[], Any], repeats: int) -> float:
    """Median time of ``fn`` over ``repeats`` calls (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeats):
        start = _clock()
        fn()
        times.append(_clock() - start)
    return float(np.median(times))


def machine() -> dict[str, Any]:
    """What ran the benchmark."""
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "cpu": _cpu_model(),
        "numpy": np.__version__,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", ""),
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


def gpu_peak_bandwidth() -> tuple[float, str]:
    """Peak bandwidth of GPU 0 in bytes/s and where the number comes from."""
    import torch

    props = torch.cuda.get_device_properties(0)
    clock = getattr(props, "memory_clock_rate", None)  # kHz
    width = getattr(props, "memory_bus_width", None)  # bits
    if clock and width:
        return 2.0 * clock * 1e3 * width / 8, "torch.cuda.get_device_properties (2 x clock x bus)"
    name = props.name
    for key in sorted(PEAK_BANDWIDTH, key=len, reverse=True):
        if all(part in name for part in key.split()):
            return PEAK_BANDWIDTH[key], f"datasheet table ({key}); properties lack the memory clock"
    return float("nan"), f"unknown for {name!r}"


def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    global _clock
    _clock = CLOCKS[args.clock]
    quick = args.quick
    repeats = 1 if quick and args.repeats is None else (args.repeats or 5)
    side, dim, steps = (12, 20, 40) if quick else (64, 100, 200)
    n_closed = 10**5 if quick else 10**6
    loop_subset = 2 if quick else 16
    sizes = [4, 6, 8, 12] if quick else [16, 32, 64, 128]
    device = args.device

    try:
        import torch

        if device == "cpu":
            torch.set_num_threads(args.torch_threads)
        has_torch = True
    except ImportError:
        has_torch = False
    if device == "cuda" and not (has_torch and torch.cuda.is_available()):
        raise SystemExit("--device cuda: no CUDA GPU is available")

    problem = EigenQuadratic(np.linspace(0.01, 1.0, dim))
    grid = heavy_ball_grid(side)
    _, _, cols = grid_columns(grid)
    k = side * side
    elements = k * dim * steps
    med: dict[str, float] = {}
    notes: list[str] = []

    def sweep_numpy() -> None:
        simulate("momentum", problem, cols, steps)

    med["sweep_numpy_s"] = median_time(sweep_numpy, repeats)
    if has_torch:
        med["sweep_torch_s"] = median_time(
            lambda: simulate("momentum", problem, cols, steps, backend="torch", device=device),
            repeats,
        )
    med["stream_s"] = median_time(stream(k * dim, steps), repeats)

    if has_torch:
        subset = np.linspace(0, k - 1, loop_subset).astype(int)
        per = median_time(lambda: torch_loop(problem, cols, steps, subset), repeats) / loop_subset
        med["torch_loop_per_setting_s"] = per
        med["torch_loop_s"] = per * k
        notes.append(
            f"torch.optim loop timed on {loop_subset} of {k} settings and extrapolated to {k}"
        )

    # d. closed form of n_closed points (a square (eta, beta) grid at lam = 1).
    side_c = int(round(np.sqrt(n_closed)))
    eta_c = np.linspace(0.01, 3.0, side_c)[:, None]
    beta_c = np.linspace(0.0, 0.99, side_c)[None, :]
    med["closed_form_s"] = median_time(
        lambda: spectral_radius_map("momentum", eta_c, 1.0, beta_c), repeats
    )
    med["closed_form_one_call_s"] = median_time(
        lambda: spectral_radius("momentum", eta_c, 1.0, beta_c), repeats
    )
    med["stream_pass_s"] = median_time(stream(side_c * side_c, 1), max(repeats, 5))

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
            "closed_form_points": side_c * side_c, "scaling_settings": [s * s for s in sizes],
            "quick": quick, "clock": args.clock,
        },
        "throughput_element_steps_per_s": {
            "sweep_numpy": elements / med["sweep_numpy_s"],
            "stream_reference": elements / med["stream_s"],
        },
        "fraction_of_stream": med["stream_s"] / med["sweep_numpy_s"],
        "closed_form_vs_stream": med["closed_form_s"] / med["stream_pass_s"],
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
            out["fraction_of_stream_torch"] = med["stream_s"] / med["sweep_torch_s"]
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
    return out


def table(res: dict[str, Any]) -> str:
    """The human-readable report."""
    cfg, med, thr = res["config"], res["medians"], res["throughput_element_steps_per_s"]
    lines = [
        f"heavy ball, {cfg['grid']} = {cfg['settings']} settings x {cfg['eigenvalues']} "
        f"eigenvalues x {cfg['steps']} steps, medians of {cfg['repeats']} "
        f"(device {cfg['device']}, {cfg['clock']} clock)",
        f"{'measurement':<44}{'median s':>12}{'element-steps/s':>18}",
    ]

    def row(name: str, seconds: float, rate: float | None = None) -> None:
        r = f"{rate:>18.3e}" if rate is not None else f"{'':>18}"
        lines.append(f"{name:<44}{seconds:>12.4g}{r}")

    row("a. sweep, own batched numpy", med["sweep_numpy_s"], thr["sweep_numpy"])
    if "sweep_torch_s" in med:
        row(f"a. sweep, own batched torch ({cfg['device']})", med["sweep_torch_s"],
            thr["sweep_torch"])
    if "torch_loop_s" in med:
        row("b. torch.optim.SGD loop (extrapolated)", med["torch_loop_s"], thr["torch_optim_loop"])
    row("c. stream c = a*b, T passes", med["stream_s"], thr["stream_reference"])
    row(f"d. closed form, {cfg['closed_form_points']} points, blocked", med["closed_form_s"])
    row("d. the same in one spectral_radius call", med["closed_form_one_call_s"])
    row(f"d. one stream pass, {cfg['closed_form_points']} elements", med["stream_pass_s"])
    for n in cfg["scaling_settings"]:
        row(f"e. sweep numpy, {n} settings", med[f"scaling_{n}_settings_s"])
    lines += [
        "",
        f"speed-up of the numpy sweep over the torch.optim loop: {res['speedup_vs_torch_loop']:.1f}x",
        f"numpy sweep / streaming reference: {res['fraction_of_stream']:.2f}",
    ]
    if "fraction_of_stream_torch" in res:
        lines.append(f"torch sweep / streaming reference: {res['fraction_of_stream_torch']:.2f}")
    lines += [
        f"closed form / one stream pass: {res['closed_form_vs_stream']:.1f}x",
        f"scaling slope of log time on log settings: {res['scaling_slope']:.2f}",
    ]
    if "cuda_bandwidth" in res:
        bw = res["cuda_bandwidth"]
        lines.append(
            f"cuda: {bw['achieved_bytes_per_s'] / 1e9:.0f} GB/s = {bw['fraction_of_peak']:.2f} "
            f"of peak {bw['peak_bytes_per_s'] / 1e9:.0f} GB/s ({bw['peak_source']})"
        )
    lines += [f"note: {n}" for n in res["notes"]]
    m = res["machine"]
    lines.append(
        f"machine: {m['cpu']}, {m['cpu_count']} CPUs, {m['platform']}, numpy {m['numpy']}, "
        f"torch {m['torch']}"
    )
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
    if args.clock == "cpu" and args.device == "cuda":
        parser.error("--clock cpu does not see GPU time; use --clock wall with --device cuda")
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be >= 1")
    res = run_bench(args)
    print(json.dumps(res, indent=2) if args.json else table(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
