r"""Linear methods: gradient descent, heavy-ball momentum and Nesterov momentum.

On a quadratic these are linear iterations, which is what the stability
analysis studies.  The textbook's scratch code and ``torch.optim.SGD``
(``dampening=0``) compute the same numbers here, so one implementation serves
both conventions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from optheory.numeric.optimizers._ops import zeros_like
from optheory.numeric.optimizers._spec import Hyper, Method

__all__ = [
    "GDState",
    "MomentumState",
    "gd_init",
    "gd_update",
    "momentum_init",
    "momentum_update",
    "nesterov_update",
    "linear_methods",
]


class GDState(NamedTuple):
    """Gradient descent keeps only the step count."""

    step: int


class MomentumState(NamedTuple):
    """Step count and the velocity / momentum buffer ``v`` (zeros at the start)."""

    step: int
    v: Any


def gd_init(x0: Any, hyper: Mapping[str, Any]) -> GDState:
    """Initial gradient-descent state."""
    return GDState(0)


def gd_update(grad: Any, state: GDState, x: Any, hyper: Mapping[str, Any]) -> tuple[Any, GDState]:
    r"""One gradient-descent step.

    Algorithm
    ---------
    :math:`x \leftarrow x - \eta g`.
    """
    return x - hyper["eta"] * grad, GDState(state.step + 1)


def momentum_init(x0: Any, hyper: Mapping[str, Any]) -> MomentumState:
    """Zero velocity."""
    return MomentumState(0, zeros_like(x0))


def momentum_update(
    grad: Any, state: MomentumState, x: Any, hyper: Mapping[str, Any]
) -> tuple[Any, MomentumState]:
    r"""One heavy-ball step (textbook section "Momentum"; torch ``SGD(momentum=beta)``).

    Algorithm
    ---------
    .. math:: v \leftarrow \beta v + g, \qquad x \leftarrow x - \eta v.

    With :math:`v_0 = 0` the first step gives :math:`v_1 = g`, which is torch's
    first-step buffer.
    """
    v = hyper["beta"] * state.v + grad
    return x - hyper["eta"] * v, MomentumState(state.step + 1, v)


def nesterov_update(
    grad: Any, state: MomentumState, x: Any, hyper: Mapping[str, Any]
) -> tuple[Any, MomentumState]:
    r"""One Nesterov step as in ``torch.optim.SGD(nesterov=True, dampening=0)``.

    Algorithm
    ---------
    .. math:: b \leftarrow \beta b + g, \qquad x \leftarrow x - \eta (g + \beta b).
    """
    beta = hyper["beta"]
    b = beta * state.v + grad
    return x - hyper["eta"] * (grad + beta * b), MomentumState(state.step + 1, b)


_ETA_REQUIRED = Hyper("eta", "positive", None, "learning rate")
_ETA_TORCH = Hyper("eta", "positive", 1e-3, "learning rate (torch's lr)")
_BETA = Hyper("beta", "unit_open", None, "momentum coefficient")


def linear_methods() -> list[Method]:
    """The registry entries of this family (both conventions)."""
    out = []
    for convention, eta in (("textbook", _ETA_REQUIRED), ("torch", _ETA_TORCH)):
        out += [
            Method("gd", convention, gd_init, gd_update, (eta,), "x <- x - eta g"),
            Method(
                "momentum", convention, momentum_init, momentum_update, (eta, _BETA),
                "v <- beta v + g; x <- x - eta v",
            ),
            Method(
                "nesterov", convention, momentum_init, nesterov_update, (eta, _BETA),
                "b <- beta b + g; x <- x - eta (g + beta b)",
            ),
        ]
    return out
