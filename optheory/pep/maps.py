r"""Worst-case maps over a grid of step sizes and momenta, on any executor.

For every cell :math:`(\eta, \beta)` of a grid, :func:`worst_case_map` puts side by side

* the **quadratic rate** :math:`\max_{\lambda \in [\mu, L]} \rho(R(\eta, \beta, \lambda))`
  from the derived spectral radius (:func:`optheory.analysis.sweep_maps.spectral_radius_map`,
  vectorised over the whole grid and :data:`CURVATURES` curvatures including both ends);
* the **worst case over** :math:`F(\mu, L)` after ``steps`` steps,
  :math:`\max \|x_N - x_*\|^2 / \|x_0 - x_*\|^2` (:mod:`optheory.pep.gram`: the
  same SDP as PEPit's, set up once per grid);
* the **IQC rate certificate** (:func:`optheory.pep.iqc.iqc_rate`), or NaN
  where no rate below 1 is certified.

Cells are independent: they go to any :class:`concurrent.futures.Executor`
in small batches (default: a process pool on the local cores; never threads,
PEPit and cvxpy keep global state; for a cluster pass
``dask.distributed.Client(address).get_executor()``).  Every finished cell is
written at once to a cache folder, one JSON file per cell named by a hash of
its inputs (written atomically), so an interrupted map resumes where it
stopped and an identical map is read back without solving anything.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import (
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    as_completed,
)
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from optheory._checks import check_positive_int
from optheory._extras import require
from optheory._io import atomic_write_text
from optheory.pep._system import System, system
from optheory.pep.params import check_class, check_eta_beta_names, check_steps, method_params

__all__ = ["CURVATURES", "WorstCaseMap", "default_cache_dir", "map_cells", "worst_case_map"]

#: curvatures (evenly spaced on [mu, L], both ends included) over which the quadratic rate is maximised
CURVATURES = 1025
#: bump when the meaning of a cached cell changes (2: the scaled SDP of optheory.pep.gram,
#: which gives values where version 1 left diverging cells without one)
_CACHE_VERSION = 2
_CELL_FIELDS = frozenset({"worst_case", "solver", "status", "seconds", "certificate"})
#: largest number of cells in one map
MAX_CELLS = 10_000


@dataclass(frozen=True)
class WorstCaseMap:
    """Outcome of :func:`worst_case_map`; arrays have shape ``(len(eta), len(beta))``.

    Attributes
    ----------
    method : str
    mu, L : float
    steps : int
        Horizon N of the worst case.
    eta, beta : ndarray
        The grid axes (``beta == [0]`` for gd).
    quadratic_rate : ndarray
        Worst spectral radius over curvatures in [mu, L].
    worst_case : ndarray
        :math:`\\max_{f \\in F(\\mu, L)} \\|x_N - x_*\\|^2 / \\|x_0 - x_*\\|^2` (NaN: no solver finished).
    certificate : ndarray
        Certified rate over :math:`F(\\mu, L)`; NaN where none (or ``certify=False``).
    solver, status : ndarray of str
        How each worst case was solved.
    cached : int
        Cells read from the cache instead of solved.
    seconds : ndarray
        Solve time per cell (as recorded when it was solved).
    """

    method: str
    mu: float
    L: float
    steps: int
    eta: np.ndarray
    beta: np.ndarray
    quadratic_rate: np.ndarray
    worst_case: np.ndarray
    certificate: np.ndarray
    solver: np.ndarray
    status: np.ndarray
    seconds: np.ndarray
    cached: int = 0
    certified_tol: float = field(default=1e-3)

    @property
    def per_step_worst_case(self) -> np.ndarray:
        """:math:`(\\text{worst case})^{1/(2N)}`: the worst case as a per-step factor on the distance."""
        with np.errstate(invalid="ignore"):
            return np.asarray(self.worst_case) ** (1.0 / (2 * self.steps))

    def worst_case_margin(self) -> np.ndarray:
        """Absolute accuracy of each worst-case value: the relative accuracy of its solver
        and status (:func:`optheory.pep.compare.solver_accuracy`) times ``max(1, value)``.
        A value within it of 1 is 1."""
        from optheory.pep.compare import solver_accuracy

        worst = np.asarray(self.worst_case, dtype=float)
        rel = np.array(
            [solver_accuracy(str(s), str(t))
             for s, t in zip(np.ravel(self.solver), np.ravel(self.status), strict=True)],
            dtype=float,
        ).reshape(worst.shape)
        with np.errstate(invalid="ignore"):
            return rel * np.fmax(1.0, np.abs(worst))

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able dict (NaN as null)."""

        def clean(a: np.ndarray) -> list[Any]:
            return [[None if not math.isfinite(v) else float(v) for v in row] for row in a]

        return {
            "method": self.method, "mu": self.mu, "L": self.L, "steps": self.steps,
            "eta": [float(v) for v in self.eta], "beta": [float(v) for v in self.beta],
            "quadratic_rate": clean(self.quadratic_rate),
            "worst_case": clean(self.worst_case),
            "certificate": clean(self.certificate),
            "solver": self.solver.tolist(), "status": self.status.tolist(),
            "cached_cells": self.cached,
        }


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/optheory/worst-case`` (``~/.cache/optheory/worst-case``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "optheory" / "worst-case"


def _axis(name: str, values: Any) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"grid[{name!r}] must be a non-empty 1-D sequence of numbers")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"grid[{name!r}] must be finite")
    return arr


