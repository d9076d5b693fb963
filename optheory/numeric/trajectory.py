"""The record of a run (:class:`Trajectory`) and the stepping loop shared by every runner."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from optheory._checks import check_positive_int
from optheory.numeric.backend import as_array, backend_of, import_torch, to_numpy

__all__ = [
    "Trajectory",
    "check_problem",
    "evaluate_loss",
    "iterate",
    "make_trajectory",
    "PROGRESS_MIN_STEPS",
    "Recording",
    "TAIL_ROWS",
    "overflow_ok",
    "plan_recording",
    "record",
    "row_bytes",
    "show_progress",
    "start_point",
]


def overflow_ok() -> Any:
    """Context silencing numpy's overflow / invalid / divide warnings.

    A diverging run overflows on purpose; the runner detects it by checking
    the iterates for non-finite values instead of warning.
    """
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


@dataclass(frozen=True, eq=False, repr=False)
class Trajectory:
    """Iterates and losses of one run, or of K settings run together.

    Attributes
    ----------
    x : ndarray
        Iterates, shape (steps + 1, d), or (steps + 1, K, d) for a batch; rows
        after the step at which every setting diverged are NaN (not computed).
    loss : ndarray
        Objective at each iterate, shape (steps + 1,) or (steps + 1, K).
    diverged_at : int, None or tuple
        The first step whose iterate has a non-finite entry or whose loss is
        not finite (overflow, or a step outside the objective's domain such as
        ``log`` of a negative number); None if none; a tuple with one entry per
        setting for a batch.
    method, convention, impl : str
        What ran: e.g. ``"adam"``, ``"torch"``, ``"own"``.
    hyper : mapping
        The resolved hyperparameters (floats, bools, or arrays of shape (K,)).
    t : ndarray of int or None
        The step of each row of ``x`` and ``loss`` when the run was recorded at
        a stride (steps 0, s, 2s, ... and always the last step); None when every
        step is kept.
    tail : ndarray or None
        The last :data:`TAIL_ROWS` iterates at full resolution (for cycle
        detection) when the run was recorded at a stride; None otherwise.
    """

    x: np.ndarray
    loss: np.ndarray
    diverged_at: int | None | tuple[int | None, ...]
    method: str
    convention: str
    impl: str
    hyper: Mapping[str, Any]
    t: np.ndarray | None = None
    tail: np.ndarray | None = None

    @property
    def steps(self) -> int:
        """Number of steps run (the step of the last row)."""
        return int(self.t[-1]) if self.t is not None else int(self.x.shape[0]) - 1

    @property
    def stride(self) -> int:
        """Steps between two kept rows (1 when every step is kept)."""
        return int(self.t[1] - self.t[0]) if self.t is not None and self.t.size > 1 else 1

    @property
    def last_iterates(self) -> np.ndarray:
        """The final iterates at full resolution: ``tail`` for a strided run, else ``x``."""
        return self.tail if self.tail is not None else self.x

    @property
    def batched(self) -> bool:
        """True for a batch of settings (``x`` has three axes)."""
        return self.x.ndim == 3

    @property
    def size(self) -> int:
        """K, the number of settings (1 for a single run)."""
        return int(self.x.shape[1]) if self.batched else 1

    def setting(self, k: int) -> Trajectory:
        """The single-run trajectory of setting ``k`` of a batch.

        Raises
        ------
        ValueError
            Not a batch, or ``k`` out of range.
        """
        if not self.batched:
            raise ValueError("setting(k) needs a batched trajectory; this run has one setting")
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 0 <= k < self.size:
            raise ValueError(f"k must be an integer in [0, {self.size - 1}], got {k!r}")
        hyper = {
            key: float(v[k]) if isinstance(v, np.ndarray) else v for key, v in self.hyper.items()
        }
        assert isinstance(self.diverged_at, tuple)
        return make_trajectory(
            self.x[:, k], self.loss[:, k], self.method, self.convention, self.impl, hyper,
            t=self.t, tail=None if self.tail is None else self.tail[:, k],
            diverged=self.diverged_at[k],
        )

    def line(self) -> str:
        """The textbook's printed line ``epoch {t}, x1: {x1:f}, x2: {x2:f}`` for the last step.

        Raises
        ------
        ValueError
            A batch, or a problem that is not 2-D.
        """
        if self.batched or self.x.shape[-1] != 2:
            raise ValueError(
                f"line() needs a single 2-D run; this trajectory has shape {self.x.shape}"
            )
        x1, x2 = (float(v) for v in self.x[-1])
        return f"epoch {self.steps}, x1: {x1:f}, x2: {x2:f}"

    def plot(self, ax: Any = None, *, kind: str = "auto", title: str | None = None) -> Any:
        """Plot the run: the path in the plane (2-D single runs) or the loss over the steps.

        See :func:`optheory.figures.results.trajectory_plot` (``kind`` is
        ``"auto"``, ``"path"`` or ``"loss"``); returns a matplotlib ``Figure``
        (drawn into ``ax`` when given).  A diverged run says so in the figure.
        """
        from optheory.figures.results import trajectory_plot

        return trajectory_plot(self, ax, kind=kind, title=title)

    def _repr_html_(self) -> str:
        from optheory._display import trajectory_html

        return trajectory_html(self)

    def __repr__(self) -> str:
        # a summary, never the arrays (a notebook shows it for every returned run)
        return (
            f"Trajectory({self.method}, convention={self.convention}, impl={self.impl}, "
            f"steps={self.steps}, shape={self.x.shape}, diverged_at={self.diverged_at})"
        )

    def __str__(self) -> str:
        if not self.batched and self.x.shape[-1] == 2:
            return self.line()
        return (
            f"Trajectory({self.method}, convention={self.convention}, impl={self.impl}, "
            f"steps={self.steps}, shape={self.x.shape}, diverged_at={self.diverged_at})"
        )


def _first_bad(bad: np.ndarray) -> int | None:
    hits = np.flatnonzero(bad)
    return int(hits[0]) if hits.size else None


def make_trajectory(
    x: np.ndarray,
    loss: np.ndarray,
    method: str,
    convention: str,
    impl: str,
    hyper: Mapping[str, Any],
    *,
    t: np.ndarray | None = None,
    tail: np.ndarray | None = None,
    diverged: int | None | tuple[int | None, ...] | str = "locate",
) -> Trajectory:
    """Build a read-only :class:`Trajectory`.

    Divergence is located from the rows unless given: the first step whose
    iterate or loss is not finite (a step outside the objective's domain gives
    a NaN loss from a finite iterate).
    """
    x = np.asarray(x, dtype=float)
    loss = np.asarray(loss, dtype=float)
    for arr in (x, loss, t, tail):
        if arr is not None:
            arr.setflags(write=False)
    found: int | None | tuple[int | None, ...]
    if isinstance(diverged, str):
        bad = ~np.isfinite(x).all(axis=-1) | ~np.isfinite(loss)
        rows = np.arange(x.shape[0]) if t is None else t
        if x.ndim == 3:
            found = tuple(_first_step(rows, bad[:, k]) for k in range(x.shape[1]))
        else:
            found = _first_step(rows, bad)
    else:
        found = diverged
    return Trajectory(
        x, loss, found, method, convention, impl, MappingProxyType(dict(hyper)), t, tail
    )


def _first_step(rows: np.ndarray, bad: np.ndarray) -> int | None:
    first = _first_bad(bad)
    return None if first is None else int(rows[first])


#: ``progress=None`` shows a bar for runs of at least this many steps (on a terminal).
PROGRESS_MIN_STEPS = 10_000
# Steps between two updates of the bar: keeps its cost off the per-step time.
_BAR_STRIDE = 256


def show_progress(progress: bool | None, steps: int) -> bool:
    """Whether to draw a bar: as asked, or by default for long runs on a terminal."""
    if progress is None:
        return steps >= PROGRESS_MIN_STEPS and sys.stderr.isatty()
    return bool(progress)


def iterate(
    step: Callable[[Any], Any], x0: Any, steps: int, progress: bool = False, desc: str = "run"
) -> np.ndarray:
    """Apply ``step`` (iterate -> next iterate) ``steps`` times from ``x0``.

    Stops early once every setting (row of a (K, d) iterate) has a non-finite
    entry; the rows not computed are NaN.  Returns a float numpy array of shape
    (steps + 1, *x0.shape).  Must run inside :func:`overflow_ok`.  With
    ``progress`` a tqdm bar on stderr counts the steps.
    """
    xp = import_torch() if backend_of(x0) == "torch" else np
    rows = [x0]
    x = x0
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=steps, unit="step", desc=desc, file=sys.stderr)
    try:
        for t in range(steps):
            x = step(x)
            rows.append(x)
            if bar is not None and (t + 1) % _BAR_STRIDE == 0:
                bar.update(_BAR_STRIDE)
            if not bool(xp.isfinite(x).all(-1).any()):
                break
        if bar is not None:
            bar.update(len(rows) - 1 - bar.n)
    finally:
        if bar is not None:
            bar.close()
    stacked = to_numpy(xp.stack(rows))
    out = np.full((steps + 1, *stacked.shape[1:]), np.nan)
    out[: stacked.shape[0]] = stacked
    return out


#: Iterates kept at full resolution at the end of a strided run (cycle detection
#: needs up to ``max_period * repeats + 1 = 251`` of them).
TAIL_ROWS = 256
#: Rows a run keeps by default when its whole trajectory exceeds the memory budget.
STRIDED_ROWS = 10_000
#: Steps buffered between two evaluations of the loss while recording.
_CHUNK_ROWS = 4096
#: Seconds of stepping after which a run's total time is estimated.
_PROBE_SECONDS = 0.2


@dataclass(frozen=True)
class Recording:
    """What :func:`record` kept of a run (numpy arrays)."""

    x: np.ndarray
    loss: np.ndarray
    t: np.ndarray | None
    tail: np.ndarray | None
    diverged: int | None | tuple[int | None, ...]


def row_bytes(start: np.ndarray) -> int:
    """Bytes of one kept row of a run from ``start`` ((d,) or (K, d)): iterate and loss."""
    return int(start.size + start.size // start.shape[-1]) * 8


def plan_recording(
    steps: int, row_bytes: int, max_memory: int, stride: int | None, *, name: str = "max_memory"
) -> tuple[int, int]:
    """``(stride, chunk_rows)`` for recording ``steps`` steps within ``max_memory`` bytes.

    ``row_bytes`` is the size of one iterate row plus its loss.  The working
    space is a chunk of iterates (held twice while stacked) and the tail; the
    rest holds the kept rows.  ``stride=None`` keeps every step when they fit,
    else a stride keeping about :data:`STRIDED_ROWS` rows (fewer if those do
    not fit); an explicit ``stride`` (1 = the whole
    trajectory) is refused when its rows do not fit.

    Raises
    ------
    ValueError
        An explicit stride whose rows exceed the budget, or a budget below
        the working space of one step.
    """
    from optheory._budget import check_memory

    chunk_rows = int(max(1, min(_CHUNK_ROWS, steps + 1, max_memory // (8 * row_bytes))))
    working = (2 * chunk_rows + TAIL_ROWS + 2) * row_bytes
    check_memory(f"one step of this run ({row_bytes} bytes a row)", working, max_memory,
                 name=name)
    room = max_memory - working
    if stride is not None:
        stride = check_positive_int("stride", stride)
        kept = (steps // stride + 2) * row_bytes
        what = "the whole trajectory" if stride == 1 else f"every {stride}th of the iterates"
        check_memory(
            f"keeping {what} of {steps} steps ({row_bytes} bytes a step)", kept + working,
            max_memory, name=name, hint="pass a larger stride (or stride=None to choose one)",
        )
        return stride, chunk_rows
    if (steps + 1) * row_bytes <= room:
        return 1, chunk_rows
    fit = max(3, min(room // row_bytes - 1, STRIDED_ROWS))
    return max(1, -(-steps // (fit - 2))), chunk_rows


def record(
    step: Callable[[Any], Any],
    x0: Any,
    steps: int,
    loss_fn: Callable[[np.ndarray], np.ndarray],
    *,
    stride: int = 1,
    chunk_rows: int = _CHUNK_ROWS,
    progress: bool = False,
    desc: str = "run",
    max_seconds: float | None = None,
) -> Recording:
    """Apply ``step`` ``steps`` times from ``x0``, keeping every ``stride``-th row.

    The iterates are buffered in chunks; each chunk's losses are evaluated
    with ``loss_fn`` (numpy (C, ..., d) -> (C, ...)), divergence is located
    exactly (first step with a non-finite iterate or loss), and only the rows
    at steps 0, s, 2s, ..., the last step and the last :data:`TAIL_ROWS`
    iterates are kept.  Stops early once every setting has a non-finite
    iterate; rows not computed are NaN.  With ``max_seconds``, the total time
    is estimated after a short probe and the run refused when it exceeds it.
    Must run inside :func:`overflow_ok`.

    Raises
    ------
    ValueError
        The estimated time exceeds ``max_seconds``.
    """
    import time

    xp = import_torch() if backend_of(x0) == "torch" else np
    first = to_numpy(x0)
    shape = np.shape(first)
    t_kept = np.arange(0, steps + 1, stride)
    if t_kept[-1] != steps:
        t_kept = np.append(t_kept, steps)
    xs = np.full((t_kept.size, *shape), np.nan)
    losses = np.full((t_kept.size, *shape[:-1]), np.nan)
    batch = len(shape) == 2
    diverged = np.full(shape[0] if batch else 1, -1, dtype=np.int64)
    tail: np.ndarray = np.empty((0, *shape))
    start = time.perf_counter()
    checked = max_seconds is None
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=steps, unit="step", desc=desc, file=sys.stderr)

    def flush(rows: list[Any], t0: int) -> None:
        nonlocal tail
        chunk = np.asarray(to_numpy(xp.stack(rows)), dtype=float)
        loss = np.asarray(loss_fn(chunk), dtype=float).reshape(chunk.shape[:-1])
        bad = ~np.isfinite(chunk).all(axis=-1) | ~np.isfinite(loss)
        bad = bad.reshape(len(rows), -1)
        hit = bad.any(axis=0) & (diverged < 0)
        if hit.any():
            diverged[hit] = t0 + bad[:, hit].argmax(axis=0)
        lo, hi = np.searchsorted(t_kept, [t0, t0 + len(rows)])
        keep = t_kept[lo:hi] - t0
        xs[lo:hi] = chunk[keep]
        losses[lo:hi] = loss[keep]
        if stride > 1:
            tail = np.concatenate([tail, chunk[-TAIL_ROWS:]])[-TAIL_ROWS:]

    try:
        rows = [x0]
        t0 = 0
        x = x0
        done = 0
        for t in range(steps):
            x = step(x)
            rows.append(x)
            done = t + 1
            if bar is not None and done % _BAR_STRIDE == 0:
                bar.update(_BAR_STRIDE)
            if not checked and done % 16 == 0:
                elapsed = time.perf_counter() - start
                if elapsed > _PROBE_SECONDS:
                    checked = True
                    estimate = elapsed / done * steps
                    if max_seconds is not None and estimate > max_seconds:
                        raise ValueError(
                            f"{desc} of {steps} steps would take about {estimate:.0f} s "
                            f"(measured over its first {done} steps), above "
                            f"max_seconds={max_seconds:g}; raise max_seconds or use fewer steps"
                        )
            if not bool(xp.isfinite(x).all(-1).any()):
                break
            if len(rows) >= chunk_rows:
                flush(rows, t0)
                t0 += len(rows)
                rows = []
        if rows:
            flush(rows, t0)
        if bar is not None:
            bar.update(done - bar.n)
    finally:
        if bar is not None:
            bar.close()
    found: int | None | tuple[int | None, ...]
    if batch:
        found = tuple(None if d < 0 else int(d) for d in diverged)
    else:
        found = None if diverged[0] < 0 else int(diverged[0])
    if stride == 1:
        return Recording(xs, losses, None, None, found)
    return Recording(xs, losses, t_kept, tail, found)


def evaluate_loss(problem: Any, x: np.ndarray) -> np.ndarray:
    """``problem.f`` on every iterate of ``x`` (shape (T, ..., d)) as a numpy array."""
    dtype = getattr(problem, "dtype", "float64")
    return np.asarray(to_numpy(problem.f(as_array(x, problem.backend, problem.device, dtype))))


def check_problem(problem: Any) -> None:
    """Raise unless ``problem`` has ``f``, ``grad``, ``dim``, ``backend`` and ``device``."""
    for attr in ("f", "grad", "dim", "backend", "device"):
        if not hasattr(problem, attr):
            raise ValueError(
                f"problem must provide f, grad, dim, backend and device (e.g. an "
                f"EigenQuadratic); it lacks {attr!r}"
            )


def start_point(problem: Any, x0: Any, batch: int | None) -> np.ndarray:
    """Validate ``x0`` against the problem and a batch size; return a float numpy array.

    ``x0`` of shape (d,) is repeated for a batch of K settings; shape (K, d)
    gives K starting points (K must match a batch of hyperparameters).

    Raises
    ------
    ValueError
        Non-numeric or non-finite entries, or a shape other than (d,) / (K, d).
    """
    d = int(problem.dim)
    try:
        arr = np.array(to_numpy(x0), dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"x0 must be an array of numbers of shape ({d},), got {x0!r}") from None
    if arr.ndim not in (1, 2) or arr.shape[-1] != d or arr.size == 0:
        raise ValueError(f"x0 must have shape ({d},) or (K, {d}), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("x0 must contain only finite numbers (found NaN or inf)")
    if batch is not None:
        if arr.ndim == 1:
            arr = np.repeat(arr[None, :], batch, axis=0)
        elif arr.shape[0] != batch:
            raise ValueError(
                f"x0 has {arr.shape[0]} rows but the hyperparameters give {batch} settings"
            )
    return arr
