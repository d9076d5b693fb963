"""The exercise registry: one answer function per (section, number).

An answer function receives a :class:`Context` (whether figures are wanted and
where the chapter's data set lives) and returns a :class:`Draft`; the registry
adds the section, number and title, turns the numbers into JSON-friendly
values and builds the figures only when they are asked for.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

__all__ = [
    "SECTIONS",
    "Context",
    "Draft",
    "ExerciseAnswer",
    "exercise",
    "jsonable",
    "lookup",
    "registered",
    "section_numbers",
]

#: Sections in the order of the chapter (names as in ``reference/exercises.md``).
SECTIONS: tuple[str, ...] = (
    "gd",
    "sgd",
    "minibatch-sgd",
    "momentum",
    "adagrad",
    "rmsprop",
    "adadelta",
    "adam",
    "lr-scheduler",
)

#: Module (under ``optheory.exercises``) that defines each section's answers.
MODULES: dict[str, str] = {s: s.replace("-", "_") for s in SECTIONS}


@dataclass(frozen=True)
class Context:
    """What an answer function may use.

    Attributes
    ----------
    figures : bool
        Whether the caller wants figures (answer functions need not look: the
        registry only calls the figure builder when this is true).
    data_path : str or None
        Path of ``airfoil_self_noise.dat``; None means the synthetic stand-in.
    """

    figures: bool = True
    data_path: str | None = None


@dataclass(frozen=True)
class Draft:
    """An answer as an answer function returns it (before the registry completes it)."""

    answer: str
    derivation: list[str]
    numbers: Mapping[str, Any]
    figures: Callable[[], dict[str, Any]] | None = None
    note: str | None = None
    #: the problem's inputs the answer prints (start points, step sizes, step counts,
    #: checkpoints): declared, so that every other number in the text must be in ``numbers``
    inputs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExerciseAnswer:
    """The project's answer to one exercise.

    Attributes
    ----------
    section, number : str, int
        E.g. ``"momentum"`` and ``4`` (English edition numbering).
    title : str
        A short title in the project's words.
    answer : str
        The answer in a few sentences, with the numbers computed at run time.
    derivation : list of str
        LaTeX of the expressions sympy derived on the way.
    numbers : dict
        JSON-friendly numbers (ints, floats, strings for exact rationals,
        None for non-finite values, nested lists / dicts of those).
    figures : dict
        Name -> :class:`matplotlib.figure.Figure` (empty when not requested).
    note : str or None
        Substitutions and caveats, e.g. a data set that is not available offline.
    inputs : dict
        The problem's declared inputs that the answer prints (start points,
        step sizes, step counts, checkpoints); every other number in ``answer``
        is one of ``numbers`` (checked by
        :func:`optheory.verification.text_numbers.unexplained_numbers`).
    """

    section: str
    number: int
    title: str
    answer: str
    derivation: list[str]
    numbers: dict[str, Any]
    figures: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)

    def _repr_html_(self) -> str:
        from optheory._display import exercise_html

        return exercise_html(self)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict; figures are listed by name only."""
        return {
            "section": self.section,
            "number": self.number,
            "title": self.title,
            "answer": self.answer,
            "derivation": list(self.derivation),
            "numbers": jsonable(self.numbers),
            "figures": sorted(self.figures),
            "note": self.note,
            "inputs": jsonable(self.inputs),
        }


@dataclass(frozen=True)
class _Entry:
    section: str
    number: int
    title: str
    function: Callable[[Context], Draft]


_REGISTRY: dict[tuple[str, int], _Entry] = {}


def exercise(
    section: str, number: int, title: str
) -> Callable[[Callable[[Context], Draft]], Callable[[Context], Draft]]:
    """Register the decorated function as the answer to ``section`` exercise ``number``."""
    if section not in SECTIONS:
        raise RuntimeError(f"unknown section {section!r}")

    def decorate(function: Callable[[Context], Draft]) -> Callable[[Context], Draft]:
        key = (section, number)
        if key in _REGISTRY:
            raise RuntimeError(f"exercise {key} registered twice")
        _REGISTRY[key] = _Entry(section, number, title, function)
        return function

    return decorate


def registered() -> dict[tuple[str, int], _Entry]:
    """All registered answers, loading every section module, in chapter order."""
    import importlib

    for section in SECTIONS:
        importlib.import_module(f"optheory.exercises.{MODULES[section]}")
    order = {s: i for i, s in enumerate(SECTIONS)}
    return dict(sorted(_REGISTRY.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])))


def normalise_section(section: Any) -> str:
    """Accept ``minibatch_sgd`` for ``minibatch-sgd``; raise listing the sections."""
    if isinstance(section, str):
        name = section.strip().lower().replace("_", "-")
        if name in SECTIONS:
            return name
    raise ValueError(f"unknown section {section!r}; choose one of: {', '.join(SECTIONS)}")


def section_numbers(section: Any) -> list[int]:
    """The answered exercise numbers of a section (raises listing the sections)."""
    name = normalise_section(section)
    return [n for (s, n) in registered() if s == name]


def lookup(section: Any, number: Any) -> _Entry:
    """The entry of one exercise.

    Raises
    ------
    ValueError
        Unknown section (lists the sections) or number (lists the answered
        numbers of that section).
    """
    name = normalise_section(section)
    table = registered()
    numbers = [n for (s, n) in table if s == name]
    valid = ", ".join(str(n) for n in numbers)
    if isinstance(number, bool) or not isinstance(number, int | np.integer):
        try:
            number = int(str(number).strip())
        except ValueError:
            raise ValueError(
                f"exercise number must be an integer; section {name} has: {valid}"
            ) from None
    entry = table.get((name, int(number)))
    if entry is None:
        raise ValueError(f"no exercise {number} in section {name}; choose one of: {valid}")
    return entry


def jsonable(value: Any) -> Any:
    """Convert numbers to JSON-friendly Python values.

    numpy scalars and arrays become floats / ints / lists; exact sympy
    rationals become ``"p/q"`` strings (integers stay ints), other sympy
    numbers become floats; non-finite floats become None.
    """
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, Fraction):
        return str(value) if value.denominator != 1 else value.numerator
    if isinstance(value, sp.Basic):
        if value.is_Integer:
            return int(value)
        if value.is_Rational:
            return str(value)
        if value.is_number:
            return jsonable(float(value))
        return str(value)
    if isinstance(value, float | np.floating):
        out = float(value)
        return out if math.isfinite(out) else None
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"cannot convert {type(value).__name__} to JSON")
