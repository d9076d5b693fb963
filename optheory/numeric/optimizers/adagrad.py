r"""AdaGrad in the textbook's and in torch.optim's arithmetic.

Both accumulate :math:`s \leftarrow s + g^2` and scale each coordinate by
:math:`1/\sqrt{s}`; they differ in where :math:`\epsilon` sits, its default,
and torch's learning-rate decay and initial accumulator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from optheory.numeric.optimizers._ops import sqrt, zeros_like
from optheory.numeric.optimizers._spec import Hyper, Method

__all__ = [
    "AdagradState",
    "adagrad_methods",
    "textbook_adagrad_init",
    "textbook_adagrad_update",
    "torch_adagrad_init",
    "torch_adagrad_update",
]


class AdagradState(NamedTuple):
    """Step count and the accumulated squared gradients ``s``."""

    step: int
    s: Any


def textbook_adagrad_init(x0: Any, hyper: Mapping[str, Any]) -> AdagradState:
    """``s = 0``."""
    return AdagradState(0, zeros_like(x0))


def textbook_adagrad_update(
    grad: Any, state: AdagradState, x: Any, hyper: Mapping[str, Any]
) -> tuple[Any, AdagradState]:
    r"""One AdaGrad step of the textbook's scratch code (section "AdaGrad").

    Algorithm
    ---------
    .. math:: s \leftarrow s + g^2, \qquad
              x \leftarrow x - \frac{\eta}{\sqrt{s + \epsilon}}\, g
              \quad (\epsilon = 10^{-6} \text{ inside the root}).
    """
    s = state.s + grad * grad
    return x - hyper["eta"] / sqrt(s + hyper["eps"]) * grad, AdagradState(state.step + 1, s)


def torch_adagrad_init(x0: Any, hyper: Mapping[str, Any]) -> AdagradState:
    """``s`` filled with ``initial_accumulator_value``."""
    return AdagradState(0, zeros_like(x0) + hyper["initial_accumulator_value"])


def torch_adagrad_update(
    grad: Any, state: AdagradState, x: Any, hyper: Mapping[str, Any]
) -> tuple[Any, AdagradState]:
    r"""One step of ``torch.optim.Adagrad`` (single-tensor path, same operation order).

    Algorithm
    ---------
    .. math:: \eta_t = \frac{\eta}{1 + (t - 1)\,\mathrm{lr\_decay}}, \qquad
              s \leftarrow s + g^2, \qquad
              x \leftarrow x - \frac{\eta_t\, g}{\sqrt{s} + \epsilon}.
    """
    t = state.step + 1
    clr = hyper["eta"] / (1 + (t - 1) * hyper["lr_decay"])
    s = state.s + grad * grad
    return x + (-clr * grad) / (sqrt(s) + hyper["eps"]), AdagradState(t, s)


def adagrad_methods() -> list[Method]:
    """The registry entries of this family."""
    textbook = (
        Hyper("eta", "positive", None, "learning rate"),
        Hyper("eps", "nonneg", 1e-6, "added inside the square root"),
    )
    torch = (
        Hyper("eta", "positive", 1e-2, "learning rate (torch's lr)"),
        Hyper("lr_decay", "nonneg", 0.0, "the rate is eta / (1 + (t - 1) lr_decay)"),
        Hyper("initial_accumulator_value", "nonneg", 0.0, "starting value of s"),
        Hyper("eps", "nonneg", 1e-10, "added outside the square root"),
    )
    return [
        Method(
            "adagrad", "textbook", textbook_adagrad_init, textbook_adagrad_update, textbook,
            "s <- s + g^2; x <- x - eta g / sqrt(s + eps)",
        ),
        Method(
            "adagrad", "torch", torch_adagrad_init, torch_adagrad_update, torch,
            "s <- s + g^2; x <- x - eta_t g / (sqrt(s) + eps), eta_t = eta / (1 + (t-1) lr_decay)",
        ),
    ]
