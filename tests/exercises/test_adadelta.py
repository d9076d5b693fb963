"""Answers of the section "Adadelta" (optheory/exercises/adadelta.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optheory.exercises.adadelta import adadelta_without_gprime
from optheory.numeric.problems import textbook_2d
from optheory.numeric.run import run
from tests.exercises._cache import solved


def test_d1_first_step_caps() -> None:
    n = solved("adadelta", 1).numbers
    rhos = [r["rho"] for r in n["quadratic"]]
    assert n["first_step_caps"] == pytest.approx([math.sqrt(1e-5 / (1 - r)) for r in rhos],
                                                 rel=1e-12)


def test_d2_forms_agree() -> None:
    n = solved("adadelta", 2).numbers
    assert n["symbolic_factor_form"] and n["symbolic_difference_form"]
    gaps = n["max_relative_difference"]
    assert gaps["factor"] < 1e-14  # same operations in another order
    assert gaps["difference"] < 1e-10  # x_new - x loses the bits of x's magnitude


def test_without_gprime_helper_first_step() -> None:
    alt = adadelta_without_gprime(textbook_2d(), [-5.0, -2.0], 1)
    ref = run("adadelta", textbook_2d(), [-5.0, -2.0], 1).x
    assert np.max(np.abs(alt - ref)) < 1e-15


def test_d3_rate_in_disguise() -> None:
    n = solved("adadelta", 3).numbers
    assert n["first_step_cap"] == pytest.approx(0.01, rel=1e-12)  # sqrt(1e-5 / 0.1)
    eps_steps = [r["steps_to_10_percent"] for r in n["by_eps"]]
    assert all(s is not None for s in eps_steps) and eps_steps == sorted(eps_steps, reverse=True)
    dist_steps = [r["steps_to_10_percent"] for r in n["by_distance"]]
    assert dist_steps == sorted(dist_steps) and dist_steps[-1] > 10 * dist_steps[0]
    scale_steps = [r["steps_to_10_percent"] for r in n["by_objective_scale"]]
    assert max(scale_steps) / min(scale_steps) < 1.1  # the objective's scale cancels


def test_d4_comparison() -> None:
    toy = solved("adadelta", 4).numbers["quadratic"]
    assert toy["AdaGrad (eta = 0.4)"][0]["after_1000"] < 1e-6
    assert toy["RMSProp (eta = 0.4, gamma = 0.9)"][0]["after_1000"] > 0.1
