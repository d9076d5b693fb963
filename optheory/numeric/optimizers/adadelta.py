r"""Adadelta in the textbook's and in torch.optim's arithmetic.

Both keep leaky averages of squared gradients ``s`` and of squared updates
``delta`` and rescale the gradient by :math:`\sqrt{\delta + \epsilon} /
\sqrt{s + \epsilon}`.  The textbook has no learning rate and
:math:`\epsilon = 10^{-5}`; torch multiplies the rescaled gradient by ``lr``
(default 1) after storing it, with :math:`\epsilon = 10^{-6}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from optheory.numeric.optimizers._ops import sqrt, zeros_like
from optheory.numeric.optimizers._spec import Hyper, Method

__all__ = [
    "AdadeltaState",
    "adadelta_init",
    "adadelta_methods",
    "textbook_adadelta_update",
    "torch_adadelta_update",
]


class AdadeltaState(NamedTuple):
    """Step count, squared-gradient average ``s`` and squared-update average ``delta``."""

    step: int
    s: Any
    delta: Any


def adadelta_init(x0: Any, hyper: Mapping[str, Any]) -> AdadeltaState:
    """Both averages zero."""
    zero = zeros_like(x0)
    return AdadeltaState(0, zero, zero)


def textbook_adadelta_update(
    grad: Any, state: AdadeltaState, x: Any, hyper: Mapping[str, Any]
) -> tuple[Any, AdadeltaState]:
    r"""One Adadelta step of the textbook's scratch code (section "Adadelta").

    Algorithm
    ---------
    .. math:: s \leftarrow \rho s + (1-\rho) g^2, \quad
              g' = \frac{\sqrt{\delta + \epsilon}}{\sqrt{s + \epsilon}}\, g, \quad
              x \leftarrow x - g', \quad
              \delta \leftarrow \rho \delta + (1 - \rho) g'^2.
    """
    rho, eps = hyper["rho"], hyper["eps"]
    s = rho * state.s + (1 - rho) * (grad * grad)
    step = (sqrt(state.delta + eps) / sqrt(s + eps)) * grad
    delta = rho * state.delta + (1 - rho) * step * step
    return x - step, AdadeltaState(state.step + 1, s, delta)


def torch_adadelta_update(
    grad: Any, state: AdadeltaState, x: Any, hyper: Mapping[str, Any]
) -> tuple[Any, AdadeltaState]:
    r"""One step of ``torch.optim.Adadelta`` (single-tensor path, same operation order).

    Algorithm
    ---------
    As the textbook's rule with :math:`x \leftarrow x - \eta g'`; :math:`\delta`
    accumulates :math:`g'` before :math:`\eta` is applied.
    """
    rho, eps = hyper["rho"], hyper["eps"]
    s = state.s * rho + (1 - rho) * grad * grad
    step = sqrt(state.delta + eps) / sqrt(s + eps) * grad
    delta = state.delta * rho + (1 - rho) * step * step
    return x + -hyper["eta"] * step, AdadeltaState(state.step + 1, s, delta)


def adadelta_methods() -> list[Method]:
    """The registry entries of this family."""
    textbook = (
        Hyper("rho", "unit", 0.9, "decay of both averages"),
        Hyper("eps", "nonneg", 1e-5, "added inside both square roots"),
    )
    torch = (
        Hyper("eta", "positive", 1.0, "learning rate (torch's lr)"),
        Hyper("rho", "unit", 0.9, "decay of both averages"),
        Hyper("eps", "nonneg", 1e-6, "added inside both square roots"),
    )
    return [
        Method(
            "adadelta", "textbook", adadelta_init, textbook_adadelta_update, textbook,
            "s <- rho s + (1-rho) g^2; g' = sqrt(delta + eps)/sqrt(s + eps) g; x <- x - g'; "
            "delta <- rho delta + (1-rho) g'^2",
        ),
        Method(
            "adadelta", "torch", adadelta_init, torch_adadelta_update, torch,
            "as textbook, then x <- x - eta g'",
        ),
    ]
