"""Declaring an optimizer: its hyperparameters, their rules, and its two pure functions.

An optimizer is an optax-style pair

* ``init(x0, hyper) -> state`` (a NamedTuple of arrays and the step count), and
* ``update(grad, state, x, hyper) -> (new_x, new_state)``,

working on iterates of shape ``(..., d)``.  Every hyperparameter is a Python
float (shared) or an array of shape ``(K, 1)`` broadcasting against iterates
of shape ``(K, d)``: K settings advance together in one array.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from optheory._checks import check_finite, check_in_range, check_positive

__all__ = ["Hyper", "Method", "RULES", "batch_size", "check_hyper_value"]

#: How each rule reads in an error message, and the check it applies.
RULES = {
    "positive": "> 0",
    "unit": "in [0, 1]",
    "unit_open": "in [0, 1)",
    "nonneg": ">= 0",
    "flag": "True or False",
}


class Hyper(NamedTuple):
    """One hyperparameter: its name, validity rule, default and meaning.

    ``default=None`` marks a required hyperparameter.
    """

    name: str
    rule: str
    default: float | bool | None
    doc: str


def _check_scalar(name: str, rule: str, value: Any) -> float:
    if rule == "positive":
        return check_positive(name, value)
    if rule == "unit":
        return check_in_range(name, value, 0.0, 1.0)
    if rule == "unit_open":
        return check_in_range(name, value, 0.0, 1.0, high_open=True)
    out = check_finite(name, value)
    if out < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return out


def check_hyper_value(spec: Hyper, value: Any) -> float | bool | np.ndarray:
    """Validate one value: a scalar, or a 1-D sequence of K values (a batch).

    Returns a Python float (or bool for flags) or a float64 array of shape (K,).

    Raises
    ------
    ValueError
        The value (or the first bad entry of a batch, named ``name[k]``)
        breaks the rule.
    """
    if spec.rule == "flag":
        if not isinstance(value, bool | np.bool_):
            raise ValueError(f"{spec.name} must be True or False, got {value!r}")
        return bool(value)
    if isinstance(value, str | bytes | bool | np.bool_):
        raise ValueError(f"{spec.name} must be a real number, got {value!r}")
    if np.ndim(value) == 0:
        return _check_scalar(spec.name, spec.rule, value)
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"{spec.name} must be a number or a 1-D sequence of numbers, got {value!r}"
        ) from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"{spec.name} must be a number or a non-empty 1-D sequence, got shape {arr.shape}"
        )
    # vectorized test; the first offending entry is then checked alone for its message
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(arr)
        if spec.rule == "positive":
            ok &= arr > 0
        elif spec.rule == "unit":
            ok &= (arr >= 0) & (arr <= 1)
        elif spec.rule == "unit_open":
            ok &= (arr >= 0) & (arr < 1)
        else:
            ok &= arr >= 0
    if not ok.all():
        k = int(np.argmin(ok))
        _check_scalar(f"{spec.name}[{k}]", spec.rule, float(arr[k]))
    return arr


@dataclass(frozen=True)
class Method:
    """An optimizer in one convention.

    Attributes
    ----------
    name, convention : str
        E.g. ``"adam"`` and ``"torch"``.
    init, update : callables
        The pure pair described in the module docstring.
    hypers : tuple of Hyper
        Accepted hyperparameters with rules and defaults.
    summary : str
        One line with the update rule.
    """

    name: str
    convention: str
    init: Callable[[Any, Mapping[str, Any]], Any]
    update: Callable[[Any, Any, Any, Mapping[str, Any]], tuple[Any, Any]]
    hypers: tuple[Hyper, ...]
    summary: str

    @property
    def hyper_names(self) -> tuple[str, ...]:
        """Names of the accepted hyperparameters."""
        return tuple(h.name for h in self.hypers)

    def resolve(self, hyper: Mapping[str, Any]) -> dict[str, Any]:
        """Validate ``hyper`` and fill in defaults.

        Returns a dict with every accepted name; values are Python floats,
        bools, or float64 arrays of shape (K,) for batched settings (all
        batches must share one K).  Before calling ``init`` / ``update``,
        reshape batches to (K, 1) columns of the iterates' array library, as
        :func:`optheory.numeric.run.run` does.

        Raises
        ------
        ValueError
            An unknown or missing name, a value breaking its rule, or batches
            of different lengths.
        """
        names = self.hyper_names
        for key in hyper:
            if key not in names:
                raise ValueError(
                    f"unknown hyperparameter {key!r} for {self.name} ({self.convention} "
                    f"convention); accepted: {', '.join(names)}"
                )
        out: dict[str, Any] = {}
        sizes: dict[str, int] = {}
        for spec in self.hypers:
            if spec.name in hyper:
                value = check_hyper_value(spec, hyper[spec.name])
            elif spec.default is None:
                raise ValueError(
                    f"{self.name} needs the hyperparameter {spec.name} ({spec.doc}); "
                    f"pass {spec.name}=..."
                )
            else:
                value = spec.default
            if isinstance(value, np.ndarray):
                sizes[spec.name] = value.size
            out[spec.name] = value
        if len(set(sizes.values())) > 1:
            listed = ", ".join(f"{k} has {n}" for k, n in sizes.items())
            raise ValueError(f"batched hyperparameters must have one length; {listed}")
        return out


def batch_size(hyper: Mapping[str, Any]) -> int | None:
    """K for batched resolved hyperparameters, or None when all are scalars."""
    for value in hyper.values():
        if isinstance(value, np.ndarray):
            return int(value.size)
    return None
