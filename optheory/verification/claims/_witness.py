"""Numeric witnesses shared by the claim checks.

Problems whose gradient is prescribed (a constant, or a quadratic plus seeded
Gaussian noise), and two drivers that feed a given gradient sequence to an
optimizer and record its internal state: the project's own implementation
(:func:`own_states`) and the real ``torch.optim`` class (:func:`torch_states`).
torch is imported only inside the functions that need it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
]


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
    convention: str = "textbook", **hyper: Any,
) -> tuple[np.ndarray, list[Any]]:
    """Run the project's ``method`` with gradients ``grad(x)`` and keep every state.

    Unlike :func:`optheory.numeric.run.run` this returns the optimizer state
    (accumulators) after each step.  Scalar hyperparameters only.

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
        for _ in range(steps):
            x, state = spec.update(grad(x), state, x, resolved)
            xs.append(np.asarray(x, dtype=float))
            states.append(state)
    return np.array(xs), states


def torch_states(
    cls_name: str, grads: Sequence[Any], x0: Any, key: str, **kwargs: Any
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Feed ``grads`` to ``torch.optim.<cls_name>`` (float64, single-tensor path).

    Returns
    -------
    (xs, buffers)
        The parameter and ``optimizer.state[p][key]`` after each step.
    """
    torch = import_torch()
    p = torch.tensor(np.asarray(x0, dtype=float), dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, cls_name)([p], foreach=False, **kwargs)
    xs, buffers = [], []
    for g in grads:
        p.grad = torch.tensor(np.asarray(g, dtype=float), dtype=torch.float64)
        opt.step()
        xs.append(p.detach().numpy().copy())
        buffers.append(opt.state[p][key].detach().numpy().copy())
    return xs, buffers


def torch_default(cls_name: str, parameter: str) -> Any:
    """The default of a ``torch.optim`` constructor argument, read with ``inspect``."""
    import inspect

    torch = import_torch()
    return inspect.signature(getattr(torch.optim, cls_name)).parameters[parameter].default
