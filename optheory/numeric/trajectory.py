"""The record of a run (:class:`Trajectory`) and the stepping loop shared by every runner."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from optheory.numeric.backend import as_array, backend_of, import_torch, to_numpy

__all__ = [
    "Trajectory",
    "check_problem",
    "evaluate_loss",
    "iterate",
    "make_trajectory",
    "PROGRESS_MIN_STEPS",
    "overflow_ok",
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
        The first step whose iterate has a non-finite entry (None if none); a
        tuple with one entry per setting for a batch.
    method, convention, impl : str
        What ran: e.g. ``"adam"``, ``"torch"``, ``"own"``.
    hyper : mapping
        The resolved hyperparameters (floats, bools, or arrays of shape (K,)).
    """

    x: np.ndarray
    loss: np.ndarray
    diverged_at: int | None | tuple[int | None, ...]
    method: str
    convention: str
    impl: str
    hyper: Mapping[str, Any]

    @property
    def steps(self) -> int:
        """Number of steps (rows of ``x`` minus one)."""
        return int(self.x.shape[0]) - 1

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
        return make_trajectory(
            self.x[:, k], self.loss[:, k], self.method, self.convention, self.impl, hyper
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
) -> Trajectory:
    """Build a read-only :class:`Trajectory`, locating divergence from the iterates."""
    x = np.array(x, dtype=float)
    loss = np.array(loss, dtype=float)
    x.setflags(write=False)
    loss.setflags(write=False)
    bad = ~np.isfinite(x).all(axis=-1)
    diverged: int | None | tuple[int | None, ...]
    if x.ndim == 3:
        diverged = tuple(_first_bad(bad[:, k]) for k in range(x.shape[1]))
    else:
        diverged = _first_bad(bad)
    return Trajectory(x, loss, diverged, method, convention, impl, MappingProxyType(dict(hyper)))


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
