r"""Printing numbers that do not depend on the CPU.

optheory's reports promise the same bytes on any x86-64 CPU with the pinned
dependencies.  Two kinds of numbers would break that promise if printed as
computed:

* **gaps at rounding level** ("own and torch.optim agree to 3.3e-16"): their
  last digits are rounding noise that changes with SIMD width, fused
  multiply-adds and BLAS kernels.  :func:`gap_text` prints them as a bound at a
  resolution tied to the tolerance, which the noise cannot cross;
* **quantities read from runs that amplify rounding** (adaptive methods at a
  constant step, see :mod:`optheory.numeric.lyapunov`): :func:`robust_text`
  receives the quantity over an ensemble of starts a few ulps apart and prints
  the single value only when every member prints the same, otherwise the range
  the ensemble spans, labelled as sensitive.

The own numpy implementations avoid CPU-dependent kernels where a run feeds a
printed number (fixed-order Hessian products and random rotations in
:class:`~optheory.numeric.problems.EigenQuadratic`), so an ensemble computed
with them is itself the same on every CPU.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "GAP_DECADES",
    "SENSITIVE_LABEL",
    "RobustValue",
    "ensemble_starts",
    "gap_text",
    "robust_text",
    "robust_value",
]

#: A gap is printed as "below" a bound this many decades under its tolerance.
GAP_DECADES = 2

#: The words that mark a value read from a rounding-sensitive run.
SENSITIVE_LABEL = "sensitive to rounding"


def gap_bound(tol: float) -> float:
    """The resolution of :func:`gap_text`: ``10**(floor(log10(tol)) - GAP_DECADES)``."""
    if not (isinstance(tol, int | float) and math.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a positive finite number, got {tol!r}")
    return float(10.0 ** (math.floor(math.log10(tol)) - GAP_DECADES))


def gap_text(gap: float, tol: float) -> str:
    r"""A measured rounding-level gap as text that cannot flip with the CPU.

    The one rule used everywhere: a gap at most :math:`b = 10^{\lfloor \log_{10}
    \mathrm{tol} \rfloor - 2}` prints as ``"below b"``; a gap between ``b`` and
    ``tol`` prints as ``"below tol"``; a larger gap (a failed check) prints its
    value.  Rounding noise moves a gap by a small factor, far less than the
    hundredfold between ``b`` and ``tol``.

    Parameters
    ----------
    gap : float
        The measured gap (non-negative; NaN or inf print as "not finite").
    tol : float
        The tolerance the gap is checked against.

    Examples
    --------
    >>> gap_text(3.3e-16, 1e-12)
    'below 1e-14'
    >>> gap_text(2e-13, 1e-12)
    'below 1e-12'
    >>> gap_text(0.5, 1e-12)
    '5.0e-01 (over the tolerance 1e-12)'
    """
    bound = gap_bound(tol)
    g = abs(float(gap))
    if not math.isfinite(g):
        return "not finite"
    if g <= bound:
        return f"below {bound:.0e}"
    if g <= tol:
        return f"below {tol:.0e}"
    return f"{g:.1e} (over the tolerance {tol:.0e})"


@dataclass(frozen=True)
class RobustValue:
    """A quantity measured over an ensemble of nearby starts.

    Attributes
    ----------
    values : tuple of float
        One value per ensemble member (the unperturbed run first).
    text : str
        The value when every member prints the same, else the range, labelled.
    sensitive : bool
        True when the members print differently.
    """

    values: tuple[float, ...]
    text: str
    sensitive: bool

    @property
    def low(self) -> float:
        """Smallest member."""
        return min(self.values)

    @property
    def high(self) -> float:
        """Largest member."""
        return max(self.values)

    def __str__(self) -> str:
        return self.text


def _fmt(value: float, digits: int) -> str:
    if not math.isfinite(value):
        return "inf" if value > 0 else ("-inf" if value < 0 else "nan")
    return f"{value:.{digits}g}"


def robust_text(values: Sequence[float], digits: int = 3,
                fmt: Callable[[float], str] | None = None) -> RobustValue:
    """Print an ensemble's value robustly.

    Parameters
    ----------
    values : sequence of float
        The quantity for each member of an ensemble of starts a few ulps apart
        (see :func:`ensemble_starts`); the first is the unperturbed run.
    digits : int
        Significant digits of the single value.
    fmt : callable, optional
        Formats one value (default ``f"{v:.{digits}g}"``).

    Returns
    -------
    RobustValue
        ``text`` is the common text when all members print alike, otherwise
        ``"lo to hi (sensitive to rounding)"`` with the extremes.
    """
    vals = tuple(float(v) for v in values)
    if not vals:
        raise ValueError("values must hold at least one ensemble member")
    show = fmt or (lambda v: _fmt(v, digits))
    texts = {show(v) for v in vals}
    if len(texts) == 1:
        return RobustValue(vals, texts.pop(), False)
    lo, hi = min(vals), max(vals)
    return RobustValue(vals, f"{show(lo)} to {show(hi)} ({SENSITIVE_LABEL})", True)


def ensemble_starts(x0: Any, members: int = 8) -> np.ndarray:
    r"""Starts ``x0 + k s \odot \mathrm{ulp}(x0)``, k = 0..members-1, alternating signs s.

    Returns an array of shape (members, d); row 0 is ``x0`` itself.
    """
    x = np.asarray(x0, dtype=float)
    if x.ndim != 1 or x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError(f"x0 must be a finite 1-D array, got shape {x.shape}")
    if not (isinstance(members, int) and members >= 1):
        raise ValueError(f"members must be a positive integer, got {members!r}")
    signs = (-1.0) ** np.arange(x.size)
    k = np.arange(members, dtype=float)[:, None]
    return x[None, :] + k * signs[None, :] * np.spacing(x)[None, :]


def robust_value(measure: Callable[[np.ndarray], float], x0: Any, members: int = 8,
                 digits: int = 3, fmt: Callable[[float], str] | None = None) -> RobustValue:
    """``measure`` (a run from a start, reduced to one number) over :func:`ensemble_starts`."""
    return robust_text([measure(s) for s in ensemble_starts(x0, members)], digits, fmt)
