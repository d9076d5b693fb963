r"""The online counterexample of Reddi, Kale & Kumar (ICLR 2018, section 3).

On the feasible set :math:`[-1, 1]` the losses are

.. math:: f_t(x) = \begin{cases} C x & t \bmod 3 = 1 \\ -x & \text{otherwise,} \end{cases}
          \qquad C > 2,

so the average loss :math:`(C - 2) x / 3` is minimised at :math:`x = -1`.
Adam with :math:`\beta_1 = 0`, :math:`\beta_2 = 1/(1 + C^2)` and step
:math:`\alpha/\sqrt t` (the paper's Adam: no bias correction, no epsilon),
projected onto :math:`[-1, 1]`, drifts to the worst point :math:`+1`;
AMSGrad, which divides by the running maximum of the second moment, reaches
the optimum :math:`-1`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optheory._checks import check_choice, check_positive, check_positive_int

__all__ = ["OnlineRun", "reddi_gradient", "run_reddi"]


def reddi_gradient(t: int, C: float) -> float:
    """Gradient of :math:`f_t` (steps are numbered from 1)."""
    return C if t % 3 == 1 else -1.0


@dataclass(frozen=True)
class OnlineRun:
    """Iterates ``x`` (``x[0]`` is the start) and the average regret after each step."""

    method: str
    C: float
    x: np.ndarray
    average_regret: np.ndarray

    @property
    def final(self) -> float:
        return float(self.x[-1])


def run_reddi(
    method: str, C: float, steps: int = 3000, alpha: float = 0.5, x0: float = 0.0,
    beta2: float | None = None,
) -> OnlineRun:
    r"""Run the paper's Adam or AMSGrad on the online problem.

    Parameters
    ----------
    method : {"adam", "amsgrad"}
    C : float
        Must be > 2.
    steps : int
    alpha : float
        Base step; step t uses :math:`\alpha / \sqrt t`.
    x0 : float
        Start in [-1, 1].
    beta2 : float, optional
        Decay of the second moment, in (0, 1); the paper's :math:`1/(1 + C^2)` by default.

    Returns
    -------
    OnlineRun
        ``average_regret[t-1]`` is :math:`\frac1t \sum_{s \le t} (f_s(x_s) - f_s(-1))`.

    Raises
    ------
    ValueError
        Unknown method, ``C <= 2``, non-positive or non-finite ``C`` / ``alpha``,
        ``steps`` < 1, ``x0`` outside [-1, 1], or ``beta2`` outside (0, 1).
    """
    check_choice("method", method, ("adam", "amsgrad"))
    C = check_positive("C", C)
    if C <= 2:
        raise ValueError(f"C must be > 2 for the counterexample, got {C:g}")
    steps = check_positive_int("steps", steps, maximum=10**7)
    alpha = check_positive("alpha", alpha)
    if not -1.0 <= x0 <= 1.0:
        raise ValueError(f"x0 must lie in [-1, 1], got {x0!r}")
    if beta2 is None:
        beta2 = 1.0 / (1.0 + C * C)
    elif not (isinstance(beta2, int | float) and 0.0 < beta2 < 1.0):
        raise ValueError(f"beta2 must lie in (0, 1), got {beta2!r}")
    x = np.empty(steps + 1)
    regret = np.empty(steps)
    x[0] = x0
    v = 0.0
    v_max = 0.0
    total = 0.0
    for t in range(1, steps + 1):
        g = reddi_gradient(t, C)
        total += g * x[t - 1] - g * (-1.0)  # linear loss: f_t(x) - f_t(-1)
        regret[t - 1] = total / t
        v = beta2 * v + (1.0 - beta2) * g * g
        v_max = max(v_max, v)
        denom = np.sqrt(v if method == "adam" else v_max)
        x[t] = min(1.0, max(-1.0, x[t - 1] - alpha / np.sqrt(t) * g / denom))
    return OnlineRun(method, C, x, regret)
