"""Answers to the exercises of the textbook's optimization chapter.

Each answer is computed when it is asked for: sympy derives what can be
derived, the project's optimizers run the experiments, and the answer text is
written around the numbers that came out.  Sections and numbers follow the
English edition (``reference/exercises.md``).

Data
----
Exercises on the chapter's regression problem use ``airfoil_self_noise.dat``
when ``data_path`` points to it (read by :func:`optheory.data.load_airfoil`);
otherwise (the default, so that the library never reads or downloads anything
implicitly) they use a synthetic least-squares problem of the same shape
(1500 x 5, standardised, fixed seed) and say so in ``note``.  The command line
``optheory exercise`` takes the path from ``--data`` or, failing that, from the
environment variable ``OPTHEORY_AIRFOIL``.

Usage::

    from optheory.exercises import answer, available
    available()[:2]          # [("gd", 1, "..."), ("gd", 2, "...")]
    a = answer("momentum", 4, figures=False)
    a.answer, a.numbers["variance_table"]
"""

from __future__ import annotations

from optheory.exercises._registry import (
    SECTIONS,
    Context,
    ExerciseAnswer,
    lookup,
    registered,
)

__all__ = [
    "SECTIONS",
    "ExerciseAnswer",
    "answer",
    "answer_exercise",
    "available",
    "available_exercises",
]


def available() -> list[tuple[str, int, str]]:
    """``(section, number, title)`` of every answered exercise, in chapter order.

    Returns
    -------
    list of (str, int, str)
        Section name as in ``optheory exercise --list`` (e.g. ``"minibatch-sgd"``),
        exercise number (English edition) and a short title.
    """
    return [(e.section, e.number, e.title) for e in registered().values()]


def answer(
    section: str, n: int, *, figures: bool = True, data_path: str | None = None
) -> ExerciseAnswer:
    """Compute the answer to exercise ``n`` of ``section``.

    Parameters
    ----------
    section : str
        One of :data:`SECTIONS` (``minibatch_sgd`` is accepted for
        ``minibatch-sgd``).
    n : int
        Exercise number in that section (English edition).
    figures : bool
        Build the figures (slower); ``False`` leaves ``figures`` empty.
    data_path : str, optional
        Path of the chapter's ``airfoil_self_noise.dat``; without it the
        regression exercises use a synthetic problem of the same shape.

    Returns
    -------
    ExerciseAnswer

    Raises
    ------
    ValueError
        Unknown section or exercise number (the message lists the valid
        ones), or an unreadable ``data_path``.
    """
    entry = lookup(section, n)
    if not isinstance(figures, bool):
        raise ValueError(f"figures must be True or False, got {figures!r}")
    if data_path is not None and not isinstance(data_path, str):
        raise ValueError(f"data_path must be a path string or None, got {data_path!r}")
    draft = entry.function(Context(figures=figures, data_path=data_path))
    built = draft.figures() if (figures and draft.figures is not None) else {}
    from optheory.exercises._registry import jsonable

    return ExerciseAnswer(
        section=entry.section,
        number=entry.number,
        title=entry.title,
        answer=draft.answer,
        derivation=list(draft.derivation),
        numbers=jsonable(dict(draft.numbers)),
        figures=dict(built),
        note=draft.note,
        inputs=jsonable(dict(draft.inputs)),
    )


#: Unambiguous aliases for a top-level export (``optheory.answer_exercise``).
answer_exercise = answer
available_exercises = available
