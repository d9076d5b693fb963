"""Shared helpers for the exercise tests: each answer is computed once per session."""

from __future__ import annotations

import functools

from optheory.exercises import ExerciseAnswer, answer


@functools.cache
def solved(section: str, number: int) -> ExerciseAnswer:
    """The answer without figures (cached: several tests read the same answer)."""
    return answer(section, number, figures=False)