def _grid_axes(method: str, grid: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    check_eta_beta_names("grid", grid, "{'eta': [0.02, 0.04], 'beta': [0.0, 0.5]} (1-D arrays)")
    eta = _axis("eta", grid["eta"])
    if method == "gd":
        beta = _axis("beta", grid.get("beta", [0.0]))
        if np.any(beta != 0):
            raise ValueError("grid['beta'] must be [0] for gd (it has no momentum)")
        beta = np.zeros(1)
    else:
        if "beta" not in grid:
            raise ValueError(f"grid must give beta for {method}")
        beta = _axis("beta", grid["beta"])
    return eta, beta


def _cell_key(method: str, mu: float, L: float, steps: int, eta: float, beta: float,
              certify: bool, tol: float) -> str:
    text = json.dumps([_CACHE_VERSION, method, mu.hex(), L.hex(), steps, eta.hex(), beta.hex(),
                       certify, tol.hex()])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@cache
def _gram(method: str, mu: float, L: float, steps: int) -> Any:
    from optheory.pep.gram import GramPEP

    return GramPEP(method, mu, L, steps)


def map_cells(
    method: str, mu: float, L: float, steps: int,
    cells: Sequence[tuple[float, float, System]], certify: bool = True, tol: float = 1e-3,
) -> list[dict[str, Any]]:
    """Solve a batch of cells in this process (what each executor task runs).

    Each cell is ``(eta, beta, system)`` with the state space evaluated at
    ``(eta * L, beta)`` by the caller, so that workers need no sympy.
    Returns one dict per cell: ``worst_case``, ``solver``, ``status``,
    ``seconds`` and ``certificate`` (None: no certificate or not asked).
    """
    from optheory.pep.iqc import certify as certify_cell

    pep = _gram(method, mu, L, steps)
    out = []
    for eta, beta, cell in cells:
        solved = pep.solve(eta, beta, cell=cell)
        rate = certify_cell(cell, mu / L, tol)[0] if certify else None
        out.append({
            "worst_case": None if not math.isfinite(solved.value) else solved.value,
            "solver": solved.solver, "status": solved.status, "seconds": solved.seconds,
            "certificate": rate,
        })
    return out


def _progress(total: int, initial: int, enabled: bool | None) -> Any:
    from tqdm import tqdm

    if enabled is None:
        enabled = sys.stderr.isatty()
    return tqdm(total=total, initial=initial, disable=not enabled, file=sys.stderr,
                unit="cell", desc="worst-case map", leave=False)


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for lo in range(0, len(items), size):
        yield items[lo:lo + size]


def _quadratic_rate(method: str, mu: float, L: float, eta: np.ndarray,
                    beta: np.ndarray) -> np.ndarray:
    from optheory.analysis.sweep_maps import spectral_radius_map

    lam = np.linspace(mu, L, CURVATURES)
    radius = spectral_radius_map(method, eta[:, None, None], lam[None, None, :],
                                 beta[None, :, None], engine="numpy")
    return np.asarray(radius.max(axis=2), dtype=float)


def worst_case_map(
    method: str,
    mu: float,
    L: float,
    grid: Mapping[str, Any],
    steps: int,
    executor: Executor | None = None,
    *,
    workers: int | None = None,
    cache_dir: str | os.PathLike[str] | None | bool = None,
    certify: bool = True,
    tol: float = 1e-3,
    progress: bool | None = None,
) -> WorstCaseMap:
    r"""Worst cases over :math:`F(\mu, L)`, IQC certificates and quadratic rates over a grid.

    Parameters
    ----------
    method : str
        ``"gd"``, ``"momentum"``, ``"nesterov"``, ``"polyak"`` or ``"ema"``.
    mu, L : float
        The class :math:`F(\mu, L)`, :math:`0 < \mu < L`.
    grid : mapping
        ``{"eta": 1-D array, "beta": 1-D array}`` (``beta`` omitted for gd);
        the cells are the Cartesian product, each with eta > 0, beta in [0, 1).
    steps : int
        Horizon N of the worst case, 1 to :data:`~optheory.pep.params.MAX_STEPS`.
    executor : concurrent.futures.Executor, optional
        Where the cells run, e.g. ``dask.distributed.Client(address).get_executor()``.
        Default: a process pool of ``workers`` processes (``workers=1``: this process).
    workers : int, optional
        Processes of the default pool (default: the local cores).  The pool
        starts fresh interpreters (``spawn``): in a script, call
        ``worst_case_map`` under ``if __name__ == "__main__":``.
    cache_dir : path, optional
        Folder of finished cells (default :func:`default_cache_dir`);
        ``False`` turns the cache off.
    certify : bool
        Also run the IQC certificate per cell (the costly part; default True).
    tol : float
        Bisection tolerance of the certificates (default 1e-3).
    progress : bool, optional
        A tqdm bar on stderr counting cells; by default when stderr is a terminal.

    Returns
    -------
    WorstCaseMap

    Raises
    ------
    ValueError
        Bad class, method, grid (empty, non-finite, eta <= 0, beta outside [0, 1),
        more than :data:`MAX_CELLS` cells), ``steps`` outside [1, MAX_STEPS], an
        ``executor`` that is not an Executor or is a thread pool; all before any work.
    optheory._extras.MissingExtraError
        The ``pep`` extra (cvxpy, CLARABEL) is not installed.

    Examples
    --------
    On a Dask cluster (``pip install 'optheory[distributed]'``)::

        from dask.distributed import Client
        with Client("tcp://scheduler:8786") as client:
            result = worst_case_map("momentum", 1, 25, grid, 5,
                                    executor=client.get_executor())
    """
    mu, L = check_class(mu, L)
    steps = check_steps(steps)
    eta_axis, beta_axis = _grid_axes(method, grid)
    if eta_axis.size * beta_axis.size > MAX_CELLS:
        raise ValueError(f"grid has {eta_axis.size * beta_axis.size} cells; at most {MAX_CELLS}")
    for e in eta_axis:
        for b in beta_axis:
            method_params(method, mu, L, {"eta": e, "beta": b})
    if workers is not None:
        workers = check_positive_int("workers", workers, maximum=1024)
    if not (isinstance(tol, int | float) and 0 < tol <= 0.1):
        raise ValueError(f"tol must lie in (0, 0.1], got {tol!r}")
    if executor is not None and not isinstance(executor, Executor):
        raise ValueError(f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}")
    if isinstance(executor, ThreadPoolExecutor):
        raise ValueError(
            "executor is a ThreadPoolExecutor: the cells' solvers keep global state, so run them "
            "in processes (a ProcessPoolExecutor, Dask's executor, or executor=None)"
        )
    require("clarabel", "pep", purpose="worst_case_map")
    require("cvxpy", "pep", purpose="worst_case_map")
    folder: Path | None
    if cache_dir is False:
        folder = None
    elif cache_dir is None or cache_dir is True:
        folder = default_cache_dir()
    else:
        folder = Path(cache_dir)

    shape = (eta_axis.size, beta_axis.size)
    cells = [(float(e), float(b)) for e in eta_axis for b in beta_axis]
    keys = [_cell_key(method, mu, L, steps, e, b, certify, float(tol)) for e, b in cells]
    results: list[dict[str, Any] | None] = [None] * len(cells)
    if folder is not None:
        for k, key in enumerate(keys):
            path = folder / f"{key}.json"
            if path.is_file():
                try:
                    value = json.loads(path.read_text())
                except (OSError, ValueError):
                    continue  # unreadable: solve it again
                if isinstance(value, dict) and _CELL_FIELDS <= set(value):
                    results[k] = value
    cached = sum(r is not None for r in results)
    todo = [k for k, r in enumerate(results) if r is None]

    def task(k: int) -> tuple[float, float, System]:
        eta, beta = cells[k]
        return eta, beta, system(method, eta * L, beta)  # scaled to L = 1

    def record(indices: list[int], values: list[dict[str, Any]]) -> None:
        for k, value in zip(indices, values, strict=True):
            results[k] = value
            if folder is not None:
                atomic_write_text(folder / f"{keys[k]}.json", json.dumps(value))

    with _progress(len(cells), cached, progress) as bar:
        if todo:
            n_workers = workers or os.cpu_count() or 1
            if executor is None and n_workers == 1:
                for k in todo:
                    record([k], map_cells(method, mu, L, steps, [task(k)], certify, tol))
                    bar.update(1)
            else:
                size = max(1, min(8, len(todo) // (4 * n_workers)))
                own = executor is None
                pool: Executor = executor if executor is not None else _process_pool(n_workers)
                try:
                    futures: dict[Future[Any], list[int]] = {}
                    for batch in _batches(todo, size):
                        future = pool.submit(map_cells, method, mu, L, steps,
                                             [task(k) for k in batch], certify, tol)
                        futures[future] = batch
                    try:
                        for future in as_completed(futures):
                            batch = futures[future]
                            record(batch, future.result())
                            bar.update(len(batch))
                    except BaseException:
                        # interrupted (Ctrl-C, a failed task): keep every batch that finished
                        for done, batch in futures.items():
                            if (done.done() and not done.cancelled() and results[batch[0]] is None
                                    and done.exception() is None):
                                record(batch, done.result())
                        raise
                finally:
                    if own:
                        pool.shutdown(wait=True, cancel_futures=True)

    def grid_of(name: str, fill: Any = math.nan) -> np.ndarray:
        values = [fill if r is None or r[name] is None else r[name] for r in results]
        return np.array(values).reshape(shape)

    return WorstCaseMap(
        method, mu, L, steps, eta_axis, beta_axis,
        _quadratic_rate(method, mu, L, eta_axis, beta_axis),
        grid_of("worst_case").astype(float), grid_of("certificate").astype(float),
        grid_of("solver", ""), grid_of("status", ""), grid_of("seconds").astype(float),
        cached, float(tol),
    )


def _process_pool(workers: int) -> ProcessPoolExecutor:
    import multiprocessing

    # spawn: a fresh interpreter per worker, no state shared with the caller (threads,
    # PEPit/cvxpy globals), and the same behaviour on every platform
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
