"""The numeric state-space form of one cell, without sympy (what worker processes receive)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["System", "system"]


class System(NamedTuple):
    """``(A, B, C, start)`` as float arrays at one (eta, beta), and the row of x in the state."""

    A: np.ndarray
    B: np.ndarray
    C: np.ndarray
    start: np.ndarray
    x_index: int


def system(method: str, eta: float, beta: float) -> System:
    """Evaluate :func:`optheory.pep.state_space.state_space` at ``(eta, beta)`` (imports sympy)."""
    from optheory.pep.state_space import numeric_state_space, state_space

    A, B, C, start = numeric_state_space(method, eta, beta)
    return System(A, B, C, start, state_space(method).x_index)
