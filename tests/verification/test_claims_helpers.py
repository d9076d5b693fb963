"""The helpers behind the claim checks: witness agreement and the drivers of _witness."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optheory.verification.claims._util import agree, exact, require, sci_latex
from optheory.verification.claims._witness import drive, torch_states, torch_trajectory
from tests.conftest import require_torch


def test_agree_returns_the_gap_and_raises_beyond_tolerance() -> None:
    assert agree("x", [1.0, 2.0], [1.0, 2.0 + 1e-13], 1e-12) == pytest.approx(1e-13, rel=1e-3)
    assert agree("x", 1.01, 1.0, 0.02, relative=True) == pytest.approx(0.01, rel=1e-9)
    with pytest.raises(RuntimeError, match="witness disagrees with the derivation: x: .*gap"):
        agree("x", 1.1, 1.0, 0.01)
    # NaN never passes
    with pytest.raises(RuntimeError, match="nan"):
        agree("y", math.nan, 1.0, 1.0)


def test_require_raises_runtime_error() -> None:
    require(True, "fine")
    with pytest.raises(RuntimeError, match="witness disagrees with the derivation: broken"):
        require(False, "broken")


def test_exact_and_sci_latex() -> None:
    assert str(exact(0.9)) == "9/10" and str(exact(np.float64(0.2))) == "1/5"
    assert sci_latex(1e-6) == "10^{-6}" and sci_latex(1e-10) == "10^{-10}"
    assert sci_latex(2.5e-3) != "10^{-3}"


def test_drive_schedule_replaces_hyperparameters() -> None:
    # GD on x^2/2 from 1 with eta = 1/(t + 1) at step t: x_t = prod_{k <= t} (1 - 1/(k + 1))
    xs, _ = drive("gd", lambda x: x, [1.0], 3, schedule=lambda t: {"eta": 1.0 / (t + 1)}, eta=0.1)
    # oracle: (1 - 1/2)(1 - 1/3)(1 - 1/4) = 1/4
    assert xs[-1, 0] == pytest.approx(0.25, abs=1e-15)


def test_torch_states_needs_steps_for_a_gradient_function() -> None:
    require_torch()
    with pytest.raises(ValueError, match="steps"):
        torch_states("SGD", lambda x: x, [1.0], lr=0.1)


def test_torch_trajectory_matches_own_torch_convention() -> None:
    require_torch()
    # torch.optim.SGD(momentum) and the own torch-convention momentum on 2 x^2 / 2
    theirs = torch_trajectory("SGD", lambda x: 2.0 * x, [1.0], 30, lr=0.1, momentum=0.9)
    ours, _ = drive("momentum", lambda x: 2.0 * x, [1.0], 30, "torch", eta=0.1, beta=0.9)
    assert theirs.shape == (31, 1)
    # same float64 operations: rounding only
    assert np.max(np.abs(theirs - ours)) < 1e-14
    # a schedule writes into the param group: lr 0 freezes the parameter
    frozen = torch_trajectory("SGD", lambda x: x, [1.0], 3, lambda t: {"lr": 0.0}, lr=0.1)
    assert frozen[:, 0].tolist() == [1.0, 1.0, 1.0, 1.0]


def test_number_in_text_check() -> None:
    from optheory.verification.text_numbers import collect_values, numbers_in, unexplained_numbers

    # identifiers, exponents and 0/0 are not numbers; rationals and percentages are
    assert [t for t, _ in numbers_in(r"x1, g_1, x^2, 2x2, 0/0, 1/10 and 65\% of 10^{-8}")] == [
        "1/10", "65%", "1e-8"]
    values = collect_values({"share": 0.65132, "s": [1673.365], "ratio": "81/250", "tiny": 3.24e-5})
    # rounded to the printed digits: explained
    assert unexplained_numbers("0.651, 65%, 1673, 0.324, 3.2e-05", values) == []
    # a typed-in number, or a rounding that does not reproduce the value: caught
    assert unexplained_numbers("0.66 and 20", values) == ["0.66", "20"]
    # a declared input is allowed
    assert unexplained_numbers("eta = 0.4", values, inputs=[0.4]) == []
