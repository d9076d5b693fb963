r"""Batched simulation of many hyperparameter settings on an eigen-decomposed quadratic.

:func:`simulate` advances K settings (rows) on all d components (columns) of
an :class:`~optheory.numeric.problems.EigenQuadratic` at once and reduces each
run to three numbers: the final error :math:`\|x_T - x^\star\|`, a fitted
per-step rate, and the first non-finite step.  It is the kernel behind
:func:`optheory.analysis.sweep.sweep`.

Two kernels compute the same numbers:

* ``"generic"`` calls the method's own pure ``update``
  (:func:`optheory.numeric.optimizers.get_method`) on (K, d) arrays.  The
  linear methods (gd, momentum, nesterov) run in eigen-coordinates
  :math:`z = O(x - x^\star)`, where the gradient is :math:`\lambda \odot z`
  and the components decouple; the adaptive methods are not rotation
  invariant, so they run in the problem's own coordinates with
  ``problem.grad``.
* ``"fused"`` (linear methods only) first *probes* the own ``update`` on unit
  states to read off its linear map :math:`M` per (setting, component), then
  iterates the error alone through the Cayley--Hamilton recurrence

  .. math:: z_{t+1} = \operatorname{tr}(M)\, z_t - \det(M)\, z_{t-1}
            \qquad (t \ge 1),

  with :math:`z_1` from one call of ``update``.  That is three in-place
  passes over the state per step, on chunks of settings small enough to
  stay in cache.  It agrees with ``"generic"`` to rounding (tested to 1e-12).
* ``"compiled"`` (linear methods, numpy backend, needs numba) is ``"fused"``
  with the recurrence stepped by a compiled loop
  (:mod:`optheory.numeric.compiled`) that keeps a row in the L1 cache for
  several steps; bit-identical to ``"fused"``.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from optheory._budget import DEFAULT_MAX_SECONDS
from optheory._checks import check_choice, check_in_range, check_positive_int
from optheory.methods import check_method, methods_with
from optheory.numeric.backend import (
    as_array,
    check_backend,
    import_torch,
    to_numpy,
    torch_cpu_threads,
)
from optheory.numeric.compiled import numba_available, recurrence_steps, warm_up
from optheory.numeric.optimizers import CONVENTIONS, batch_size, get_method
from optheory.numeric.optimizers._spec import check_hyper_value
from optheory.numeric.problems import EigenQuadratic
from optheory.numeric.trajectory import overflow_ok, start_point

__all__ = [
    "CHECK_EVERY",
    "FIT_EVERY",
    "KERNELS",
    "LINEAR_METHODS",
    "SimulationOutput",
    "SimulationPlan",
    "bytes_per_setting",
    "check_sweep_seconds",
    "estimate_sweep_seconds",
    "fit_start",
    "fit_stride",
    "linear_recurrence",
    "plan_simulation",
    "run_plan",
    "simulate",
]

#: Methods whose update is linear in (x, buffers) on a quadratic.
LINEAR_METHODS = methods_with("rate", "run")
KERNELS = ("auto", "fused", "compiled", "generic")
# the kernels that iterate the recurrence read off the update
_FUSED_KERNELS = ("fused", "compiled")
#: Steps between two checks for divergence (and rescaling, fused kernel).
CHECK_EVERY = 32
#: Default stride between the tail norms fitted for the rate (see :func:`fit_stride`).
FIT_EVERY = 4
MAX_STEPS = 10_000_000
# Elements per state array in one chunk: small enough that the fused kernel's
# five (chunk, d) arrays stay in a core's L2 cache on numpy; torch pays more
# per call, so it takes bigger chunks.  CUDA is limited by max_memory alone.
_CACHE_ELEMENTS = {"numpy": 2**15, "torch": 2**17}
# Full-size arrays per setting row: fused keeps A, C, z, z_prev and tmp;
# probing the update and the final norm add a few transients.
_FUSED_ARRAYS = 12
_TINY = float(np.finfo(np.float64).tiny)


@dataclass(frozen=True, eq=False)
class SimulationOutput:
    """Per-setting results of :func:`simulate`, flat arrays of shape (K,).

    Attributes
    ----------
    final_error : ndarray
        :math:`\\|x_T - x^\\star\\|` (equal to :math:`\\|z_T\\|`); ``inf`` for a
        setting that diverged.
    rate : ndarray
        Fitted per-step factor (see :func:`simulate`); NaN where fewer than
        two tail norms were usable.
    diverged_at : ndarray of int64
        First step whose iterate has a non-finite entry, -1 if none.
    fit_start : int
        First step of the fitted tail.
    kernel : str
        ``"fused"``, ``"compiled"`` or ``"generic"``: the kernel that ran.
    chunk : int
        Settings per chunk.
    fit_stride : int
        Steps between two fitted tail norms (:func:`fit_stride`).
    """

    final_error: np.ndarray
    rate: np.ndarray
    diverged_at: np.ndarray
    fit_start: int
    kernel: str
    chunk: int
    fit_stride: int = 1


def fit_start(steps: int, tail: float) -> int:
    r"""First step of the tail fitted for the rate: :math:`\lfloor (1 - \text{tail})\, T \rfloor`,
    at most :math:`T - 1` so the fit always has two points."""
    return min(int(math.floor((1.0 - tail) * steps)), steps - 1)


def fit_stride(steps: int, t0: int, fit_every: int) -> int:
    r"""Stride between fitted tail norms: ``fit_every``, at most :math:`T - t_0` so the fit has two.

    The fitted steps are :math:`t_0, t_0 + s, t_0 + 2s, \dots \le T`.
    """
    return max(1, min(fit_every, steps - t0))


def bytes_per_setting(method: str, dim: int, kernel: str, convention: str = "textbook") -> int:
    """Estimated peak bytes one setting adds to a chunk (float64 state arrays x a small factor).

    The fused kernel holds a fixed set of (chunk, d) arrays; the generic one
    keeps the state, its snapshot and the temporaries ``update`` allocates,
    about four arrays per state field.
    """
    if kernel in _FUSED_KERNELS:
        arrays = _FUSED_ARRAYS
    else:
        spec = get_method(method, convention)
        fields = _array_fields(spec.init(np.zeros((1, 1)), _first_row(spec)))
        arrays = 4 * (1 + len(fields)) + 6
    return 8 * (arrays * dim + _TailFit.CAPACITY + CHECK_EVERY + 16)


# Seconds per (setting, step, component + _ROW_COMPONENTS) of each kernel, about
# twice what `sweep` took on the 2-core development machine under a load of ~8
# (momentum, 64 x 64 settings, 100 eigenvalues, 200 steps, and 10^6 settings of
# 2 eigenvalues): compiled 3.7e-9, fused 8.4e-9 (torch 6.8e-9), generic 1.8e-8;
# adam (generic) 4.9e-8 on numpy, 8.8e-8 on torch.  _ROW_COMPONENTS is the
# per-row overhead seen at small d (momentum, d = 2: about 1e-8 per component).
_SECONDS_PER_ELEMENT_STEP = {
    "compiled": 4e-9, "fused": 1e-8, "generic-linear": 2e-8,
    "generic-adaptive": 1e-7,
}
_ROW_COMPONENTS = 4
# A dense (rotated) basis makes problem.grad a (d x d) product per setting and step.
_SECONDS_PER_MATMUL_ELEMENT = 2e-9
# Per setting before and after stepping (resolving the grid, probing the update,
# reductions): about 3e-6 s measured with 10^6 settings of gd; the closed-form
# map adds about 1e-6 s per (setting, component) (2 x 2 eigenvalues per pair).
_SECONDS_PER_SETTING = 4e-6
_SECONDS_PER_CLOSED_FORM_ELEMENT = 2e-6


def resolve_kernel(method: str, backend: str, kernel: str) -> str:
    """The kernel ``"auto"`` stands for (see :func:`simulate`); others unchanged."""
    if kernel != "auto":
        return kernel
    if method not in LINEAR_METHODS:
        return "generic"
    return "compiled" if backend == "numpy" and numba_available() else "fused"


def estimate_sweep_seconds(
    method: str, settings: int, steps: int, dim: int, *, kernel: str = "auto",
    backend: str = "numpy", dense_basis: bool = False, closed_form: bool = False,
    simulate: bool = True,
) -> float:
    r"""Seconds a sweep will take, estimated from its exact size before any work.

    .. math:: t \approx K T (d + 4) c_{\text{kernel}} + K T d^2 c_{\text{matmul}}
              + K (c_{\text{setting}} + d\, c_{\text{closed}})

    with K settings, T steps, d components and per-element constants measured
    (and doubled) on a 2-core machine; the matmul term only for an adaptive
    method on a rotated basis, the closed-form term only for linear methods.
    Conservative on a CPU: a refusal based on it may come early, never late.
    Not meaningful on CUDA (the caller skips it there).
    """
    kernel = resolve_kernel(method, backend, kernel)
    linear = method in LINEAR_METHODS
    total = float(settings) * _SECONDS_PER_SETTING
    if linear:
        total += float(settings) * dim * _SECONDS_PER_CLOSED_FORM_ELEMENT
    if simulate and not (closed_form and linear):
        key = kernel if kernel != "generic" else ("generic-linear" if linear else "generic-adaptive")
        work = float(settings) * steps
        total += work * (dim + _ROW_COMPONENTS) * _SECONDS_PER_ELEMENT_STEP[key]
        if dense_basis and not linear:
            total += work * float(dim) ** 2 * _SECONDS_PER_MATMUL_ELEMENT
    return total


def check_sweep_seconds(
    method: str, settings: int, steps: int, dim: int, max_seconds: float | None, *,
    kernel: str = "auto", backend: str = "numpy", device: str = "cpu",
    dense_basis: bool = False, closed_form: bool = False, what: str = "this sweep",
) -> None:
    """Refuse, before any work, a sweep estimated to exceed ``max_seconds``.

    Raises
    ------
    ValueError
        One line: the size, the estimate, the limit and how to raise it.
    """
    if max_seconds is None or str(device).startswith("cuda"):
        return
    estimate = estimate_sweep_seconds(
        method, settings, steps, dim, kernel=kernel, backend=backend,
        dense_basis=dense_basis, closed_form=closed_form,
    )
    if estimate > max_seconds:
        raise ValueError(
            f"{what} ({settings} settings x {steps} steps x {dim} components) is estimated "
            f"at about {estimate:.3g} s, above max_seconds={max_seconds:g}; raise max_seconds "
            "(None for no limit), or use fewer settings or steps"
        )


def simulate(
    method: str,
    problem: EigenQuadratic,
    hyper: Mapping[str, Any],
    steps: int,
    *,
    convention: str = "textbook",
    backend: str = "numpy",
    device: str = "cpu",
    x0: Any = None,
    max_memory: int = 2**30,
    tail: float = 0.5,
    kernel: str = "auto",
    chunk: int | None = None,
    progress: bool | None = None,
    fit_every: int = FIT_EVERY,
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
) -> SimulationOutput:
    r"""Run K hyperparameter settings of ``method`` on ``problem`` for ``steps`` steps.

    Parameters
    ----------
    method : str
        One of ``optheory.numeric.optimizers.METHODS``.
    problem : EigenQuadratic
        The quadratic; any backend (the simulation uses ``backend``).
    hyper : mapping
        Hyperparameters by their textbook names: 1-D arrays of one length K
        (the settings) or scalars shared by all; defaults as in ``run``.
    steps : int
        Number of updates T (>= 1).
    convention : {"textbook", "torch"}
        Arithmetic of the own implementation (matters for adaptive methods).
    backend, device : str
        ``"numpy"`` on ``"cpu"``, or ``"torch"`` on ``"cpu"`` / ``"cuda"``.
    x0 : (d,) array_like, optional
        Start in the problem's coordinates; by default
        :math:`x_0 = x^\star + O^\top \mathbf 1`, i.e. every eigen-component
        starts at 1 so every one is excited.
    max_memory : int
        Bound in bytes on the chunk's working arrays (see
        :func:`bytes_per_setting`); settings are processed in chunks under it.
    tail : float in (0, 1]
        Fraction of the run whose norms are fitted for the rate.
    kernel : {"auto", "fused", "compiled", "generic"}
        ``"auto"`` is ``"compiled"`` for linear methods on numpy when numba is
        installed (``pip install 'optheory[fast]'``), ``"fused"`` for other
        linear runs, else ``"generic"``.
    chunk : int, optional
        Settings per chunk (default: what fits the cache and ``max_memory``).
    progress : bool, optional
        Show a tqdm bar; by default only when stderr is a terminal.
    fit_every : int
        Stride s between the tail norms fitted for the rate (``FIT_EVERY`` = 4
        by default; 1 fits every tail step).  Every step is still simulated.
    max_seconds : float or None
        Refuse a simulation whose time, estimated from the work done in its
        first fraction of a second (settings x steps), exceeds this (default
        60); None for no limit.

    Returns
    -------
    SimulationOutput

    Algorithm
    ---------
    *Rate.*  At the tail steps :math:`t = t_0, t_0 + s, \dots \le T`
    (:func:`fit_start`, :func:`fit_stride`) the error norms
    :math:`e_t = \|x_t - x^\star\|` are recorded and the rate is
    :math:`q = \exp(\hat s)`, :math:`\hat s` the least-squares slope of
    :math:`\log e_t` on :math:`t` over those points whose squared norm is
    finite and a normal float -- with s = 1,
    :func:`optheory.numeric.rates.empirical_rate` with ``skip = t0`` when every
    tail norm is usable.  The slope is exact on a geometric sequence for any
    s; recording one norm in s saves a pass over the state on s - 1 of the
    tail steps.  For a linear method the slope tends to
    :math:`\log \max_i \rho(M_i)` over the excited components.  The fused
    kernel divides each row by a power of two at every check (exact) and
    keeps the exponent, so its norms never leave the float range; the generic
    kernel's do once :math:`e_t < 10^{-154}`.

    *Divergence.*  Every ``CHECK_EVERY`` steps the generic kernel screens row
    sums for non-finite entries and replays a confirmed row one step at a time
    from its last snapshot (states are immutable, so a snapshot is a
    reference); non-finite values persist under these updates, so the window
    holds the first non-finite step.  The fused kernel hands every row that
    turns non-finite or grows past :math:`2^{1000}` to the generic kernel,
    which reruns it from the start: the step reported is that of the method's
    own arithmetic (where an intermediate such as :math:`\lambda z`
    overflows), as in :func:`optheory.numeric.run.run`.

    Raises
    ------
    ValueError
        Unknown method, convention, backend or kernel; bad hyperparameters;
        ``steps`` < 1; ``tail`` outside (0, 1]; ``fit_every`` < 1; a start of
        the wrong shape; ``max_memory`` below one setting; a problem that is
        not an EigenQuadratic.  All checked before any simulation.
    """
    plan = plan_simulation(
        method, problem, hyper, steps, convention=convention, backend=backend, device=device,
        x0=x0, max_memory=max_memory, tail=tail, kernel=kernel, chunk=chunk,
        fit_every=fit_every,
    )
    check_sweep_seconds(
        method, plan.size, plan.steps, plan.lam.size, max_seconds, kernel=plan.kernel,
        backend=backend, device=device, dense_basis=not problem._diagonal, what="this simulation",
    )
    return run_plan(plan, progress, max_seconds)


# -- planning (all validation) -------------------------------------------------


@dataclass(frozen=True, eq=False)
class SimulationPlan:
    """A validated simulation: what :func:`run_plan` will do, nothing run yet.

    Attributes
    ----------
    method, convention, kernel, backend, device : str
    steps : int
    t0 : int
        First step of the fitted tail (:func:`fit_start`).
    stride : int
        Steps between two fitted tail norms (:func:`fit_stride`).
    chunk : int
        Settings per chunk.
    size : int
        Number of settings K.
    hyper : dict
        Resolved hyperparameters (batches as float64 arrays of shape (K,)).
    start : (d,) ndarray
        Start error: eigen-coordinates for linear methods, else the start
        point in the problem's coordinates.
    lam : (d,) ndarray
        Eigenvalues.
    problem : EigenQuadratic
    """

    method: str
    convention: str
    kernel: str
    backend: str
    device: str
    steps: int
    t0: int
    stride: int
    chunk: int
    size: int
    hyper: dict[str, Any]
    start: np.ndarray
    lam: np.ndarray
    problem: EigenQuadratic


def plan_simulation(
    method: str,
    problem: Any,
    hyper: Mapping[str, Any],
    steps: int,
    *,
    convention: str = "textbook",
    backend: str = "numpy",
    device: str = "cpu",
    x0: Any = None,
    max_memory: int = 2**30,
    tail: float = 0.5,
    kernel: str = "auto",
    chunk: int | None = None,
    fit_every: int = FIT_EVERY,
) -> SimulationPlan:
    """Validate the arguments of :func:`simulate` and size the chunks; runs nothing.

    Raises
    ------
    ValueError
        As :func:`simulate`.
    """
    check_method(method, "run")
    check_choice("convention", convention, CONVENTIONS)
    check_choice("kernel", kernel, KERNELS)
    steps = check_positive_int("steps", steps, maximum=MAX_STEPS)
    tail = check_in_range("tail", tail, 0.0, 1.0, low_open=True)
    fit_every = check_positive_int("fit_every", fit_every, maximum=MAX_STEPS)
    check_backend(backend, device)
    if not isinstance(problem, EigenQuadratic):
        raise ValueError(
            f"problem must be an EigenQuadratic (sweeps use its eigenvalues), got "
            f"{type(problem).__name__}"
        )
    if not isinstance(hyper, Mapping):
        raise ValueError(f"hyper must be a mapping name -> values, got {type(hyper).__name__}")
    spec = get_method(method, convention)
    resolved = _resolve(spec, hyper)
    size = batch_size(resolved) or 1
    linear = method in LINEAR_METHODS
    kernel = resolve_kernel(method, backend, kernel)
    if kernel in _FUSED_KERNELS and not linear:
        raise ValueError(
            f"kernel '{kernel}' is for the linear methods ({', '.join(LINEAR_METHODS)}); "
            f"use kernel='generic' for {method}"
        )
    if kernel == "compiled" and backend != "numpy":
        raise ValueError("kernel 'compiled' runs on the numpy backend; use kernel='fused' "
                         f"with backend '{backend}'")
    if kernel == "compiled" and not numba_available():
        raise ValueError("kernel 'compiled' needs numba: pip install 'optheory[fast]', "
                         "or use kernel='fused'")
    lam = np.asarray(to_numpy(problem.eigenvalues), dtype=float)
    d = lam.size
    host = problem if problem.backend == "numpy" else problem.with_backend("numpy")
    if x0 is None:
        x_start = np.asarray(host.from_eigen(np.ones(d)), dtype=float)
    else:
        x_start = start_point(problem, x0, None)
        if x_start.ndim != 1:
            raise ValueError(f"x0 must have shape ({d},) for a sweep, got {x_start.shape}")
    # Linear methods run on eigen-coordinates z = O (x - x*); adaptive ones on x itself.
    start = np.ones(d) if linear and x0 is None else x_start
    if linear and x0 is not None:
        start = np.asarray(host.to_eigen(x_start), dtype=float)
    per = bytes_per_setting(method, d, kernel, convention)
    fixed = 0 if linear else 8 * d * d  # the Hessian, for problem.grad
    max_memory = check_positive_int("max_memory", max_memory)
    if max_memory < fixed + per:
        raise ValueError(
            f"max_memory must be at least {fixed + per} bytes to hold one setting of "
            f"{method} on {d} components, got {max_memory}"
        )
    rows = (max_memory - fixed) // per
    if chunk is not None:
        rows = min(rows, check_positive_int("chunk", chunk))
    elif not device.startswith("cuda"):
        rows = min(rows, max(1, _CACHE_ELEMENTS[backend] // d))
    rows = min(rows, size)
    t0 = fit_start(steps, tail)
    return SimulationPlan(
        method, convention, kernel, backend, device, steps, t0, fit_stride(steps, t0, fit_every),
        rows, size, resolved, start, lam, problem,
    )


def _resolve(spec: Any, hyper: Mapping[str, Any]) -> dict[str, Any]:
    """``spec.resolve(hyper)`` checking each distinct batched value once.

    ``Method.resolve`` checks batch entries one by one in Python; a grid of K
    settings repeats few distinct values, so those are checked (and only on
    failure the whole batch again, for the message naming the first bad index).
    """
    rules = {h.name: h for h in spec.hypers}
    batches: dict[str, np.ndarray] = {}
    for key, value in hyper.items():
        h = rules.get(key)
        if h is None or h.rule == "flag" or isinstance(value, str | bytes) or np.ndim(value) != 1:
            continue
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            continue
        if arr.size == 0:
            continue
        try:
            check_hyper_value(h, np.unique(arr))
        except ValueError:
            check_hyper_value(h, arr)
            raise
        batches[key] = arr
    resolved = spec.resolve({k: (v[:1] if k in batches else v) for k, v in hyper.items()})
    sizes = {k: v.size for k, v in batches.items()}
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{k} has {n}" for k, n in sizes.items())
        raise ValueError(f"batched hyperparameters must have one length; {listed}")
    resolved.update(batches)
    return resolved


def _first_row(spec: Any) -> dict[str, Any]:
    # Defaults for the required hyperparameters are irrelevant to the state's layout.
    hyper: dict[str, Any] = {}
    for h in spec.hypers:
        if h.default is not None:
            hyper[h.name] = h.default
        else:
            hyper[h.name] = 0.5
    return hyper


def _array_fields(state: Any) -> tuple[str, ...]:
    return tuple(name for name in state._fields if name != "step")


# -- execution -------------------------------------------------------------------


class _Clock:
    """Estimates a simulation's total time from its first fraction of a second.

    Work is counted in setting-steps; once the elapsed time passes
    :data:`_PROBE_SECONDS`, the total is extrapolated once and compared with
    ``max_seconds``.
    """

    def __init__(self, total_work: float, max_seconds: float | None) -> None:
        self.total = total_work
        self.limit = max_seconds
        self.done = 0.0
        self.start = time.perf_counter()
        self.checked = max_seconds is None

    def tick(self, work: float) -> None:
        self.done += work
        if self.checked:
            return
        elapsed = time.perf_counter() - self.start
        if elapsed < _PROBE_SECONDS or self.done <= 0:
            return
        self.checked = True
        estimate = elapsed * self.total / self.done
        if self.limit is not None and estimate > self.limit:
            raise ValueError(
                f"this sweep ({self.total:.3g} setting-steps) would take about {estimate:.0f} s, "
                f"above max_seconds={self.limit:g}; raise max_seconds, or use fewer settings "
                "or steps"
            )


_PROBE_SECONDS = 0.2


def run_plan(
    plan: SimulationPlan,
    progress: bool | None = None,
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
) -> SimulationOutput:
    """Run a :class:`SimulationPlan` chunk by chunk; see :func:`simulate`."""
    size = plan.size
    if plan.kernel == "compiled":
        warm_up()  # the first call compiles (seconds): not part of the probed rate
    clock = _Clock(float(size) * plan.steps, max_seconds)
    final = np.empty(size)
    rate = np.empty(size)
    diverged = np.empty(size, dtype=np.int64)
    show = sys.stderr.isatty() if progress is None else bool(progress)
    bar = _progress_bar(size, plan.method, show)
    ops = _Ops(plan.backend, plan.device)
    # The fused kernel's buffers are allocated once and reused by every chunk.
    fused = plan.kernel in _FUSED_KERNELS
    space = _Workspace(plan.chunk, plan.lam.size, ops) if fused else None
    threads = (
        torch_cpu_threads(plan.chunk * plan.lam.size, plan.device)
        if plan.backend == "torch" else contextlib.nullcontext()
    )
    try:
        with overflow_ok(), threads:
            for lo in range(0, size, plan.chunk):
                rows = np.arange(lo, min(lo + plan.chunk, size))
                out = _run_chunk(_make_stepper(plan, rows, ops, space), plan, ops, clock)
                final[rows], rate[rows], diverged[rows] = out
                if fused:
                    # Settings that left the float range are rerun by the own update, so
                    # the step of overflow is that of the method's own arithmetic.
                    redo = rows[out[2] >= 0]
                    if redo.size:
                        out = _run_chunk(_make_stepper(plan, redo, ops, None), plan, ops)
                        final[redo], rate[redo], diverged[redo] = out
                if bar is not None:
                    bar.update(rows.size)
    finally:
        if bar is not None:
            bar.close()
    return SimulationOutput(
        final, rate, diverged, plan.t0, plan.kernel, plan.chunk, plan.stride
    )


def _progress_bar(total: int, method: str, show: bool) -> Any:
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="setting", desc=f"sweep {method}", file=sys.stderr)


def _run_chunk(
    stepper: Any, plan: SimulationPlan, ops: _Ops, clock: _Clock | None = None
) -> tuple[Any, Any, Any]:
    """Final norms, tail rates and divergence steps of one chunk of settings."""
    steps, t0, stride = plan.steps, plan.t0, plan.stride
    diverged = np.full(stepper.rows, -1, dtype=np.int64)
    fit = _TailFit(stepper.rows, t0, steps, ops)
    # next fitted step: t0, t0 + stride, ...
    due = t0
    if t0 == 0:
        fit.add(0, stepper.error())
        due = stride
    snap, t_snap, t = stepper.snapshot(), 0, 0
    while t < steps:
        window_start = t
        end = min(t + CHECK_EVERY, steps)
        while due <= end:
            stepper.advance(due - t)
            t = due
            fit.add(t, stepper.error())
            due += stride
        if t < end:
            stepper.advance(end - t)
            t = end
        if clock is not None:
            clock.tick(float(stepper.rows) * (end - window_start))
        fit.flush(stepper.log_scale)
        bad = stepper.newly_bad(diverged < 0)
        if bad.size:
            if snap is None:
                diverged[bad] = t  # fused: run_plan reruns these rows exactly
            else:
                diverged[bad] = _first_bad_steps(stepper.subset(snap, bad), t_snap, t, ops)
        if (diverged >= 0).all():
            break
        stepper.renormalize()
        snap, t_snap = stepper.snapshot(), t
    return stepper.final_norms(), fit.rates(), diverged


def _first_bad_steps(stepper: Any, t_from: int, t_to: int, ops: _Ops) -> np.ndarray:
    # Replay a window known to contain each row's first non-finite step.
    first = np.full(stepper.rows, t_to, dtype=np.int64)
    pending = np.ones(stepper.rows, dtype=bool)
    for t in range(t_from + 1, t_to + 1):
        stepper.advance(1)
        hit = pending & ~ops.finite_rows(stepper.error())
        first[hit] = t
        pending &= ~hit
        if not pending.any():
            break
    return first


class _Ops:
    """The few array operations the driver needs, for numpy or torch."""

    def __init__(self, backend: str, device: str) -> None:
        self.backend = backend
        self.device = device
        self.torch = import_torch() if backend == "torch" else None

    def array(self, a: Any) -> Any:
        return as_array(a, self.backend, self.device)

    def empty(self, shape: tuple[int, ...]) -> Any:
        if self.torch is None:
            return np.empty(shape)
        return self.torch.empty(shape, dtype=self.torch.float64, device=self.device)

    def index(self, rows: np.ndarray) -> Any:
        return rows if self.torch is None else self.torch.as_tensor(rows, device=self.device)

    def sumsq(self, e: Any, out: Any = None) -> Any:
        """Row-wise sums of squares of ``e`` (into ``out`` when given)."""
        if self.torch is None:
            return _VECDOT(e, e, out=out)
        return self.torch.linalg.vecdot(e, e, out=out)

    def screen(self, e: Any) -> np.ndarray:
        """False for rows that may hold a non-finite entry (row sum not finite).

        A NaN or inf entry always makes the sum non-finite; an overflowing sum
        of finite entries is a false alarm, ruled out by :meth:`finite_rows`.
        """
        if self.torch is None:
            return np.asarray(np.isfinite(e @ np.ones(e.shape[1])))
        return to_numpy(self.torch.isfinite(e.sum(dim=1)))

    def finite_rows(self, e: Any) -> np.ndarray:
        if self.torch is None:
            return np.asarray(np.isfinite(e).all(axis=1))
        return to_numpy(self.torch.isfinite(e).all(dim=1))

    def norms(self, e: Any) -> np.ndarray:
        """Euclidean row norms, scaled against overflow; inf for non-finite rows."""
        a = np.abs(to_numpy(e))
        ok = np.isfinite(a).all(axis=1)
        scale = np.where(ok, a.max(axis=1, initial=0.0), 1.0)
        scale = np.where(scale > 0, scale, 1.0)
        b = a / scale[:, None]
        return np.asarray(np.where(ok, scale * np.sqrt(_VECDOT(b, b)), np.inf))


def _einsum_vecdot(a: np.ndarray, b: np.ndarray, out: Any = None) -> Any:  # numpy < 2.0
    return np.einsum("ij,ij->i", a, b, out=out)


_VECDOT: Callable[..., Any] = getattr(np, "vecdot", _einsum_vecdot)


class _TailFit:
    r"""Least-squares slope of :math:`\log e_t` on :math:`t` over the tail, per row.

    Squared norms are buffered (with the per-row log-scale in force when they
    were taken), then folded into the sums
    :math:`\sum 1, \sum \tau, \sum \tau^2, \sum y, \sum \tau y` with centred
    time :math:`\tau = t - (t_0 + T)/2` (centring avoids cancellation).  The
    fold runs when the buffer is nearly full and at the end, not at every
    check: at cache-sized chunks its dozen small array operations would
    otherwise cost a visible share of the run.
    """

    #: Rows of the norm buffer.
    CAPACITY = 4 * CHECK_EVERY

    def __init__(self, rows: int, t0: int, steps: int, ops: _Ops) -> None:
        self.ops = ops
        self.center = 0.5 * (t0 + steps)
        self.buffer = ops.empty((self.CAPACITY, rows))
        self.times: list[int] = []
        # (number of buffered norms, log-scale of those rows) per check window
        self.segments: list[tuple[int, Any]] = []
        self.marked = 0
        self.sums = np.zeros((5, rows))

    def add(self, t: int, e: Any) -> None:
        self.ops.sumsq(e, out=self.buffer[len(self.times)])
        self.times.append(t)

    def flush(self, log_scale: Any) -> None:
        """Close a check window: ``log_scale`` (per row) belongs to the norms since the last."""
        n = len(self.times)
        if n > self.marked:
            self.segments.append((n - self.marked, log_scale))
            self.marked = n
        if n + CHECK_EVERY + 1 > self.CAPACITY:
            self._fold()

    def _fold(self) -> None:
        n = len(self.times)
        if n == 0:
            return
        sq = to_numpy(self.buffer[:n])
        scale = np.concatenate(
            [np.broadcast_to(ls, (k, sq.shape[1])) for k, ls in self.segments], axis=0
        )
        valid = np.isfinite(sq) & (sq >= _TINY)
        y = np.where(valid, 0.5 * np.log(np.where(valid, sq, 1.0)) + scale, 0.0)
        tau = (np.asarray(self.times, dtype=float) - self.center)[:, None]
        w = valid.astype(float)
        self.sums += np.stack(
            [w.sum(0), (w * tau).sum(0), (w * tau * tau).sum(0), y.sum(0), (tau * y).sum(0)]
        )
        self.times, self.segments, self.marked = [], [], 0

    def rates(self) -> np.ndarray:
        self._fold()
        s0, s1, s2, sy, sty = self.sums
        den = s0 * s2 - s1 * s1
        ok = (s0 >= 2) & (den > 0)
        slope = np.where(ok, (s0 * sty - s1 * sy) / np.where(ok, den, 1.0), np.nan)
        return np.asarray(np.exp(slope))


# -- steppers --------------------------------------------------------------------


def _make_stepper(plan: SimulationPlan, rows: np.ndarray, ops: _Ops, space: Any) -> Any:
    """The fused stepper over ``space`` when given, else the generic one."""
    hyper = {k: (v[rows, None] if isinstance(v, np.ndarray) else v) for k, v in plan.hyper.items()}
    if space is not None:
        return _FusedStepper(plan, hyper, rows.size, ops, space, plan.kernel == "compiled")
    start = np.repeat(plan.start[None, :], rows.size, axis=0)
    return _GenericStepper.build(plan, hyper, start, ops)


class _Workspace:
    """Preallocated (rows, d) arrays of the fused kernel: A, C, z, z_prev, tmp."""

    # Rows probed per call of the update: small temporaries are recycled by the
    # allocator instead of being mapped (and page-faulted) afresh.
    PROBE_ELEMENTS = 8192

    def __init__(self, rows: int, dim: int, ops: _Ops) -> None:
        self.arrays = [ops.empty((rows, dim)) for _ in range(5)]


class _GenericStepper:
    """The method's own ``update`` on (m, d) arrays; pure, so a snapshot is a reference."""

    log_scale = 0.0

    def __init__(
        self, update: Any, grad: Any, hyper: dict[str, Any], x: Any, state: Any,
        x_star: Any, t: int, ops: _Ops,
    ) -> None:
        self.update, self.grad, self.hyper, self.ops = update, grad, hyper, ops
        self.x, self.state, self.x_star, self.t = x, state, x_star, t
        self.rows = int(x.shape[0])

    @classmethod
    def build(
        cls, plan: SimulationPlan, hyper: dict[str, Any], start: np.ndarray, ops: _Ops
    ) -> _GenericStepper:
        spec = get_method(plan.method, plan.convention)
        live = {k: (ops.array(v) if isinstance(v, np.ndarray) else v) for k, v in hyper.items()}
        grad: Callable[[Any], Any]
        if plan.method in LINEAR_METHODS:
            lam = ops.array(plan.lam)
            x_star = None

            def grad(z: Any) -> Any:
                return lam * z

        else:
            problem = plan.problem.with_backend(plan.backend, plan.device)
            grad = problem.grad
            x_star = problem.x_star
        x = ops.array(start)
        return cls(spec.update, grad, live, x, spec.init(x, live), x_star, 0, ops)

    def advance(self, n: int) -> None:
        x, state = self.x, self.state
        for _ in range(n):
            x, state = self.update(self.grad(x), state, x, self.hyper)
        self.x, self.state, self.t = x, state, self.t + n

    def error(self) -> Any:
        return self.x if self.x_star is None else self.x - self.x_star

    def newly_bad(self, alive: np.ndarray) -> np.ndarray:
        """Rows among ``alive`` whose iterate has a non-finite entry."""
        e = self.error()
        flagged = np.flatnonzero(alive & ~self.ops.screen(e))
        if not flagged.size:
            return flagged
        return flagged[~self.ops.finite_rows(e[self.ops.index(flagged)])]

    def renormalize(self) -> None:
        """Nothing: the adaptive updates are not homogeneous, so no rescaling."""

    def final_norms(self) -> np.ndarray:
        return self.ops.norms(self.error())

    def snapshot(self) -> Any:
        return (self.x, self.state, self.t)

    def subset(self, snap: Any, rows: np.ndarray) -> _GenericStepper:
        x, state, t = snap
        idx = self.ops.index(rows)
        pick = {
            k: (v[idx] if _is_array(v) and v.shape[0] == self.rows else v)
            for k, v in self.hyper.items()
        }
        fields = {
            name: (val[idx] if _is_array(val) else val)
            for name, val in state._asdict().items()
        }
        return _GenericStepper(
            self.update, self.grad, pick, x[idx], type(state)(**fields), self.x_star, t, self.ops
        )


