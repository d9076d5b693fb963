"""Notebook displays: small summaries and plots, never array dumps."""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy as sp

import optheory as ot
from optheory._display import ClaimResults
from optheory.exercises import ExerciseAnswer


def test_long_trajectory_displays_small():
    traj = ot.run("momentum", ot.textbook_2d(), (-5.0, -2.0), 10_000, eta=0.01, beta=0.9)
    shown = traj._repr_html_()
    assert len(shown.encode()) < 20_000
    assert "<img" in shown and "momentum" in shown and "10000" in shown
    # no dump of the 10^4 iterates: the text outside the image holds few numbers
    text = re.sub(r'src="data:[^"]*"', "", shown)
    assert len(re.findall(r"\d+\.\d+", text)) < 20


def test_sweep_display_names_the_best_setting():
    problem = ot.EigenQuadratic([1.0, 10.0])
    result = ot.sweep("gd", problem, {"eta": np.linspace(0.02, 0.2, 10)}, 50)
    shown = result._repr_html_()
    best = result.axes[0][int(np.argmin(result.closed_form_rate))]
    assert f"{best:.6g}" in shown and "best closed-form rate" in shown
    assert len(shown.encode()) < 30_000


def test_verify_returns_a_list_shown_as_a_table():
    results = ot.verify(["momentum.region", "momentum.matrix"])
    assert isinstance(results, list) and isinstance(results, ClaimResults)
    assert [r.id for r in results] == ["momentum.region", "momentum.matrix"]
    shown = results._repr_html_()
    for column in ("statement", "verdict", "correction", "evidence"):
        assert f">{column}</th>" in shown
    assert "<math" in shown  # statements typeset as MathML
    for r in results:
        assert r.verdict in shown
    md = results._repr_markdown_()
    assert md.count("\n") == len(results) + 1


def test_exercise_answer_display():
    answer = ExerciseAnswer("momentum", 1, "A title", "The answer is 3.", ["x^{2}"], {"a": 1.5})
    shown = answer._repr_html_()
    assert "A title" in shown and "The answer is 3." in shown and "<math" in shown


def test_api_figures_show_inline_without_magic():
    fig = ot.plot_region("gd")
    png = fig._repr_png_()
    assert png.startswith(b"\x89PNG")


def test_explore_embeds_the_page():
    view = ot.explore("nesterov", eta=0.01, beta=0.8, lam_min=1, lam_max=100, steps=50)
    assert view.fragment == "method=nesterov&eta=0.01&beta=0.8&lam_min=1&lam_max=100&steps=50"
    shown = view._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and "OPTHEORY_DERIVED" in shown
    assert "window.OPTHEORY_INITIAL = &quot;method=nesterov" in shown


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "adam"}, "method"),
        ({"eta": -1.0}, "eta"),
        ({"beta": 1.0}, "beta"),
        ({"method": "gd", "beta": 0.5}, "beta must be 0"),
        ({"method": "rmsprop", "beta": 0.5}, "gamma"),
        ({"lam_min": 5.0, "lam_max": 2.0}, "lam_min must be < lam_max"),
        ({"steps": 0}, "steps"),
    ],
)
def test_explore_rejects_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match) as info:
        ot.explore(**kwargs)
    assert "\n" not in str(info.value)


def test_tuning_is_a_dict_shown_as_maths():
    tuning = ot.optimal_parameters("momentum", 1, 25)
    assert tuning == {"eta": sp.Rational(1, 9), "beta": sp.Rational(4, 9), "rate": sp.Rational(2, 3)}
    assert isinstance(tuning, dict)
    assert tuning._repr_latex_() == r"$\eta = \frac{1}{9},\quad \beta = \frac{4}{9},\quad \text{rate} = \frac{2}{3}$"
