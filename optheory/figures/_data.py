"""Shape checks for figure data (every bad input: one-line ValueError)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["as_vector", "as_array", "check_curves", "check_nonempty_mapping"]

FloatArray = NDArray[np.float64]


def as_array(name: str, value: Any, ndim: int) -> FloatArray:
    """Return ``value`` as a float array with ``ndim`` dimensions and no zero-length axis."""
    try:
        out = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of real numbers") from None
    if out.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {out.shape}")
    if out.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {out.shape}")
    return out


def as_vector(name: str, value: Any, length: int | None = None) -> FloatArray:
    """Return ``value`` as a 1-D float array, of ``length`` entries if given."""
    out = as_array(name, value, 1)
    if length is not None and out.shape[0] != length:
        raise ValueError(f"{name} must have {length} entries to match, got {out.shape[0]}")
    return out


def check_nonempty_mapping(name: str, value: Any) -> Mapping[str, Any]:
    """Return ``value`` if it is a non-empty mapping with string keys."""
    if not isinstance(value, Mapping) or not value:
        raise ValueError(f"{name} must be a non-empty dict of label -> data")
    for key in value:
        if not isinstance(key, str):
            raise ValueError(f"{name} labels must be strings, got {key!r}")
    return value


def check_curves(name: str, curves: Any, length: int) -> dict[str, FloatArray]:
    """Return ``curves`` (label -> 1-D array of ``length`` values) as float arrays."""
    mapping = check_nonempty_mapping(name, curves)
    return {label: as_vector(f"{name}[{label!r}]", y, length) for label, y in mapping.items()}
