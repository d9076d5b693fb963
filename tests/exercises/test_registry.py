"""The exercise registry and the public entry points answer() / available()."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from optheory.exercises import SECTIONS, ExerciseAnswer, answer, available
from optheory.exercises._registry import jsonable, section_numbers
from tests.exercises._cache import solved

# the exercise counts of reference/exercises.md (English edition)
EXPECTED = {"gd": 5, "sgd": 5, "minibatch-sgd": 4, "momentum": 4, "adagrad": 6,
            "rmsprop": 4, "adadelta": 4, "adam": 4, "lr-scheduler": 5}


def test_every_exercise_is_answered_in_chapter_order() -> None:
    rows = available()
    assert [s for s in dict.fromkeys(s for s, _, _ in rows)] == list(SECTIONS)
    for section, count in EXPECTED.items():
        assert section_numbers(section) == list(range(1, count + 1))
    assert all(isinstance(t, str) and 0 < len(t) <= 80 for _, _, t in rows)


@pytest.mark.parametrize(("section", "number"), [(s, n) for s, n, _ in available()])
def test_answer_is_complete_and_json_ready(section: str, number: int) -> None:
    result = solved(section, number)
    assert isinstance(result, ExerciseAnswer)
    assert (result.section, result.number) == (section, number)
    assert len(result.answer) > 200
    assert result.figures == {}  # figures=False
    # strict JSON: no NaN / inf may leak into the numbers
    text = json.dumps(result.as_dict(), allow_nan=False)
    assert json.loads(text)["number"] == number
    for latex in result.derivation:
        assert isinstance(latex, str) and " = " in latex


@pytest.mark.parametrize(
    ("section", "number", "fragment"),
    [("gdx", 1, "choose one of: gd, sgd, minibatch-sgd"),
     ("gd", 9, "choose one of: 1, 2, 3, 4, 5"),
     ("adagrad", 0, "choose one of: 1, 2, 3, 4, 5, 6"),
     ("gd", "two", "section gd has: 1, 2, 3, 4, 5"),
     (None, 1, "unknown section"),
     ("gd", True, "must be an integer")],
)
def test_bad_section_or_number(section: object, number: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        answer(section, number)  # type: ignore[arg-type]


def test_bad_options() -> None:
    with pytest.raises(ValueError, match="figures must be True or False"):
        answer("gd", 1, figures="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="data_path"):
        answer("gd", 1, data_path=3)  # type: ignore[arg-type]


def test_underscore_alias_and_string_number() -> None:
    a = answer("minibatch_sgd", "2", figures=False)  # type: ignore[arg-type]
    assert (a.section, a.number) == ("minibatch-sgd", 2)


def test_jsonable() -> None:
    out = jsonable({"a": np.float64(np.nan), "b": sp.Rational(1, 3), "c": sp.Integer(4),
                    "d": np.arange(3), "e": Fraction(5, 1), "f": sp.sqrt(2), "g": np.bool_(True),
                    "h": (float("inf"), None)})
    assert out == {"a": None, "b": "1/3", "c": 4, "d": [0, 1, 2], "e": 5,
                   "f": pytest.approx(math.sqrt(2)), "g": True, "h": [None, None]}
    with pytest.raises(TypeError):
        jsonable(object())


def test_figures_are_built_on_request() -> None:
    from matplotlib.figure import Figure

    from optheory.figures import figure_to_svg

    for section, number in (("gd", 2), ("momentum", 1), ("adagrad", 2)):
        result = answer(section, number, figures=True)
        assert result.figures, (section, number)
        for fig in result.figures.values():
            assert isinstance(fig, Figure)
            svg = figure_to_svg(fig)
            # rasterised colour maps keep the SVG small
            assert svg.lstrip().startswith("<?xml") and len(svg) < 400_000
        assert result.as_dict()["figures"] == sorted(result.figures)