class _FusedStepper:
    r"""Error recurrence :math:`z_{t+1} = A z_t - C z_{t-1}` in place, rows rescaled by powers of 2.

    ``A`` and ``C`` come from :func:`linear_recurrence`.  numpy takes three
    passes a step (``tmp = A z``, ``z_prev *= C``, ``z_prev = tmp - z_prev``);
    torch two, storing ``-C`` and fusing the rest with ``addcmul_``.  ``C`` is
    None for a one-dimensional state (gd: ``z *= A``).

    The recurrence is linear, so the true iterate is :math:`2^{E} \tilde z_t`
    with the stored :math:`\tilde z_t` and a per-row exponent ``E`` that
    :meth:`renormalize` adjusts at every check to keep
    :math:`\|\tilde z_t\| \in [2^{-1/2}, 2^{1/2})`.  Multiplying by a power of
    two is exact, so this changes no digit while the values are normal floats,
    and it keeps the tail norms of fast settings from underflowing.
    """

    #: Logical size (log2 of the norm) past which a row is rerun by the own update.
    LIMIT_LOG2 = 1000

    def __init__(
        self, plan: SimulationPlan, hyper: dict[str, Any], rows: int, ops: _Ops,
        space: _Workspace, compiled: bool = False,
    ) -> None:
        spec = get_method(plan.method, plan.convention)
        self.ops, self.rows, self.compiled = ops, rows, compiled
        A, C, z, z_prev, tmp = (a[:rows] for a in space.arrays)
        start = plan.start[None, :]
        block = max(1, space.PROBE_ELEMENTS // start.shape[1])
        self.z1 = None
        for lo in range(0, rows, block):
            part = {k: (v[lo : lo + block] if _is_array(v) else v) for k, v in hyper.items()}
            a, c, z1 = linear_recurrence(spec, part, plan.lam, start)
            n = min(block, rows - lo)
            _copy(A[lo : lo + n], np.broadcast_to(a, (n, start.shape[1])))
            if c is not None:
                # numpy stores C, torch -C (for addcmul_).
                _copy(C[lo : lo + n], np.broadcast_to(c if ops.torch is None else -c, a.shape))
            # z1 parks in tmp, free until the first step.
            _copy(tmp[lo : lo + n], np.broadcast_to(z1, (n, start.shape[1])))
            self.has_buffer = c is not None
        self.A, self.z1 = A, tmp
        self.C = C if self.has_buffer else None
        _copy(z, np.broadcast_to(start, z.shape))
        self.z = z
        self.z_prev: Any = z_prev if self.has_buffer else None
        self.tmp = tmp if self.has_buffer and ops.torch is None else None
        self.exponent = np.zeros(rows, dtype=np.int64)
        self.log_scale: np.ndarray = np.zeros(rows)
        self.t = 0
        self._half = np.zeros(rows, dtype=np.int64)

    def advance(self, n: int) -> None:
        if n <= 0:
            return
        if self.t == 0:
            if self.z_prev is not None:
                _copy(self.z_prev, self.z)
            _copy(self.z, self.z1)
            self.t, n = 1, n - 1
        # The loops call the ufuncs directly: at cache-sized chunks a step takes
        # microseconds, so per-call Python overhead is a visible share.
        A, C, z, z_prev, tmp = self.A, self.C, self.z, self.z_prev, self.tmp
        mul = np.multiply if self.ops.torch is None else self.ops.torch.mul
        if self.compiled:
            if n:
                recurrence_steps(A, C, z, z_prev, n)
        elif C is None:
            for _ in range(n):
                mul(A, z, out=z)
        elif tmp is None:
            # torch: z_prev <- (-C) z_prev + A z.
            for _ in range(n):
                mul(C, z_prev, out=z_prev)
                z_prev.addcmul_(A, z)
                z, z_prev = z_prev, z
        else:
            # numpy: z_prev <- A z - C z_prev.
            sub = np.subtract
            for _ in range(n):
                mul(A, z, out=tmp)
                mul(C, z_prev, out=z_prev)
                sub(tmp, z_prev, out=z_prev)
                z, z_prev = z_prev, z
        self.z, self.z_prev = z, z_prev
        self.t += n

    def error(self) -> Any:
        return self.z

    def newly_bad(self, alive: np.ndarray) -> np.ndarray:
        """Rows among ``alive`` that went non-finite or past ``2**LIMIT_LOG2``."""
        sq = np.asarray(to_numpy(self.ops.sumsq(self.z)), dtype=float)
        # sq = f 2**k with f in [0.5, 1) (k = 0 for 0, inf and NaN): |z| ~ 2**(k/2).
        self._half = np.frexp(sq)[1] >> 1
        too_big = (self.exponent + self._half) >= self.LIMIT_LOG2
        return np.flatnonzero(alive & (too_big | ~np.isfinite(sq)))

    def renormalize(self) -> None:
        """Divide each row by the power of two nearest its norm; add it to the exponent."""
        half = self._half
        if not half.any():
            return
        column = self.ops.array(np.ldexp(1.0, -half)[:, None])
        for buf in (self.z, self.z_prev):
            if buf is not None:
                _mul(buf, column, buf)
        self.exponent += half
        self.log_scale = self.exponent * math.log(2.0)

    def final_norms(self) -> np.ndarray:
        # After renormalize the stored norms are near 1, so squares cannot overflow.
        sq = np.asarray(to_numpy(self.ops.sumsq(self.z)), dtype=float)
        norms = np.where(np.isfinite(sq), np.sqrt(sq), np.inf)
        return np.asarray(np.ldexp(norms, self.exponent))

    def snapshot(self) -> None:
        """None: no snapshots; rows that go bad are rerun by the generic kernel."""
        return None


def linear_recurrence(
    spec: Any, hyper: Mapping[str, Any], lam: np.ndarray, z0: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    r"""Read a linear method's recurrence off its own ``update`` (numpy, float64).

    The update maps the state :math:`s = (z, v)` linearly,
    :math:`s_{t+1} = M s_t` with gradient :math:`\lambda z`.  Probing it with
    unit states gives :math:`M` per (setting, component); by Cayley--Hamilton
    the error alone obeys :math:`z_{t+1} = \operatorname{tr}(M) z_t - \det(M) z_{t-1}`
    for a 2-dimensional state (and :math:`z_{t+1} = M z_t` for a 1-dimensional one).

    Parameters
    ----------
    spec : Method
        A linear method (gd, momentum, nesterov).
    hyper : mapping
        Resolved hyperparameters, batches as (m, 1) columns.
    lam : (d,) ndarray
        Eigenvalues.
    z0 : (n, d) ndarray
        Start in eigen-coordinates (n = 1 broadcasts against (m, 1) batches).

    Returns
    -------
    A, C, z1 : ndarrays broadcasting to (m, d)
        Recurrence coefficients (``C`` None for a 1-dimensional state) and the
        first iterate, computed by the update itself from the initial state.

    Raises
    ------
    ValueError
        A state with more than one buffer.
    """
    x = np.array(z0, dtype=float, order="C")
    state0 = spec.init(x, hyper)
    fields = _array_fields(state0)
    if len(fields) > 1:
        raise ValueError(f"{spec.name} keeps {len(fields)} buffers; the fused kernel needs <= 1")
    z1 = np.asarray(spec.update(lam * x, state0, x, hyper)[0], dtype=float)
    # Unit probes of the iterate's shape; batched hyperparameters broadcast them to (m, d).
    ones, zeros = np.ones_like(x), np.zeros_like(x)
    if not fields:
        return np.asarray(spec.update(lam * ones, state0, ones, hyper)[0], dtype=float), None, z1
    name = fields[0]
    cols = []
    for xz, vz in ((ones, zeros), (zeros, ones)):
        new_x, new_state = spec.update(lam * xz, state0._replace(**{name: vz}), xz, hyper)
        cols.append((np.asarray(new_x, dtype=float), np.asarray(getattr(new_state, name))))
    (m00, m10), (m01, m11) = cols
    return m00 + m11, m00 * m11 - m01 * m10, z1


def _copy(dst: Any, src: Any) -> None:
    if isinstance(dst, np.ndarray):
        np.copyto(dst, src)
    elif isinstance(src, np.ndarray):
        dst.copy_(import_torch().from_numpy(np.array(src, order="C")))
    else:
        dst.copy_(src)


def _mul(a: Any, b: Any, out: Any) -> None:
    if isinstance(out, np.ndarray):
        np.multiply(a, b, out=out)
    else:
        import_torch().mul(a, b, out=out)


def _is_array(v: Any) -> bool:
    return hasattr(v, "shape") and len(v.shape) > 0
