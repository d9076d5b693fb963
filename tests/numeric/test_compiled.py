"""The compiled (numba) step of the fused sweep kernel: bit-identical to numpy's passes."""

from __future__ import annotations

import numpy as np
import pytest

import optheory.numeric.sweep as sweep_module
from optheory.numeric.compiled import recurrence_steps
from optheory.numeric.problems import EigenQuadratic, textbook_2d
from optheory.numeric.run import run
from optheory.numeric.sweep import plan_simulation, simulate
from tests.conftest import require_numba, require_torch

AXIS = EigenQuadratic([0.5, 1.0, 2.0])


@pytest.fixture(autouse=True)
def _numba() -> None:
    require_numba()


def test_recurrence_steps_equal_numpy_passes_bit_for_bit():
    rng = np.random.default_rng(0)
    A, C = rng.uniform(-2, 2, (7, 13)), rng.uniform(-1, 1, (7, 13))
    z, zp = rng.normal(size=(7, 13)), rng.normal(size=(7, 13))
    want_z, want_zp = z.copy(), zp.copy()
    for _ in range(9):  # the fused kernel's numpy passes: tmp = A z; zp = C zp; zp = tmp - zp
        tmp = A * want_z
        want_zp = tmp - C * want_zp
        want_z, want_zp = want_zp, want_z
    recurrence_steps(A, C, z, zp, 9)
    np.testing.assert_array_equal(z, want_z)
    np.testing.assert_array_equal(zp, want_zp)
    # one-term recurrence (gd): z <- A z
    y = rng.normal(size=(7, 13))
    want = y.copy()
    for _ in range(5):
        want = A * want
    recurrence_steps(A, None, y, None, 5)
    np.testing.assert_array_equal(y, want)


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov"])
@pytest.mark.parametrize("convention", ["textbook", "torch"])
def test_compiled_kernel_is_bit_identical_to_fused(method, convention):
    rng = np.random.default_rng(3)
    problem = EigenQuadratic(rng.uniform(0.01, 5.0, 23))
    hyper = {"eta": rng.uniform(0.01, 1.2, 120)}
    if method != "gd":
        hyper["beta"] = rng.uniform(0.0, 0.999, 120)
    # 700 steps: many settings diverge (handed to the generic kernel) and fast ones are
    # rescaled by powers of two; every output must agree exactly, not to a tolerance.
    fused = simulate(method, problem, hyper, 700, kernel="fused", convention=convention, chunk=50)
    compiled = simulate(method, problem, hyper, 700, convention=convention, chunk=50)
    assert compiled.kernel == "compiled" and fused.kernel == "fused"
    assert (fused.diverged_at >= 0).sum() > 10 and (fused.diverged_at < 0).sum() > 10
    np.testing.assert_array_equal(compiled.final_error, fused.final_error)
    np.testing.assert_array_equal(compiled.rate, fused.rate)
    np.testing.assert_array_equal(compiled.diverged_at, fused.diverged_at)


def test_compiled_kernel_against_run():
    # the own heavy ball step by step (run) is the witness: same final error to rounding
    problem, x0 = textbook_2d(), [-5.0, -2.0]
    eta, beta = [0.05, 0.4, 0.6], [0.0, 0.5, 0.25]
    out = simulate("momentum", problem, {"eta": eta, "beta": beta}, 300, x0=x0)
    assert out.kernel == "compiled"
    for k, (e, b) in enumerate(zip(eta, beta, strict=True)):
        ref = run("momentum", problem, x0, 300, eta=e, beta=b)
        want = np.linalg.norm(np.asarray(ref.x[-1]) - np.asarray(problem.x_star))
        # eigen-coordinates vs problem coordinates: the rotation adds ~1e-16 per step
        assert out.final_error[k] == pytest.approx(want, rel=1e-12, abs=1e-300)


def test_auto_picks_compiled_only_on_numpy_for_linear_methods(monkeypatch):
    hyper = {"eta": [0.1], "beta": [0.5]}
    assert plan_simulation("momentum", AXIS, hyper, 10).kernel == "compiled"
    assert plan_simulation("adam", AXIS, {"eta": [0.1]}, 10).kernel == "generic"
    require_torch()
    assert plan_simulation("momentum", AXIS, hyper, 10, backend="torch").kernel == "fused"
    monkeypatch.setattr(sweep_module, "numba_available", lambda: False)
    assert plan_simulation("momentum", AXIS, hyper, 10).kernel == "fused"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "adam", "hyper": {"eta": [0.1]}}, "'compiled' is for the linear methods"),
        ({"backend": "torch"}, "kernel 'compiled' runs on the numpy backend"),
    ],
)
def test_bad_compiled_requests_are_one_line(kwargs, match):
    if kwargs.get("backend") == "torch":
        require_torch()
    args = {"method": "momentum", "hyper": {"eta": [0.1], "beta": [0.5]}}
    args.update(kwargs)
    method, hyper = args.pop("method"), args.pop("hyper")
    with pytest.raises(ValueError, match=match) as info:
        simulate(method, AXIS, hyper, 10, kernel="compiled", **args)
    assert "\n" not in str(info.value)


def test_compiled_without_numba_says_how_to_get_it(monkeypatch):
    monkeypatch.setattr(sweep_module, "numba_available", lambda: False)
    with pytest.raises(ValueError, match=r"needs numba: pip install 'optheory\[fast\]'"):
        simulate("gd", AXIS, {"eta": [0.1]}, 10, kernel="compiled")


def test_broken_numba_is_a_one_line_error(monkeypatch):
    import sys

    from optheory.numeric.compiled import import_numba

    monkeypatch.setitem(sys.modules, "numba", None)  # import numba -> ImportError
    with pytest.raises(ValueError, match="numba is installed but cannot be imported") as info:
        import_numba()
    assert "\n" not in str(info.value)
