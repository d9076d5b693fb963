"""Numeric witnesses shared by the claim checks.

Problems whose gradient is prescribed (a constant, or a quadratic plus seeded
Gaussian noise), and drivers that feed gradients (a fixed sequence, or a
function of the iterate) to an optimizer and record its internal state: the
project's own implementation (:func:`own_states`, :func:`drive`) and the real
``torch.optim`` class (:func:`torch_states`, :func:`torch_trajectory`).  torch
is imported only inside the functions that need it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from optheory.numeric.backend import import_torch
from optheory.numeric.optimizers import get_method

__all__ = [
    "ConstantGradient",
    "NoisyQuadratic",
    "drive",
    "own_states",
    "torch_default",
    "torch_states",
    "torch_trajectory",
]

#: ``schedule(t)``: hyperparameter values for step ``t`` (from 1) that replace the fixed ones
Schedule = Callable[[int], Mapping[str, float]]


class ConstantGradient:
    r"""The linear function :math:`f(x) = c^\top x`, whose gradient is ``c`` everywhere."""

    backend = "numpy"
    device = "cpu"
    dtype = "float64"

    def __init__(self, c: Sequence[float]) -> None:
        self.c = np.asarray(c, dtype=float)
        self.dim = int(self.c.size)

    def f(self, x: Any) -> np.ndarray:
        return np.asarray((np.asarray(x) * self.c).sum(-1))

    def grad(self, x: Any) -> np.ndarray:
        return np.broadcast_to(self.c, np.shape(x)).copy()


class NoisyQuadratic:
    r""":math:`f(x) = \tfrac12 \sum_i \lambda_i x_i^2`, gradients disturbed by i.i.d. :math:`N(0, \sigma^2)`.

    The noise comes from ``numpy.random.default_rng(seed)``, one draw per call,
    so a run is reproducible.  ``lams = 0`` gives pure noise.
    """

    backend = "numpy"
    device = "cpu"
    dtype = "float64"

    def __init__(self, lams: Any, sigma: float, seed: int) -> None:
        self.lams = np.asarray(lams, dtype=float)
        self.dim = int(self.lams.size)
        self.sigma = float(sigma)
        self._rng = np.random.default_rng(seed)

    def f(self, x: Any) -> np.ndarray:
        x = np.asarray(x)
        return np.asarray(0.5 * (self.lams * x * x).sum(-1))

    def grad(self, x: Any) -> np.ndarray:
        x = np.asarray(x)
        return np.asarray(self.lams * x + self.sigma * self._rng.standard_normal(x.shape))


def own_states(
    method: str, grads: Sequence[Any], x0: Any, convention: str = "textbook", **hyper: Any
) -> tuple[list[np.ndarray], list[Any]]:
    """Feed the gradients ``grads`` to the project's ``method`` and record every state.

    Returns
    -------
    (xs, states)
        Iterates after each step and the optimizer state (a NamedTuple) after
        each step.
    """
    spec = get_method(method, convention)
    resolved = spec.resolve(hyper)
    x = np.asarray(x0, dtype=float)
    state = spec.init(x, resolved)
    xs, states = [], []
    for g in grads:
        x, state = spec.update(np.asarray(g, dtype=float), state, x, resolved)
        xs.append(np.asarray(x, dtype=float))
        states.append(state)
    return xs, states


def drive(
    method: str, grad: Callable[[np.ndarray], np.ndarray], x0: Any, steps: int,
    convention: str = "textbook", schedule: Schedule | None = None, **hyper: Any,
) -> tuple[np.ndarray, list[Any]]:
    """Run the project's ``method`` with gradients ``grad(x)`` and keep every state.

    Unlike :func:`optheory.numeric.run.run` this returns the optimizer state
    (accumulators) after each step, and ``schedule`` may change scalar
    hyperparameters from step to step (as resetting a ``torch.optim`` param
    group does).

    Returns
    -------
    (xs, states)
        Iterates, shape (steps + 1, *x0.shape), and the states after steps 1..steps.
    """
    spec = get_method(method, convention)
    resolved = spec.resolve(hyper)
    x = np.asarray(x0, dtype=float)
    state = spec.init(x, resolved)
    xs, states = [x], []
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for t in range(1, steps + 1):
            live = resolved if schedule is None else {**resolved, **schedule(t)}
            x, state = spec.update(grad(x), state, x, live)
            xs.append(np.asarray(x, dtype=float))
            states.append(state)
    return np.array(xs), states


def torch_states(
    cls_name: str,
    grads: Sequence[Any] | Callable[[np.ndarray], Any],
    x0: Any,
    key: str | None = None,
    *,
    steps: int | None = None,
    schedule: Schedule | None = None,
    **kwargs: Any,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Feed gradients to ``torch.optim.<cls_name>`` (float64, single-tensor path).

    Parameters
    ----------
    cls_name : str
        E.g. ``"RMSprop"``.
    grads : sequence of array_like, or callable
        The gradient of each step, or ``grad(x)`` evaluated at the current
        parameter (then ``steps`` is required).
    x0 : array_like
        Initial parameter.
    key : str, optional
        ``optimizer.state[p][key]`` to record after each step.
    steps : int, optional
        Number of steps when ``grads`` is callable.
    schedule : callable, optional
        ``schedule(t)`` values written into the param group before step ``t``.
    **kwargs
        Constructor arguments of the optimizer.

    Returns
    -------
    (xs, buffers)
        The parameter and the recorded buffer after each step (``buffers`` is
        empty without ``key``).

    Raises
    ------
    ValueError
        torch missing, or a callable ``grads`` without ``steps``.
    """
    torch = import_torch()
    if callable(grads):
        if steps is None:
            raise ValueError("steps is required when grads is a function of the parameter")
        grad_of: Callable[[int, np.ndarray], Any] = lambda _t, x: grads(x)  # noqa: E731
        n = steps
    else:
        sequence = list(grads)
        grad_of = lambda t, _x: sequence[t - 1]  # noqa: E731
        n = len(sequence)
    p = torch.tensor(np.asarray(x0, dtype=float), dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, cls_name)([p], foreach=False, **kwargs)
    xs, buffers = [], []
    with np.errstate(over="ignore", invalid="ignore"):  # divergent runs overflow to inf
        for t in range(1, n + 1):
            if schedule is not None:
                opt.param_groups[0].update(schedule(t))
            g = np.asarray(grad_of(t, p.detach().numpy().copy()), dtype=float)
            p.grad = torch.tensor(g, dtype=torch.float64)
            opt.step()
            xs.append(p.detach().numpy().copy())
            if key is not None:
                buffers.append(opt.state[p][key].detach().numpy().copy())
    return xs, buffers


def torch_trajectory(
    cls_name: str, grad: Callable[[np.ndarray], Any], x0: Any, steps: int,
    schedule: Schedule | None = None, **kwargs: Any,
) -> np.ndarray:
    """Iterates ``x_0 .. x_steps`` of ``torch.optim.<cls_name>`` with gradients ``grad(x)``.

    A thin layer over :func:`torch_states`; the shape is (steps + 1, *x0.shape).
    """
    xs, _ = torch_states(cls_name, grad, x0, steps=steps, schedule=schedule, **kwargs)
    return np.array([np.asarray(x0, dtype=float), *xs])


def torch_default(cls_name: str, parameter: str) -> Any:
    """The default of a ``torch.optim`` constructor argument, read with ``inspect``."""
    import inspect

    torch = import_torch()
    return inspect.signature(getattr(torch.optim, cls_name)).parameters[parameter].default
