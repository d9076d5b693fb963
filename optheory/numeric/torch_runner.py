"""Run the real ``torch.optim`` classes on a problem (torch imported lazily).

Each method maps to its class with our hyperparameter names translated
(eta -> lr, beta -> momentum, gamma -> alpha, beta1/beta2 -> betas).  The
optimizer uses the single-tensor path (``foreach=False``) and the problem's
dtype (float64 by default); gradients come from ``problem.grad`` and are
assigned to ``p.grad`` directly, with no autograd.  Shared hyperparameters
drive one parameter of shape (d,) or (K, d); a batch of K settings uses one
parameter group (a (d,) row) per setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from optheory._budget import DEFAULT_MAX_SECONDS, resolve_max_memory
from optheory._checks import check_choice, check_positive_int
from optheory.numeric.backend import as_array, import_torch, torch_cpu_threads
from optheory.numeric.optimizers import METHODS, batch_size, get_method
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

__all__ = ["TORCH_CLASSES", "run_torch", "torch_kwargs", "torch_optimizer"]

#: torch.optim class behind each method (yogi has none).
TORCH_CLASSES = {
    "gd": "SGD",
    "momentum": "SGD",
    "nesterov": "SGD",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adadelta": "Adadelta",
    "adam": "Adam",
    "amsgrad": "Adam",
}


def torch_kwargs(method: str, hyper: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments of the torch.optim class for resolved scalar ``hyper``.

    Raises
    ------
    ValueError
        ``nesterov`` with ``beta == 0`` (torch.optim.SGD refuses it).
    """
    h = {k: (v if isinstance(v, bool) else float(v)) for k, v in hyper.items()}
    if method == "gd":
        return {"lr": h["eta"], "momentum": 0.0}
    if method in ("momentum", "nesterov"):
        if method == "nesterov" and h["beta"] == 0:
            raise ValueError("beta must be > 0 for nesterov with impl='torch' (torch.optim.SGD)")
        return {
            "lr": h["eta"],
            "momentum": h["beta"],
            "dampening": 0.0,
            "nesterov": method == "nesterov",
        }
    if method == "adagrad":
        return {
            "lr": h["eta"],
            "lr_decay": h["lr_decay"],
            "initial_accumulator_value": h["initial_accumulator_value"],
            "eps": h["eps"],
        }
    if method == "rmsprop":
        return {
            "lr": h["eta"],
            "alpha": h["gamma"],
            "eps": h["eps"],
            "momentum": h["beta"],
            "centered": h["centered"],
        }
    if method == "adadelta":
        return {"lr": h["eta"], "rho": h["rho"], "eps": h["eps"]}
    return {
        "lr": h["eta"],
        "betas": (h["beta1"], h["beta2"]),
        "eps": h["eps"],
        "amsgrad": method == "amsgrad",
    }


def torch_optimizer(method: str, params: list[Any], hyper: Mapping[str, Any]) -> Any:
    """A torch.optim optimizer for ``method`` over ``params``.

    ``hyper`` holds resolved torch-convention hyperparameters; batched values
    (arrays of length K = len(params)) give one parameter group per parameter.

    Raises
    ------
    ValueError
        Unknown method, yogi, or batch length not matching ``params``.
    """
    if method == "yogi":
        raise ValueError("yogi has no torch.optim class; use impl='own'")
    check_choice("method", method, tuple(TORCH_CLASSES))
    torch = import_torch()
    cls = getattr(torch.optim, TORCH_CLASSES[method])
    k = batch_size(hyper)
    if k is None:
        return cls(params, foreach=False, **torch_kwargs(method, hyper))
    if k != len(params):
        raise ValueError(f"{k} hyperparameter settings but {len(params)} parameters")
    groups = []
    for i, p in enumerate(params):
        row = {n: (v[i] if isinstance(v, np.ndarray) else v) for n, v in hyper.items()}
        groups.append({"params": [p], **torch_kwargs(method, row)})
    defaults = {key: val for key, val in groups[0].items() if key != "params"}
    return cls(groups, foreach=False, **defaults)


def run_torch(
    method: str,
    problem: Any,
    x0: Any,
    steps: int,
    progress: bool | None = None,
    *,
    stride: int | None = None,
    max_memory: int | None = None,
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
    **hyper: Any,
) -> Trajectory:
    """Run ``torch.optim`` for ``method`` on ``problem``; see :func:`optheory.numeric.run.run`.

    Hyperparameters use our names and the torch convention's defaults.

    Raises
    ------
    ValueError
        Unknown method, yogi, bad hyperparameters or start.
    """
    check_choice("method", method, METHODS)
    if method == "yogi":
        raise ValueError("yogi has no torch.optim class; use impl='own'")
    steps = check_positive_int("steps", steps)
    check_problem(problem)
    resolved = get_method(method, "torch").resolve(hyper)
    k = batch_size(resolved)
    start = start_point(problem, x0, k)
    keep, chunk = plan_recording(steps, row_bytes(start), resolve_max_memory(max_memory), stride)
    torch = import_torch()
    dtype = getattr(problem, "dtype", "float64")
    device = problem.device if problem.backend == "torch" else "cpu"
    tdtype = getattr(torch, dtype)
    if k is None:
        params = [torch.tensor(start, dtype=tdtype, device=device, requires_grad=True)]
    else:
        params = [
            torch.tensor(row, dtype=tdtype, device=device, requires_grad=True) for row in start
        ]
    opt = torch_optimizer(method, params, resolved)

    def current() -> Any:
        if k is None:
            return params[0].detach().clone()
        return torch.stack([p.detach() for p in params])

    def step(_: Any) -> Any:
        x = current()
        g = as_array(
            problem.grad(as_array(x, problem.backend, problem.device, dtype)),
            "torch",
            device,
            dtype,
        )
        if k is None:
            params[0].grad = g.reshape(params[0].shape).clone()
        else:
            for i, p in enumerate(params):
                p.grad = g[i].clone()
        opt.step()
        return current()

    with overflow_ok(), torch_cpu_threads(start.size, device):
        rec = record(
            step, current(), steps, lambda xs: evaluate_loss(problem, xs), stride=keep,
            chunk_rows=chunk, progress=show_progress(progress, steps),
            desc=f"torch.optim {method}", max_seconds=max_seconds,
        )
    return make_trajectory(rec.x, rec.loss, method, "torch", "torch", resolved, t=rec.t,
                           tail=rec.tail, diverged=rec.diverged)
