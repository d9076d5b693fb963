"""The number-in-text check over every exercise answer.

Every number an answer prints is one of the values it carries in ``numbers``
(rounded as printed) or one of its declared ``inputs``; a number typed into
the text, or a computed one the answer does not carry, fails.
"""

from __future__ import annotations

import pytest

from optheory.exercises import available
from optheory.verification.text_numbers import collect_values, unexplained_numbers
from tests.exercises._cache import solved


@pytest.mark.parametrize(("section", "number"), [(s, n) for s, n, _ in available()])
def test_every_number_in_the_answer_is_a_value_or_an_input(section: str, number: int) -> None:
    a = solved(section, number)
    bad = unexplained_numbers(a.answer, collect_values(a.numbers), collect_values(a.inputs))
    assert bad == [], f"{section} {number}: {bad}"


def test_inputs_travel_with_the_answer() -> None:
    a = solved("gd", 2)
    assert a.as_dict()["inputs"]["bracket"] == [-5, 5]
