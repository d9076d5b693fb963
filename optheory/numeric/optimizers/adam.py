r"""Adam, AMSGrad and Yogi in the textbook's and in torch.optim's arithmetic.

All three keep a first moment ``m`` and a second moment ``v`` with bias
corrections :math:`1 - \beta_1^t` and :math:`1 - \beta_2^t` (t from 1):

* Adam: :math:`v \leftarrow \beta_2 v + (1 - \beta_2) g^2`;
* AMSGrad: as Adam, normalising by the running maximum of the raw ``v``;
* Yogi: :math:`v \leftarrow v + (1 - \beta_2)\,\mathrm{sign}(g^2 - v)\, g^2`.

The textbook (section "Adam") uses :math:`\epsilon = 10^{-6}` (Yogi
:math:`10^{-3}`) outside the root; torch (``Adam``, ``Adam(amsgrad=True)``)
uses :math:`10^{-8}` and a different operation order, replicated here.  Neither
source has AMSGrad in the textbook's arithmetic nor Yogi in torch's; those two
combinations apply the same moment rules in the other convention's arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from optheory.numeric.optimizers._ops import lerp, maximum, power, sign, sqrt, zeros_like
from optheory.numeric.optimizers._spec import Hyper, Method

__all__ = ["AdamState", "adam_init", "adam_methods", "make_textbook_update", "make_torch_update"]

_VARIANTS = ("adam", "amsgrad", "yogi")


class AdamState(NamedTuple):
    """Step count, moments ``m`` and ``v``, and ``vmax`` (AMSGrad's running maximum)."""

    step: int
    m: Any
    v: Any
    vmax: Any


def adam_init(x0: Any, hyper: Mapping[str, Any]) -> AdamState:
    """All moments zero."""
    zero = zeros_like(x0)
    return AdamState(0, zero, zero, zero)


def _second_moment(variant: str, v: Any, grad: Any, beta2: Any, torch_order: bool) -> Any:
    g2 = grad * grad
    if variant == "yogi":
        return v + (1 - beta2) * sign(g2 - v) * g2
    if torch_order:
        return v * beta2 + (1 - beta2) * grad * grad
    return beta2 * v + (1 - beta2) * g2


Update = Callable[[Any, AdamState, Any, Mapping[str, Any]], tuple[Any, AdamState]]


def make_textbook_update(variant: str) -> Update:
    r"""The textbook's Adam arithmetic for ``variant`` in ("adam", "amsgrad", "yogi").

    Algorithm
    ---------
    .. math:: m \leftarrow \beta_1 m + (1-\beta_1) g, \quad v \leftarrow \text{(variant rule)},
              \quad \hat m = \frac{m}{1-\beta_1^t}, \quad \hat v = \frac{v}{1-\beta_2^t}, \quad
              x \leftarrow x - \frac{\eta \hat m}{\sqrt{\hat v} + \epsilon}.
    """

    def update(
        grad: Any, state: AdamState, x: Any, hyper: Mapping[str, Any]
    ) -> tuple[Any, AdamState]:
        beta1, beta2 = hyper["beta1"], hyper["beta2"]
        t = state.step + 1
        m = beta1 * state.m + (1 - beta1) * grad
        v = _second_moment(variant, state.v, grad, beta2, torch_order=False)
        vmax = maximum(state.vmax, v) if variant == "amsgrad" else state.vmax
        m_hat = m / (1 - power(beta1, t))
        v_hat = (vmax if variant == "amsgrad" else v) / (1 - power(beta2, t))
        x = x - hyper["eta"] * m_hat / (sqrt(v_hat) + hyper["eps"])
        return x, AdamState(t, m, v, vmax)

    update.__name__ = f"textbook_{variant}_update"
    return update


def make_torch_update(variant: str) -> Update:
    r"""torch.optim.Adam's single-tensor arithmetic for ``variant``.

    Algorithm
    ---------
    .. math:: m \leftarrow \mathrm{lerp}(m, g, 1-\beta_1), \quad v \leftarrow \text{(variant rule)},
              \quad x \leftarrow x - \frac{\eta}{1-\beta_1^t}\,
              \frac{m}{\sqrt{v}/\sqrt{1-\beta_2^t} + \epsilon}.
    """

    def update(
        grad: Any, state: AdamState, x: Any, hyper: Mapping[str, Any]
    ) -> tuple[Any, AdamState]:
        beta1, beta2 = hyper["beta1"], hyper["beta2"]
        t = state.step + 1
        m = lerp(state.m, grad, 1 - beta1)
        v = _second_moment(variant, state.v, grad, beta2, torch_order=True)
        step_size = hyper["eta"] / (1 - power(beta1, t))
        bc2_sqrt = (1 - power(beta2, t)) ** 0.5
        vmax = maximum(state.vmax, v) if variant == "amsgrad" else state.vmax
        denom = sqrt(vmax if variant == "amsgrad" else v) / bc2_sqrt + hyper["eps"]
        return x + (-step_size * m) / denom, AdamState(t, m, v, vmax)

    update.__name__ = f"torch_{variant}_update"
    return update


def _hypers(convention: str, variant: str) -> tuple[Hyper, ...]:
    if convention == "textbook":
        eta = Hyper("eta", "positive", None, "learning rate")
        eps = 1e-3 if variant == "yogi" else 1e-6
    else:
        eta = Hyper("eta", "positive", 1e-2 if variant == "yogi" else 1e-3, "learning rate")
        eps = 1e-3 if variant == "yogi" else 1e-8
    return (
        eta,
        # Below 1: the bias corrections divide by 1 - beta^t.
        Hyper("beta1", "unit_open", 0.9, "decay of the first moment"),
        Hyper("beta2", "unit_open", 0.999, "decay of the second moment"),
        Hyper("eps", "nonneg", eps, "added outside the square root"),
    )


_SUMMARY = {
    "adam": "v <- beta2 v + (1-beta2) g^2",
    "amsgrad": "v <- beta2 v + (1-beta2) g^2, normalise by max over time of v",
    "yogi": "v <- v + (1-beta2) sign(g^2 - v) g^2",
}


def adam_methods() -> list[Method]:
    """The registry entries of this family."""
    out = []
    for variant in _VARIANTS:
        common = "m <- beta1 m + (1-beta1) g; " + _SUMMARY[variant]
        out.append(
            Method(
                variant, "textbook", adam_init, make_textbook_update(variant),
                _hypers("textbook", variant),
                common + "; x <- x - eta mhat / (sqrt(vhat) + eps)",
            )
        )
        out.append(
            Method(
                variant, "torch", adam_init, make_torch_update(variant),
                _hypers("torch", variant),
                common + "; x <- x - (eta/bc1) m / (sqrt(v)/sqrt(bc2) + eps)",
            )
        )
    return out
