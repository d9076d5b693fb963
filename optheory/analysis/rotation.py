r"""Rotation (in)variance of optimizers on the textbook's 2-D problems.

Gradient descent, heavy ball and Nesterov use the gradient only through
linear operations, so for an orthogonal ``O`` the run on the rotated problem
:math:`f(O x)` from :math:`O^\top x_0` is the rotated run: the number of steps
to a tolerance cannot change.  AdaGrad, RMSProp, Adadelta, Adam, AMSGrad and
Yogi square the gradient *per coordinate*, which does not commute with
rotations, so they lose (or gain) their per-coordinate preconditioning.

:func:`rotation_table` measures this: for each method it reports the steps to
reach :math:`\|x - x^\star\| < \text{tol}` on

* ``"axis"``: :math:`0.1 x_1^2 + 2 x_2^2` (eigenvalues 0.2, 4),
* ``"rotated"``: the same spectrum turned by 45 degrees, started from the
  rotated start (a pure rotation of the whole experiment),
* ``"textbook_rotated"``: the textbook's :math:`0.1 (x_1 + x_2)^2 + 2 (x_1 - x_2)^2`
  from the textbook start (-5, -2); note its eigenvalues are 0.4 and 8, twice
  those of ``"axis"``, so it is a rotation *and* a rescaling,

and the largest deviation between the rotated run mapped back and the
axis-aligned run (the equivariance error).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from optheory._checks import check_choice, check_positive, check_positive_int
from optheory.numeric.problems import EigenQuadratic, textbook_2d, textbook_2d_rotated
from optheory.numeric.run import TEXTBOOK_START, run

__all__ = ["DEFAULT_SETTINGS", "RotationRow", "rotation_table", "steps_to_tolerance"]

#: Hyperparameters used for the comparison.  The linear methods use eta = 0.2 so
#: that they are stable on all three problems (eta * 8 < 2 on the textbook's
#: rotated problem, whose largest eigenvalue is 8; Nesterov needs
#: eta * 8 < 2 (1 + beta) / (1 + 2 beta) = 1.5 at beta = 0.5).
DEFAULT_SETTINGS: dict[str, dict[str, Any]] = {
    "gd": {"eta": 0.2},
    "momentum": {"eta": 0.2, "beta": 0.5},
    "nesterov": {"eta": 0.15, "beta": 0.5},
    "adagrad": {"eta": 2.0},
    "rmsprop": {"eta": 0.1, "gamma": 0.9},
    "adadelta": {"rho": 0.9},
    "adam": {"eta": 0.1},
    "amsgrad": {"eta": 0.1},
    "yogi": {"eta": 0.1},
}

_ROTATION = np.array([[1.0, 1.0], [1.0, -1.0]]) / np.sqrt(2.0)


def steps_to_tolerance(x: np.ndarray, x_star: np.ndarray, tol: float) -> int | None:
    """First step t with ``||x_t - x*|| < tol`` that *stays* below tol afterwards."""
    with np.errstate(all="ignore"):  # diverged runs hold inf / NaN
        err = np.linalg.norm(np.asarray(x) - np.asarray(x_star), axis=-1)
    ok = np.isfinite(err) & (err < tol)
    if not ok[-1]:
        return None
    bad = np.flatnonzero(~ok)
    return 0 if bad.size == 0 else int(bad[-1] + 1)


@dataclass(frozen=True)
class RotationRow:
    method: str
    hyper: dict[str, Any]
    steps_axis: int | None
    steps_rotated: int | None
    steps_textbook_rotated: int | None
    equivariance_error: float

    @property
    def rotation_invariant(self) -> bool:
        # ~1e-12 absorbs float64 rounding over the run on an O(5) start.
        return self.equivariance_error < 1e-9


def rotation_table(
    methods: Any = None, tol: float = 1e-6, max_steps: int = 5000
) -> list[RotationRow]:
    """Measure steps to tolerance on the three problems for each method."""
    tol = check_positive("tol", tol)
    max_steps = check_positive_int("max_steps", max_steps, maximum=10**6)
    if methods is not None and (isinstance(methods, str) or not isinstance(methods, Iterable)):
        raise ValueError(f"methods must be a list of method names, got {methods!r}")
    settings = (
        DEFAULT_SETTINGS
        if methods is None
        else {m: DEFAULT_SETTINGS[check_choice("methods entry", m, DEFAULT_SETTINGS)]
              for m in methods}
    )
    axis = textbook_2d()
    rotated = EigenQuadratic([0.2, 4.0], basis=_ROTATION)
    textbook_rot = textbook_2d_rotated()
    x0 = np.array(TEXTBOOK_START)
    x0_rot = np.asarray(rotated.from_eigen(x0))  # O^T x0: the rotated start
    rows = []
    for method, hyper in settings.items():
        t_axis = run(method, axis, x0, max_steps, **hyper)
        t_rot = run(method, rotated, x0_rot, max_steps, **hyper)
        t_tb = run(method, textbook_rot, x0, max_steps, **hyper)
        with np.errstate(all="ignore"):
            back = np.asarray(rotated.to_eigen(t_rot.x))
            dev = np.abs(back - t_axis.x)
        equivariance = float(np.nanmax(dev)) if np.isfinite(dev).any() else float("inf")
        rows.append(
            RotationRow(
                method,
                dict(hyper),
                steps_to_tolerance(t_axis.x, axis.x_star, tol),
                steps_to_tolerance(t_rot.x, rotated.x_star, tol),
                steps_to_tolerance(t_tb.x, textbook_rot.x_star, tol),
                equivariance,
            )
        )
    return rows
