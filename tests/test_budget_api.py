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


# ------------------------------------------------ estimates before the work
def test_sweep_estimate_scales_with_the_work_and_refuses_before_building_the_grid():
    from optheory.numeric.sweep import check_sweep_seconds, estimate_sweep_seconds

    small = estimate_sweep_seconds("momentum", 4096, 200, 100, kernel="fused")
    # linear in settings and in steps (the per-setting term is a small share here)
    assert estimate_sweep_seconds("momentum", 8192, 200, 100, kernel="fused") == pytest.approx(
        2 * small)
    assert estimate_sweep_seconds("adam", 64, 100, 10, dense_basis=True) > \
        estimate_sweep_seconds("adam", 64, 100, 10)
    check_sweep_seconds("gd", 10, 10, 2, 1.0)  # tiny: accepted
    with pytest.raises(ValueError, match=r"max_seconds=1\b.*raise max_seconds"):
        check_sweep_seconds("gd", 10**6, 10**4, 2, 1.0)
    check_sweep_seconds("gd", 10**6, 10**4, 2, None)  # None: no limit
    # the grid's 10^7 columns are never built: the refusal names the settings and steps
    from optheory.analysis.sweep import sweep

    with pytest.raises(ValueError, match=r"10000000 settings x 100 steps"):
        sweep("gd", EigenQuadratic([0.2, 4.0]), {"eta": np.linspace(0.01, 0.4, 10**7)}, 100)


def test_exact_quadratic_estimate_grows_with_size_bits_radicals_and_symbols():
    import sympy as sp

    from optheory.symbolic.quadratic import estimate_exact_seconds

    def est(Q):
        M = sp.Matrix(Q)
        return estimate_exact_seconds(M, sp.zeros(M.rows, 1), sp.Integer(0))

    eye = [[1 if i == j else 0 for j in range(4)] for i in range(4)]
    base = est(eye)
    assert est([[1 if i == j else 0 for j in range(8)] for i in range(8)]) == pytest.approx(
        8 * base, rel=0.01)
    assert est([[10**300 if i == j else 0 for j in range(4)] for i in range(4)]) > 10 * base
    radical = [[sp.sqrt(2) if i == j else 0 for j in range(4)] for i in range(4)]
    assert est(radical) > 4 * base
    a = sp.Symbol("a", positive=True)
    assert est([[a if i == j else 0 for j in range(4)] for i in range(4)]) > 16 * base


def test_exact_quadratic_refusal_and_no_limit():
    import sympy as sp

    from optheory.symbolic.quadratic import completed_square, quadratic_minimizer

    Q = [[16 if i == j else 1 for j in range(16)] for i in range(16)]
    with pytest.raises(ValueError, match=r"16 x 16 .* above max_seconds=0.001; raise max_seconds"):
        quadratic_minimizer(Q, max_seconds=0.001)
    with pytest.raises(ValueError, match="max_seconds must be a positive number"):
        quadratic_minimizer(Q, max_seconds=0)
    # no limit: the exact answer, with a witness Q x* = -c (exact rationals)
    c = list(range(16))
    forms = completed_square(Q, c, 0, max_seconds=None)
    assert forms.identity_holds
    assert sp.Matrix(Q) * forms.x_star + sp.Matrix(c) == sp.zeros(16, 1)
    with pytest.raises(ValueError, match="number field of degree"):
        quadratic_minimizer([[sp.sqrt(p) + 10 if i == j else 0 for j, p in
                              enumerate([2, 3, 5, 7, 11, 13, 17])] for i in range(7)])


def test_run_estimate_before_differentiating_is_linear_in_steps_and_size():
    import sympy as sp

    from optheory.analysis.objective_problem import estimate_run_seconds
    from optheory.symbolic.objective import Objective

    xs = sp.symbols("x1:41", real=True)
    small = Objective(sum(x**2 for x in xs[:4]), xs[:4])
    large = Objective(sum(x**2 for x in xs), xs)
    assert estimate_run_seconds(small, 2000) == pytest.approx(2 * estimate_run_seconds(small, 1000))
    assert estimate_run_seconds(large, 1000) > 9 * estimate_run_seconds(small, 1000)
