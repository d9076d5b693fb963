"""Optimizers as pure ``init`` / ``update`` pairs, batched over hyperparameter settings.

Each method exists in two conventions: ``"textbook"`` (the arithmetic of the
textbook's scratch code) and ``"torch"`` (that of torch.optim's single-tensor
path).  Look one up with :func:`get_method`; see :mod:`._spec` for the
calling convention.
"""

from __future__ import annotations

from optheory._checks import check_choice
from optheory.numeric.optimizers._spec import Hyper, Method, batch_size
from optheory.numeric.optimizers.adadelta import adadelta_methods
from optheory.numeric.optimizers.adagrad import adagrad_methods
from optheory.numeric.optimizers.adam import adam_methods
from optheory.numeric.optimizers.linear import linear_methods
from optheory.numeric.optimizers.rmsprop import rmsprop_methods

__all__ = [
    "CONVENTIONS",
    "METHODS",
    "Hyper",
    "Method",
    "batch_size",
    "get_method",
]

CONVENTIONS = ("textbook", "torch")

_REGISTRY: dict[tuple[str, str], Method] = {
    (m.name, m.convention): m
    for m in (
        linear_methods()
        + adagrad_methods()
        + rmsprop_methods()
        + adadelta_methods()
        + adam_methods()
    )
}

#: Method names in registry order.
METHODS: tuple[str, ...] = tuple(dict.fromkeys(name for name, _ in _REGISTRY))


def get_method(method: str, convention: str = "textbook") -> Method:
    """The :class:`Method` for a name and a convention.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`.
    convention : {"textbook", "torch"}
        The textbook's scratch-code arithmetic (epsilon inside the square root
        for AdaGrad/RMSProp) or torch.optim's single-tensor arithmetic.

    Returns
    -------
    Method
        Pure ``init(x0, hyper) -> state`` and ``update(grad, state, x, hyper)
        -> (x, state)`` functions, batched over settings of shape (K, 1).

    Raises
    ------
    ValueError
        Unknown method or convention.
    """
    check_choice("method", method, METHODS)
    check_choice("convention", convention, CONVENTIONS)
    return _REGISTRY[(method, convention)]
