"""Benchmark of worst-case maps over F(mu, L): the PEPit-user loop against worst_case_map.

    python scripts/bench_pep.py [--json] [--method momentum] [--mu 1] [--L 25]
                                [--steps 5] [--side 6] [--repeats 3] [--workers K]

Side by side in one run, on the same side x side grid of (eta, beta) cells:

a. **PEPit, one problem per cell, in a loop** -- what a PEPit user writes
   (:func:`optheory.pep.reference.pepit_from_state_space`): a fresh ``PEP()``
   per cell, the method's iterates built on PEPit points from the derived
   state space, scaled to L = 1, solved by CLARABEL through PEPit's cvxpy
   wrapper (compiled afresh every time), SCS where CLARABEL gives no value;
b. **worst_case_map** on one core (``workers=1``, no certificates, no
   cache): the same SDP set up once per grid, each cell handed to CLARABEL
   directly (:mod:`optheory.pep.gram`);
c. the values of (a) and (b) cell by cell (largest relative gap; both are
   CLARABEL, about 1e-9 relative, so gaps of order 1e-7 are solver accuracy);
d. worst_case_map *with* IQC certificates in this process and on a pool of K
   worker processes (default: the local cores), started and warmed up first
   (the start-up, a fresh interpreter per worker importing numpy, sympy and the
   solvers, is reported on its own): the speed-up with workers.

The process is pinned to one core for (a) and (b), and their figures are CPU
seconds of this process (the machine may be shared); (d) is wall time.
Medians over ``--repeats`` runs (per-cell medians for (a)).  Timings are
benchmark figures, not tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from typing import Any

import numpy as np

try:
    import optheory  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def pepit_cell(method: str, mu: float, L: float, steps: int, eta: float, beta: float) -> float:
    """One PEPit problem per cell (:func:`optheory.pep.reference.pepit_from_state_space`).

    Where CLARABEL gives no value (it stops with a numerical error at some cells) the
    user retries with SCS, as :func:`optheory.pep.pepit_problem.pepit_worst_case` does.
    """
    from optheory.pep.reference import pepit_from_state_space

    value = pepit_from_state_space(method, mu, L, steps, eta, beta, "CLARABEL")
    if value is None:
        FALLBACKS.append((eta, beta))
        value = pepit_from_state_space(method, mu, L, steps, eta, beta, "SCS")
    return float("nan") if value is None else value


#: cells where PEPit's CLARABEL gave no value and SCS was used
FALLBACKS: list[tuple[float, float]] = []


def _cpu() -> float:
    return time.process_time()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--method", default="momentum")
    parser.add_argument("--mu", type=float, default=1.0)
    parser.add_argument("--L", type=float, default=25.0)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--side", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    import warnings

    from optheory.pep.maps import worst_case_map
    from optheory.symbolic.tuning import optimal_parameters

    tuned = optimal_parameters(args.method, args.mu, args.L)
    eta_opt = float(tuned["eta"])
    eta = np.linspace(0.2 * eta_opt, 1.6 * eta_opt, args.side)
    beta = np.linspace(0.0, 0.9, args.side)
    grid = {"eta": eta} if args.method == "gd" else {"eta": eta, "beta": beta}
    cells = [(float(e), float(b)) for e in eta for b in (beta if args.method != "gd" else [0.0])]

    affinity = None
    if hasattr(os, "sched_getaffinity"):
        affinity = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(affinity)})  # one core for (a) and (b)

    # (a) PEPit per cell; the first solve (imports, cvxpy warm-up) is not counted
    pepit_cell(args.method, args.mu, args.L, args.steps, *cells[0])
    pepit_values, pepit_seconds = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PEPit/cvxpy "inaccurate solution" notices
        for e, b in cells:
            t = _cpu()
            pepit_values.append(pepit_cell(args.method, args.mu, args.L, args.steps, e, b))
            pepit_seconds.append(_cpu() - t)

    # (b) worst_case_map on one core, whole map timed (set-up included)
    ours_totals: list[float] = []
    result = None
    worst_case_map(args.method, args.mu, args.L, grid, args.steps, workers=1, cache_dir=False,
                   certify=False, progress=False)  # warm-up: imports, the sympy state space
    for _ in range(args.repeats):
        t = _cpu()
        result = worst_case_map(args.method, args.mu, args.L, grid, args.steps, workers=1,
                                cache_dir=False, certify=False, progress=False)
        ours_totals.append(_cpu() - t)
    assert result is not None
    ours = np.asarray(result.worst_case, dtype=float).ravel()
    reference = np.asarray(pepit_values)
    gaps = np.abs(ours - reference) / np.maximum(np.abs(reference), 1e-300)
    pepit_missing = int(np.sum(~np.isfinite(reference)))  # no value: reported, not compared
    ours_missing = int(np.sum(~np.isfinite(ours)))
    missing = int(np.sum(~np.isfinite(gaps)))
    gaps = np.where(np.isfinite(gaps), gaps, 0.0)
    gap = float(np.max(gaps))
    worst_cell = cells[int(np.argmax(gaps))]

    if affinity is not None:
        os.sched_setaffinity(0, affinity)

    # (d) with certificates: this process alone, and a warm pool of K worker processes
    # (started and warmed up beforehand: its start-up is reported separately)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    def wall_map(executor: Any) -> float:
        t = time.perf_counter()
        worst_case_map(args.method, args.mu, args.L, grid, args.steps, executor,
                       workers=1 if executor is None else None, cache_dir=False, certify=True,
                       progress=False)
        return time.perf_counter() - t

    one = statistics.median(wall_map(None) for _ in range(args.repeats))
    t = time.perf_counter()
    with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        warm = {"eta": eta[: args.workers]} if args.method == "gd" else {
            "eta": eta[: args.workers], "beta": beta[:1]}
        worst_case_map(args.method, args.mu, args.L, warm, args.steps, pool, cache_dir=False,
                       certify=True, progress=False)
        startup = time.perf_counter() - t
        many = statistics.median(wall_map(pool) for _ in range(args.repeats))

    n = len(cells)
    pepit_cell_median = statistics.median(pepit_seconds)
    ours_cell = statistics.median(ours_totals) / n
    report = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "workload": {"method": args.method, "mu": args.mu, "L": args.L, "steps": args.steps,
                     "cells": n, "eta": [float(eta[0]), float(eta[-1])],
                     "beta": [0.0, 0.0] if args.method == "gd" else [0.0, 0.9]},
        "pepit_loop_seconds_per_cell_median": pepit_cell_median,
        "worst_case_map_seconds_per_cell_median": ours_cell,
        "speedup_one_core": pepit_cell_median / ours_cell,
        "pepit_cells_solved_by_scs": len(FALLBACKS),
        "cells_without_a_value": missing,
        "pepit_cells_without_a_value": pepit_missing,
        "worst_case_map_cells_without_a_value": ours_missing,
        "max_relative_gap": gap,
        "median_relative_gap": float(np.median(gaps)),
        "max_gap_cell": {"eta": worst_cell[0], "beta": worst_cell[1],
                         "pepit": float(reference[int(np.argmax(gaps))]),
                         "worst_case_map": float(ours[int(np.argmax(gaps))])},
        "with_certificates_seconds_1_worker": one,
        f"with_certificates_seconds_{args.workers}_workers": many,
        "worker_speedup": one / many,
        "pool_startup_seconds": startup,
        "workers": args.workers,
        "clock": "CPU seconds of this process, pinned to one core (a, b); wall (d)",
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{args.method} on F({args.mu:g}, {args.L:g}), N = {args.steps}, {n} cells "
          f"(eta {eta[0]:.4g}..{eta[-1]:.4g}, beta 0..0.9), one core, CPU seconds:")
    print(f"  (a) PEPit, one problem per cell: median {pepit_cell_median * 1e3:.1f} ms per cell")
    print(f"  (b) worst_case_map:              {ours_cell * 1e3:.2f} ms per cell "
          f"(median of {args.repeats} whole maps / {n})")
    print(f"      speed-up {pepit_cell_median / ours_cell:.0f}x; relative gap between the values: "
          f"median {np.median(gaps):.1e}, largest {gap:.1e} at eta={worst_cell[0]:.4g}, "
          f"beta={worst_cell[1]:.4g} (PEPit {reference[int(np.argmax(gaps))]:.8g}, "
          f"worst_case_map {ours[int(np.argmax(gaps))]:.8g})")
    if missing:
        print(f"      {missing} cells have no value from one of the two (not compared): "
              f"{pepit_missing} without a PEPit value, {ours_missing} without a "
              "worst_case_map value")
    if FALLBACKS:
        print(f"      PEPit's CLARABEL gave no value at {len(FALLBACKS)} cells: solved by SCS "
              "there (about 1e-5 relative)")
    print(f"  (d) with IQC certificates, wall: {one:.2f} s in this process, {many:.2f} s on "
          f"{args.workers} warm worker processes (speed-up {one / many:.2f}x; starting and "
          f"warming the pool took {startup:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
