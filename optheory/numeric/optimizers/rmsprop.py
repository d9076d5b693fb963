r"""RMSProp in the textbook's and in torch.optim's arithmetic.

Both keep the leaky average :math:`s \leftarrow \gamma s + (1 - \gamma) g^2`
(torch calls :math:`\gamma` ``alpha``).  The textbook puts :math:`\epsilon`
inside the root; torch adds it outside and offers the ``centered`` and
``momentum`` variants (here ``centered`` and ``beta``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from optheory.numeric.optimizers._ops import lerp, namespace, sqrt, zeros_like
from optheory.numeric.optimizers._spec import Hyper, Method

__all__ = [
    "RMSPropState",
    "TorchRMSpropState",
    "rmsprop_methods",
    "textbook_rmsprop_init",
    "textbook_rmsprop_update",
    "torch_rmsprop_init",
    "torch_rmsprop_update",
]


class RMSPropState(NamedTuple):
    """Step count and the leaky average of squared gradients ``s``."""

    step: int
    s: Any


class TorchRMSpropState(NamedTuple):
    """torch's state: ``s`` (square_avg), ``gbar`` (grad_avg) and ``buf`` (momentum)."""

    step: int
    s: Any
    gbar: Any
    buf: Any


def textbook_rmsprop_init(x0: Any, hyper: Mapping[str, Any]) -> RMSPropState:
    """``s = 0``."""
    return RMSPropState(0, zeros_like(x0))


def textbook_rmsprop_update(
    grad: Any, state: RMSPropState, x: Any, hyper: Mapping[str, Any]
) -> tuple[Any, RMSPropState]:
    r"""One RMSProp step of the textbook's scratch code (section "RMSProp").

    Algorithm
    ---------
    .. math:: s \leftarrow \gamma s + (1 - \gamma) g^2, \qquad
              x \leftarrow x - \frac{\eta}{\sqrt{s + \epsilon}}\, g.
    """
    gamma = hyper["gamma"]
    s = gamma * state.s + (1 - gamma) * (grad * grad)
    return x - hyper["eta"] / sqrt(s + hyper["eps"]) * grad, RMSPropState(state.step + 1, s)


def torch_rmsprop_init(x0: Any, hyper: Mapping[str, Any]) -> TorchRMSpropState:
    """All buffers zero."""
    zero = zeros_like(x0)
    return TorchRMSpropState(0, zero, zero, zero)


def torch_rmsprop_update(
    grad: Any, state: TorchRMSpropState, x: Any, hyper: Mapping[str, Any]
) -> tuple[Any, TorchRMSpropState]:
    r"""One step of ``torch.optim.RMSprop`` (single-tensor path, same operation order).

    Algorithm
    ---------
    .. math:: s \leftarrow \gamma s + (1-\gamma) g^2, \qquad
              a = \sqrt{s - \bar g^2} + \epsilon \ (\text{centered, with }
              \bar g \leftarrow \gamma \bar g + (1-\gamma) g) \ \text{else}\ \sqrt{s} + \epsilon,

    then :math:`x \leftarrow x - \eta g / a`, or with momentum
    :math:`\beta > 0`: :math:`b \leftarrow \beta b + g / a`, :math:`x \leftarrow x - \eta b`.
    With :math:`\beta = 0` (torch's default) no momentum buffer is used.
    """
    gamma, eta, beta = hyper["gamma"], hyper["eta"], hyper["beta"]
    s = state.s * gamma + (1 - gamma) * grad * grad
    gbar = state.gbar
    if hyper["centered"]:
        gbar = lerp(gbar, grad, 1 - gamma)
        avg = sqrt(s + (-1 * gbar) * gbar) + hyper["eps"]
    else:
        avg = sqrt(s) + hyper["eps"]
    if isinstance(beta, float) and beta == 0:
        return x + (-eta * grad) / avg, TorchRMSpropState(state.step + 1, s, gbar, state.buf)
    buf = state.buf * beta + grad / avg
    x_new = x + -eta * buf
    if not isinstance(beta, float):
        # Settings with beta = 0 take torch's plain branch, rounding included.
        x_new = namespace(x).where(beta == 0, x + (-eta * grad) / avg, x_new)
    return x_new, TorchRMSpropState(state.step + 1, s, gbar, buf)


def rmsprop_methods() -> list[Method]:
    """The registry entries of this family."""
    textbook = (
        Hyper("eta", "positive", None, "learning rate"),
        Hyper("gamma", "unit", 0.9, "decay of the squared-gradient average"),
        Hyper("eps", "nonneg", 1e-6, "added inside the square root"),
    )
    torch = (
        Hyper("eta", "positive", 1e-2, "learning rate (torch's lr)"),
        Hyper("gamma", "unit", 0.99, "decay of the squared-gradient average (torch's alpha)"),
        Hyper("eps", "nonneg", 1e-8, "added outside the square root"),
        Hyper("beta", "unit_open", 0.0, "momentum coefficient (torch's momentum)"),
        Hyper("centered", "flag", False, "subtract the squared mean gradient"),
    )
    return [
        Method(
            "rmsprop", "textbook", textbook_rmsprop_init, textbook_rmsprop_update, textbook,
            "s <- gamma s + (1 - gamma) g^2; x <- x - eta g / sqrt(s + eps)",
        ),
        Method(
            "rmsprop", "torch", torch_rmsprop_init, torch_rmsprop_update, torch,
            "s <- gamma s + (1 - gamma) g^2; x <- x - eta g / (sqrt(s) + eps) "
            "(centered and momentum variants)",
        ),
    ]
