"""Shared CLI helpers: number parsing and strict JSON output."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from optheory.cli._common import emit, parse_float, parse_float_vector, to_jsonable


def test_parse_float_exact_and_range() -> None:
    assert parse_float("1/4", "--eta") == 0.25
    assert parse_float_vector("-5, 1/2", "--x0") == [-5.0, 0.5]
    assert parse_float("1e308", "--eta") == 1e308  # the largest power of ten below DBL_MAX
    for text in ("1e400", "-1e309", "2e308"):
        with pytest.raises(ValueError, match=r"^--eta: .* is outside the float range"):
            parse_float(text, "--eta")
    with pytest.raises(ValueError, match=r"^--x0: 1e999 is outside"):
        parse_float_vector("1, 1e999", "--x0")


def test_non_finite_floats_become_null() -> None:
    payload = {"a": math.nan, "b": [np.inf, 1.5], "c": np.float64(-np.inf), "d": np.float32(2.0),
               "e": np.array([1.0, np.nan]), "f": np.int64(3), "g": np.bool_(True)}
    assert to_jsonable(payload) == {"a": None, "b": [None, 1.5], "c": None, "d": 2.0,
                                    "e": [1.0, None], "f": 3, "g": True}


def test_emit_writes_strict_json(capsys: pytest.CaptureFixture[str]) -> None:
    emit({"x": np.array([np.nan, -np.inf, 0.5])}, True, "unused")

    def _reject(token: str) -> None:
        raise AssertionError(f"non-standard JSON token {token}")

    assert json.loads(capsys.readouterr().out, parse_constant=_reject) == {"x": [None, None, 0.5]}
