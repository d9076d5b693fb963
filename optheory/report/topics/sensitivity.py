"""Blocks of the adaptive-methods page: which constant-step runs amplify rounding.

For each setting the finite-time Lyapunov exponents of the step map come from
:func:`optheory.numeric.lyapunov.lyapunov_run` (Jacobians by forward-mode
differentiation of the optimizer's own update); the numeric witness is a pair
of runs that start one ulp apart.  Every sentence is chosen by the computed
values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optheory.numeric.lyapunov import SensitivityRun, lyapunov_run
from optheory.numeric.problems import textbook_2d_rotated
from optheory.numeric.run import run
from optheory.report.document import Block, Figure, Heading, Table, Text, VerificationRow
from optheory.report.topics._common import row

__all__ = ["SETTINGS", "WINDOW", "sensitivity_blocks"]

#: Steps per window of the finite-time exponent.
WINDOW = 20
#: Steps per run: long enough to reach the optimum's neighbourhood at these steps.
STEPS = 1600
#: Tolerance of the rounding horizon.
HORIZON_TOL = 1e-12
#: Exponents within this of 0 are printed as 0 and called neutral: a CPU-proof margin.
NEUTRAL = 0.005
X0 = (-5.0, -2.0)

SETTINGS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("gd", "textbook", {"eta": 0.2}),
    ("momentum", "textbook", {"eta": 0.1, "beta": 0.5}),
    ("adagrad", "textbook", {"eta": 0.4}),
    ("adam", "textbook", {"eta": 0.1}),
    ("rmsprop", "textbook", {"eta": 0.03, "gamma": 0.99}),
    ("rmsprop", "torch", {"eta": 0.01}),
    ("adadelta", "textbook", {"rho": 0.9}),
)


def _num(value: float) -> str:
    return "0.00" if abs(value) < NEUTRAL else f"{value:.2f}"


def _label(method: str, conv: str, hyper: dict[str, Any]) -> str:
    args = ", ".join(f"{k} = {v:g}" for k, v in hyper.items())
    return f"{method} ({conv}; {args})"


def sensitivity_blocks() -> tuple[list[Block], list[VerificationRow]]:
    """The section's blocks and its verification rows."""
    problem = textbook_2d_rotated()
    x0 = np.array(X0)
    table, expanding = [], []
    runs: dict[tuple[str, str], SensitivityRun] = {}
    for method, conv, hyper in SETTINGS:
        sens = lyapunov_run(method, problem, x0, STEPS, convention=conv, **hyper)
        runs[(method, conv)] = sens
        peak = float(np.nanmax(sens.window_exponents(WINDOW)))
        horizon = sens.horizon(HORIZON_TOL)
        kind = "expands" if peak > NEUTRAL else ("contracts" if peak < -NEUTRAL else "neutral")
        if kind == "expands" and horizon < STEPS:
            expanding.append(_label(method, conv, hyper))
        table.append((_label(method, conv, hyper), _num(peak), kind,
                      "whole run" if horizon >= STEPS else str(horizon)))

    # the witness: the torch-arithmetic RMSProp run and a run one ulp away
    method, conv, hyper = SETTINGS[5]
    sens = runs[(method, conv)]
    a = run(method, problem, x0, STEPS, convention=conv, **hyper)
    b = run(method, problem, x0 + np.spacing(x0), STEPS, convention=conv, **hyper)
    gap = np.linalg.norm(a.x - b.x, axis=1)
    above = np.flatnonzero(gap > 1e-12)
    rows: list[VerificationRow] = []
    blocks: list[Block] = [Heading("Rounding amplified at a constant step")]
    if above.size:
        i = int(above[0])
        j = i + int(np.flatnonzero(np.append(gap[i:] >= 1e-5, True))[0]) - 1
        measured = float(np.log(gap[j] / gap[i]))
        predicted = sens.exponent(i, j) * (j - i)
        ok = predicted - 0.05 <= measured <= predicted + 0.05 or (
            0.98 * predicted <= measured <= predicted + 0.05)
        rows.append(row(
            f"runs one ulp apart separate at the predicted rate (steps {i} to {j})",
            f"growth e^{predicted:.1f}", f"e^{measured:.1f}", "2%", ok))
        witness = (f"The witness: two {_label(method, conv, hyper)} runs that start one ulp "
                   f"apart agree to rounding until step {i}; between steps {i} and {j} their "
                   f"distance grows by e^{measured:.1f}, against e^{predicted:.1f} predicted by the "
                   f"largest singular value of the Jacobian product over those steps.")
    else:
        witness = (f"The two {_label(method, conv, hyper)} runs one ulp apart never separated by "
                   f"more than 1e-12 in {STEPS} steps.")
    # drawn up to shortly after the separation saturates: past that the linearised
    # prediction has grown meaninglessly large and its last digits depend on the CPU
    last = min(STEPS, j + 20) if above.size else STEPS
    fig = _separation_figure(gap[: last + 1], sens.rounding_gap[: last + 1])
    if expanding:
        lead = ("Near the optimum, over stretches of steps, the step map of "
                + "; ".join(expanding)
                + " expands every perturbation of its state so strongly that differences in "
                  "the last bit, such as those between two CPUs or between the own code and "
                  "torch.optim, grow past 1e-12 within the run: a value read from such a run "
                  "after its rounding horizon depends on the CPU, and the report prints it as a "
                  "range over starts a few ulps apart.")
    else:
        lead = "No setting below amplifies rounding past 1e-12 within the run."
    blocks += [
        Text(lead + " The exponents come from the Jacobian of each method's own update "
             "(forward-mode derivatives of the same code), on the rotated textbook problem "
             f"from {X0}.", inputs={"settings": [h for _, _, h in SETTINGS], "start": list(X0),
                                    "threshold": 1e-12}),
        Table(("setting", "largest 20-step exponent per step", "step map",
               f"steps within {HORIZON_TOL:.0e}"), tuple(table),
              caption="Finite-time Lyapunov exponents and rounding horizons."),
        Text(witness, values={"steps": [i, j], "growth": [measured, predicted]} if above.size
             else {}, inputs={"settings": [hyper], "threshold": 1e-12, "steps": STEPS}),
        Figure("sensitivity-separation", fig,
               "Distance between runs one ulp apart and the predicted rounding gap."),
    ]
    return blocks, rows


def _separation_figure(gap: np.ndarray, predicted: np.ndarray) -> Any:
    from optheory.figures.training import loss_curves

    def digits(v: np.ndarray) -> np.ndarray:  # 12 significant digits: no last-bit noise
        return np.array([float(f"{x:.12g}") for x in v])

    # exact zeros (the runs still equal) are left out of the log-scale lines
    return loss_curves(np.arange(gap.size), {"runs one ulp apart": digits(gap),
                                             "predicted rounding gap": digits(predicted)},
                       xlabel="step", ylabel="distance",
                       title="RMSProp (torch arithmetic), eta = 0.01")
