"""Answers of the section "Adagrad" (optheory/exercises/adagrad.py)."""

from __future__ import annotations

import numpy as np
import pytest

from optheory.exercises.adagrad import adagrad_variant, gerschgorin_discs
from optheory.numeric.problems import textbook_2d
from tests.exercises._cache import solved


def test_a1_orthogonal_invariance() -> None:
    n = solved("adagrad", 1).numbers
    assert n["general_n"] and n["explicit_2x2"] and n["cayley_3x3"]
    assert n["numeric_max_relative_error"] < 1e-14  # a few roundings of 10-term sums


def test_a2_rotation_hurts_adagrad_only() -> None:
    rows = solved("adagrad", 2).numbers["adagrad"]
    plain, rotated, pure = rows
    assert plain["steps_to_tol"] is not None
    for other in (rotated, pure):
        assert other["steps_to_tol"] is None or other["steps_to_tol"] > plain["steps_to_tol"]
        assert other["after_20"] > plain["after_20"]


def test_gerschgorin_discs_helper() -> None:
    centres, radii = gerschgorin_discs(np.array([[2.0, -1.0, 0.5], [0.0, 3.0, 1.0],
                                                 [1.0, 1.0, -1.0]]))
    assert centres.tolist() == [2.0, 3.0, -1.0] and radii.tolist() == [1.5, 1.0, 2.0]


def test_a3_gerschgorin() -> None:
    n = solved("adagrad", 3).numbers
    assert n["violations"] == 0 and n["largest_row_disc_contains"] is True
    assert n["smallest_relative_slack"] >= -1e-9  # no eigenvalue outside, up to rounding


def test_a4_preconditioned_discs() -> None:
    rows = {r["matrix"].split(" (")[0]: r for r in solved("adagrad", 4).numbers["examples"]}
    diag = rows["diag(0.2, 4)"]
    assert diag["kappa_before"] == pytest.approx(20) and diag["kappa_after"] == pytest.approx(1)
    rot = rows["[[4.2, -3.8], [-3.8, 4.2]]"]
    # oracle: unit diagonal, off-diagonal -19/21: eigenvalues 2/21 and 40/21
    assert rot["max_radius"] == "19/21" and rot["kappa_bound"] == 20
    assert rot["kappa_after"] == pytest.approx(20, rel=1e-12)
    scaled = rows["D A D, badly scaled 3x3"]
    A = np.array([[1, 0.3, 0.1], [0.3, 1, 0.2], [0.1, 0.2, 1]])
    w = np.linalg.eigvalsh(A)
    assert scaled["kappa_after"] == pytest.approx(w.max() / w.min(), rel=1e-12)
    assert scaled["kappa_after"] <= float(scaled["kappa_bound"]) and scaled["kappa_before"] > 1e4


def test_a5_regression() -> None:
    n = solved("adagrad", 5).numbers
    assert all(r["loss_epoch2"] >= n["min_loss"] - 1e-12 for r in n["by_eta"])
    assert min(r["loss_epoch2"] for r in n["by_eta"]) < n["min_loss"] + 0.01


def test_adagrad_variant_matches_the_project_adagrad() -> None:
    from optheory.numeric.run import run

    xs, _ = adagrad_variant("adagrad", textbook_2d(), [-5.0, -2.0], 50, 0.4)
    ref = run("adagrad", textbook_2d(), [-5.0, -2.0], 50, eta=0.4).x
    assert np.max(np.abs(xs - ref)) < 1e-12  # same arithmetic up to operation order


def test_a6_gentler_decay() -> None:
    n = solved("adagrad", 6).numbers
    assert n["limits"] == {"AdaGrad": "0", "power 1/4": "0", "mean s/t": "eta/g",
                           "leaky (RMSProp)": "eta/g"}
    runs = n["runs"]
    for kind in ("power", "mean"):
        assert runs[kind]["steps_to_tol"] is not None
        assert runs["adagrad"]["steps_to_tol"] is None or (
            runs["adagrad"]["steps_to_tol"] > runs[kind]["steps_to_tol"])
