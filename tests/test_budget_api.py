"""Budget helpers (optheory._budget) and the messages of inputs that used to mislead."""

from __future__ import annotations

import numpy as np
import pytest

from optheory._budget import (
    check_literal,
    check_memory,
    format_bytes,
    parse_memory,
    too_many_digits,
)
from optheory.numeric.problems import EigenQuadratic


@pytest.mark.parametrize(("text", "ok"), [
    ("1e400", True), ("1e401", False), ("1e-400", True), ("1e-401", False),
    ("0e99999999", True),  # zero has no magnitude to expand
    ("0.000001e-399", False), ("123456789e393", False), ("9" * 100, True), ("9" * 101, False),
    ("1/3", True), ("1e500/3", False), ("1_000e2", True),
])
def test_exact_literals_are_judged_by_digits_and_exponent(text, ok):
    if ok:
        check_literal(text, "--q")
    else:
        with pytest.raises(ValueError, match="--q"):
            check_literal(text, "--q")


@pytest.mark.parametrize(("text", "ok"), [
    ("1.7e308", True), ("1e309", False), ("4.9e-324", True), ("1e-325", False), ("0.0", True),
])
def test_float_literals_are_judged_by_the_float_range(text, ok):
    if ok:
        check_literal(text, "--eta", as_float=True)
    else:
        with pytest.raises(ValueError, match="float range"):
            check_literal(text, "--eta", as_float=True)


def test_too_many_digits_reads_the_text_only():
    assert too_many_digits("1e99999999999999999999", 10**6)
    assert not too_many_digits("999999", 10**6) and not too_many_digits("1/3", 10)


@pytest.mark.parametrize(("text", "value"), [
    ("1GiB", 2**30), ("512MB", 512 * 10**6), ("4e9", 4 * 10**9), ("2 gib", 2 * 2**30),
    ("1024", 1024), ("1.5KiB", 1536),
])
def test_parse_memory(text, value):
    assert parse_memory(text) == value


@pytest.mark.parametrize("text", ["", "lots", "1 parsec", "-5", "0"])
def test_parse_memory_refuses_non_sizes(text):
    with pytest.raises(ValueError, match="--max-memory"):
        parse_memory(text)


def test_check_memory_names_the_limit_and_how_to_raise_it():
    check_memory("x", 2**30, 2**30)
    with pytest.raises(ValueError) as info:
        check_memory("the grid", 3 * 2**30, 2**30, hint="use fewer points")
    assert str(info.value) == (
        "the grid needs about 3 GiB, above max_memory=1 GiB; raise max_memory, or use fewer points"
    )
    assert format_bytes(1536) == "1.5 KiB" and format_bytes(float("inf")) == "unbounded"


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"eigenvalues": [1 + 1j, 2.0]}, "eigenvalues must be real"),
    ({"eigenvalues": np.array([1 + 1j, 2.0])}, "eigenvalues must be real"),
    ({"eigenvalues": [1.0, 2.0], "seed": "x"}, "seed must be an integer"),
    ({"eigenvalues": [1.0, 2.0], "h_star": "x"}, "h_star must be a real number"),
    ({"eigenvalues": [1.0, 2.0], "basis": np.eye(2) * (1 + 0j)}, "basis must be a real"),
])
def test_eigen_quadratic_names_the_bad_parameter(kwargs, words):
    with pytest.raises(ValueError, match=words):
        EigenQuadratic(**kwargs)


def test_identity_basis_is_not_stored_densely():
    p = EigenQuadratic(np.arange(1.0, 10**4 + 1))
    assert p._O is None and p._Q is None and not p._cache
    x = np.ones(10**4)
    assert p.f(x) == 0.5 * np.arange(1.0, 10**4 + 1).sum()
    np.testing.assert_array_equal(p.to_eigen(x), x)
    small = EigenQuadratic([2.0, 3.0])
    np.testing.assert_array_equal(small.basis, np.eye(2))  # built on first read
    np.testing.assert_array_equal(small.Q, np.diag([2.0, 3.0]))
