"""Run an optimizer on a problem: our own implementation or torch.optim.

:func:`run` is the one entry point; :func:`train_2d` reproduces the
textbook's 2-D demos (start (-5, -2), 20 steps, printed final line).
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np

from optheory._budget import DEFAULT_MAX_SECONDS, resolve_max_memory
from optheory._checks import check_choice, check_positive_int
from optheory.methods import check_method
from optheory.numeric.backend import as_array, check_backend, torch_cpu_threads
from optheory.numeric.optimizers import CONVENTIONS, batch_size, get_method
from optheory.numeric.trajectory import (
    Trajectory,
    check_problem,
    evaluate_loss,
    make_trajectory,
    overflow_ok,
    plan_recording,
    record,
    row_bytes,
    show_progress,
    start_point,
)

__all__ = ["IMPLS", "MAX_STEPS", "TEXTBOOK_START", "Trajectory", "run", "train_2d"]

IMPLS = ("own", "torch")
MAX_STEPS = 10_000_000
TEXTBOOK_START = (-5.0, -2.0)


def run(
    method: str,
    problem: Any,
    x0: Any,
    steps: int,
    impl: str = "own",
    convention: str | None = None,
    backend: str | None = None,
    progress: bool | None = None,
    *,
    stride: int | None = None,
    max_memory: int | None = None,
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
    **hyper: Any,
) -> Trajectory:
    r"""Run ``steps`` steps of ``method`` on ``problem`` from ``x0``.

    Parameters
    ----------
    method : str
        One of ``optheory.numeric.optimizers.METHODS``.
    problem : object
        Anything with ``f``, ``grad`` (on arrays of shape (..., d)), ``dim``,
        ``backend`` and ``device``, e.g. an ``EigenQuadratic``.
    x0 : array_like
        Start, shape (d,), or (K, d) for K starting points.
    steps : int
        Number of updates (>= 1).
    impl : {"own", "torch"}
        Our pure implementation, or the real ``torch.optim`` class.
    convention : {"textbook", "torch"}, optional
        Arithmetic of the own implementation; ``"textbook"`` by default.
        ``impl="torch"`` implies (and only accepts) ``"torch"``.
    backend : {"numpy", "torch"}, optional
        Array library of the own implementation; the problem's by default.
    progress : bool, optional
        A tqdm bar on stderr counting the steps; by default shown for runs of
        at least ``PROGRESS_MIN_STEPS`` (10 000) steps when stderr is a terminal.
    stride : int, optional
        Keep the iterates and losses of every ``stride``-th step (and the last
        step, and the last ``TAIL_ROWS`` iterates in ``Trajectory.tail``);
        ``1`` asks for the whole trajectory.  By default the whole trajectory
        when it fits in ``max_memory``, else the smallest stride that fits.
        Divergence is located at every step either way.
    max_memory : int, optional
        Bytes the kept rows and the working chunk may take (default
        ``optheory._budget.DEFAULT_MAX_MEMORY``, 1 GiB).
    max_seconds : float or None
        Refuse a run whose time, estimated after a short probe, exceeds this
        (default 60); None for no limit.
    **hyper
        Hyperparameters by their textbook names (eta, beta, gamma, rho, beta1,
        beta2, eps, lr_decay, initial_accumulator_value, centered).  A 1-D
        sequence of K values runs K settings at once (all batched values must
        have one length K).

    Returns
    -------
    Trajectory
        Iterates (steps + 1, d) or (steps + 1, K, d) as numpy arrays, losses,
        and the first non-finite step.

    Raises
    ------
    ValueError
        Unknown method, impl, convention or backend; bad hyperparameters; a
        start of the wrong shape; ``impl="torch"`` for a method torch.optim
        lacks (yogi); a ``stride`` whose rows exceed ``max_memory``; a run
        estimated to exceed ``max_seconds``.
    """
    check_method(method, "run")
    check_choice("impl", impl, IMPLS)
    if convention is not None:
        check_choice("convention", convention, CONVENTIONS)
    steps = check_positive_int("steps", steps, maximum=MAX_STEPS)
    check_problem(problem)
    if impl == "torch":
        if convention == "textbook":
            raise ValueError(
                "impl='torch' runs torch.optim, whose arithmetic is convention='torch'; "
                "drop convention or use impl='own'"
            )
        from optheory.numeric.torch_runner import run_torch

        return run_torch(method, problem, x0, steps, progress=progress, stride=stride,
                         max_memory=max_memory, max_seconds=max_seconds, **hyper)
    conv = convention or "textbook"
    spec = get_method(method, conv)
    resolved = spec.resolve(hyper)
    start = start_point(problem, x0, batch_size(resolved))
    backend = backend or problem.backend
    device = problem.device if backend == problem.backend else "cpu"
    check_backend(backend, device)
    dtype = getattr(problem, "dtype", "float64")
    # Batched values become (K, 1) columns broadcasting against (K, d) iterates.
    live = {
        k: as_array(v[:, None], backend, device, dtype) if isinstance(v, np.ndarray) else v
        for k, v in resolved.items()
    }
    keep, chunk = plan_recording(steps, row_bytes(start), resolve_max_memory(max_memory), stride)
    x = as_array(start, backend, device, dtype)
    grad = _gradient(problem, backend, device, dtype)
    state = spec.init(x, live)

    def step(x: Any) -> Any:
        nonlocal state
        x, state = spec.update(grad(x), state, x, live)
        return x

    threads = (
        torch_cpu_threads(start.size, device) if backend == "torch" else contextlib.nullcontext()
    )
    with overflow_ok(), threads:
        rec = record(
            step, x, steps, lambda xs: evaluate_loss(problem, xs), stride=keep, chunk_rows=chunk,
            progress=show_progress(progress, steps), desc=f"run {method}",
            max_seconds=max_seconds,
        )
    return make_trajectory(rec.x, rec.loss, method, conv, "own", resolved, t=rec.t,
                           tail=rec.tail, diverged=rec.diverged)


def _gradient(problem: Any, backend: str, device: str, dtype: str) -> Any:
    if backend == problem.backend:
        return problem.grad

    def grad(x: Any) -> Any:
        g = problem.grad(as_array(x, problem.backend, problem.device, dtype))
        return as_array(g, backend, device, dtype)

    return grad


def train_2d(
    method: str, steps: int = 20, problem: Any = None, *, max_memory: int | None = None,
    max_seconds: float | None = DEFAULT_MAX_SECONDS, **hyper: Any,
) -> Trajectory:
    r"""The textbook's 2-D demo: ``method`` from (-5, -2) for ``steps`` steps.

    Uses the textbook convention on :func:`~optheory.numeric.problems.textbook_2d`
    (:math:`f = 0.1 x_1^2 + 2 x_2^2`) unless ``problem`` is given; float64
    arithmetic as the textbook's Python floats.  ``str(result)`` (or
    ``result.line()``) is the textbook's printed line.

    Parameters
    ----------
    method : str
        One of ``optheory.numeric.optimizers.METHODS``.
    steps : int
        Number of updates (the textbook prints epoch 20).
    problem : object, optional
        A 2-D problem (``f``, ``grad``, ``dim == 2``); the textbook's
        :math:`0.1 x_1^2 + 2 x_2^2` by default.
    max_memory, max_seconds
        Budgets, as in :func:`run`.
    **hyper
        Hyperparameters by their textbook names (eta, beta, gamma, rho, ...).

    Returns
    -------
    Trajectory
        Iterates of shape (steps + 1, 2); ``.line()`` gives
        ``epoch {steps}, x1: {x1:f}, x2: {x2:f}``.

    Raises
    ------
    ValueError
        A problem that is not 2-D, and every error of :func:`run`.

    Examples
    --------
    >>> train_2d("momentum", eta=0.6, beta=0.5).line()
    'epoch 20, x1: 0.007188, x2: 0.002553'
    """
    if problem is None:
        from optheory.numeric.problems import textbook_2d

        problem = textbook_2d()
    check_problem(problem)
    if problem.dim != 2:
        raise ValueError(f"train_2d needs a 2-D problem, got dim={problem.dim}")
    return run(method, problem, TEXTBOOK_START, steps, convention="textbook",
               max_memory=max_memory, max_seconds=max_seconds, **hyper)
