"""simulate(): batched kernels against run(), fused against generic, chunking, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from optheory.numeric.compiled import numba_available
from optheory.numeric.optimizers import get_method
from optheory.numeric.problems import EigenQuadratic, textbook_2d
from optheory.numeric.rates import empirical_rate
from optheory.numeric.run import run
from optheory.numeric.sweep import (
    FIT_EVERY,
    bytes_per_setting,
    fit_start,
    fit_stride,
    linear_recurrence,
    plan_simulation,
    simulate,
)
from tests.conftest import cuda_available, require_numba, require_torch

ROTATED = EigenQuadratic([0.3, 1.0, 2.5], basis="random", x_star=[1.0, -2.0, 0.5], seed=3)
AXIS = EigenQuadratic([0.5, 1.0, 2.0])
# the compiled kernel where numba is installed (CI requires it: tests/numeric/test_compiled.py)
KERNELS_HERE = ("fused", "compiled", "generic") if numba_available() else ("fused", "generic")

# Settings per method: hyperparameter columns (K = 4), convention, problem.
CASES = [
    ("gd", "textbook", {"eta": [0.1, 0.4, 0.7, 0.79]}, AXIS),
    ("momentum", "textbook", {"eta": [0.1, 0.3, 0.45, 0.6], "beta": [0.0, 0.5, 0.9, 0.3]}, AXIS),
    ("nesterov", "torch", {"eta": [0.1, 0.3, 0.45, 0.6], "beta": [0.1, 0.5, 0.9, 0.3]}, AXIS),
    ("momentum", "textbook", {"eta": [0.01, 0.02, 0.03, 0.05], "beta": [0.0, 0.5, 0.6, 0.3]},
     ROTATED),
    ("adam", "textbook", {"eta": [0.01, 0.05, 0.1, 0.3]}, ROTATED),
    ("rmsprop", "torch", {"eta": [0.001, 0.01, 0.05, 0.1], "gamma": 0.9}, ROTATED),
    ("adagrad", "textbook", {"eta": [0.1, 0.5, 1.0, 2.0]}, ROTATED),
    ("adadelta", "textbook", {"rho": [0.5, 0.8, 0.9, 0.99]}, AXIS),
]


@pytest.mark.isa
@pytest.mark.parametrize(("method", "convention", "hyper", "problem"), CASES)
def test_simulate_equals_separate_runs(method, convention, hyper, problem):
    steps, x0 = 120, [0.7, -1.2, 2.0]
    out = simulate(method, problem, hyper, steps, convention=convention, x0=x0)
    t0 = fit_start(steps, 0.5)
    assert out.fit_start == t0 == 60
    linear = method in ("gd", "momentum", "nesterov")
    for k in range(4):
        single = {n: (v[k] if isinstance(v, list) else v) for n, v in hyper.items()}
        traj = run(method, problem, x0, steps, convention=convention, **single)
        err = traj.x - np.asarray(problem.x_star)
        # Adaptive methods run the very same update on the same coordinates: bitwise (the
        # problem's Hessian products use no BLAS, so a (K, d) batch rounds like K points).
        # Linear ones run in eigen-coordinates through the fused recurrence, which
        # reorders the arithmetic: a few ulps per step of a contracting map, far below
        # 1e-12 relative on the axis-aligned problem (x* = 0).  On the rotated one run()
        # iterates x itself, whose rounding is absolute (eps |x*| ~ 1e-16 per step), so
        # there the settings are slow (error ~1e-2 at the end) and 1e-10 relative holds.
        rtol = 1e-10 if linear and problem is ROTATED else 1e-12
        np.testing.assert_allclose(out.final_error[k], np.linalg.norm(err[-1]), rtol=rtol)
        # the rate is fitted on steps t0, t0 + s, ..., T (s = FIT_EVERY): the slope per
        # sample of that subsequence is s times the slope per step
        s = out.fit_stride
        assert s == FIT_EVERY == 4
        want = empirical_rate(err[t0::s]) ** (1.0 / s)
        np.testing.assert_allclose(out.rate[k], want, rtol=rtol)
        assert out.diverged_at[k] == -1 and traj.diverged_at is None
    # fit_every=1 fits every tail step: the dense least-squares rate of run()'s errors
    dense = simulate(method, problem, hyper, steps, convention=convention, x0=x0, fit_every=1)
    assert dense.fit_stride == 1
    np.testing.assert_array_equal(dense.final_error, out.final_error)
    for k in range(4):
        single = {n: (v[k] if isinstance(v, list) else v) for n, v in hyper.items()}
        traj = run(method, problem, x0, steps, convention=convention, **single)
        err = traj.x - np.asarray(problem.x_star)
        rtol = 1e-10 if linear and problem is ROTATED else 1e-12
        np.testing.assert_allclose(dense.rate[k], empirical_rate(err, skip=t0), rtol=rtol)


def test_fit_stride_keeps_two_points_and_is_exact_on_a_geometric_sequence():
    assert fit_stride(120, 60, 4) == 4
    assert fit_stride(2, 1, 4) == 1  # steps 1 and 2: the stride shrinks to keep two points
    assert fit_stride(10, 7, 8) == 3
    # gd on one eigenvalue is exactly geometric: every stride gives the same factor
    problem = EigenQuadratic([1.0])
    for every in (1, 3, 4, 8, 1000):
        out = simulate("gd", problem, {"eta": [0.25, 1.5]}, 400, fit_every=every)
        np.testing.assert_allclose(out.rate, [0.75, 0.5], rtol=1e-13)
        assert out.fit_stride == min(every, 200)
    with pytest.raises(ValueError, match="fit_every must be a positive integer"):
        simulate("gd", problem, {"eta": [0.25]}, 10, fit_every=0)


def test_divergence_step_is_that_of_the_own_arithmetic():
    # gd on 0.1 x1^2 + 2 x2^2 with eta 0.6 first overflows in the gradient 4 x2 (run()'s
    # step); the fused recurrence alone would overflow later, so it must hand the row over.
    problem, x0 = textbook_2d(), [-5.0, -2.0]
    eta = [0.4, 0.6, 0.62]
    expected = [run("gd", problem, x0, 3000, eta=e).diverged_at for e in eta]
    assert expected[0] is None and expected[1] > 1000 and expected[2] > 1000
    for kernel in KERNELS_HERE:
        out = simulate("gd", problem, {"eta": eta}, 3000, x0=x0, kernel=kernel)
        assert out.diverged_at.tolist() == [-1, expected[1], expected[2]]
        assert np.isinf(out.final_error[1:]).all() and np.isfinite(out.final_error[0])
    # heavy ball (0.6, 0.1): dominant root -1.218 on lam = 4, overflow after ~3600 steps
    mom = simulate("momentum", problem, {"eta": [0.6], "beta": [0.1]}, 5000, x0=x0)
    ref = run("momentum", problem, x0, 5000, eta=0.6, beta=0.1).diverged_at
    assert ref is not None and mom.diverged_at[0] == ref


@pytest.mark.parametrize("method", ["gd", "momentum", "nesterov"])
def test_fused_kernel_equals_the_generic_own_update(method):
    rng = np.random.default_rng(0)
    problem = EigenQuadratic(rng.uniform(0.1, 3.0, 17))
    hyper = {"eta": rng.uniform(0.05, 0.6, 40)}
    if method != "gd":
        hyper["beta"] = rng.uniform(0.0, 0.95, 40)
    # 150 steps keep every norm of the generic run a normal float (the fused kernel
    # rescales rows, the generic one does not); both fit the same tail.
    fused = simulate(method, problem, hyper, 150, kernel="fused", chunk=16)
    generic = simulate(method, problem, hyper, 150, kernel="generic")
    assert fused.kernel == "fused" and generic.kernel == "generic"
    assert (generic.final_error > 1e-150).all()
    np.testing.assert_allclose(fused.final_error, generic.final_error, rtol=1e-12)
    np.testing.assert_allclose(fused.rate, generic.rate, rtol=1e-12)
    np.testing.assert_array_equal(fused.diverged_at, generic.diverged_at)


def test_recurrence_read_off_the_update_is_trace_and_determinant():
    eta = np.array([[0.1], [0.5], [1.3]])
    beta = np.array([[0.0], [0.4], [0.9]])
    lam = np.array([0.2, 1.0, 4.0])
    z0 = np.ones((1, 3))
    A, C, z1 = linear_recurrence(get_method("momentum"), {"eta": eta, "beta": beta}, lam, z0)
    # oracle: heavy ball's matrix [[1 - eta lam, -eta beta], [lam, beta]] (textbook section
    # "Momentum") has trace 1 + beta - eta lam and determinant beta.
    np.testing.assert_allclose(A, 1 + beta - eta * lam, rtol=0, atol=1e-15)
    np.testing.assert_allclose(C, np.broadcast_to(beta, (3, 3)), rtol=0, atol=1e-15)
    np.testing.assert_allclose(z1, 1 - eta * lam, rtol=0, atol=1e-15)
    A, C, z1 = linear_recurrence(get_method("gd"), {"eta": eta}, lam, z0)
    assert C is None
    np.testing.assert_allclose(A, 1 - eta * lam, rtol=0, atol=1e-15)


def test_rescaling_keeps_fast_rates_measurable():
    # gd with eta lam = 1/2 halves the error exactly each step: on the fitted tail
    # (steps 520..1040) the error is at most 2**-520, whose square underflows, so an
    # unscaled fit has nothing to fit; the rescaled fused kernel measures 1/2.
    problem = EigenQuadratic([1.0])
    fused = simulate("gd", problem, {"eta": [0.5]}, 1040)
    assert fused.final_error[0] == 2.0**-1040  # exact: powers of two
    assert fused.rate[0] == pytest.approx(0.5, rel=1e-13)
    generic = simulate("gd", problem, {"eta": [0.5]}, 1040, kernel="generic")
    assert generic.final_error[0] == 2.0**-1040
    assert np.isnan(generic.rate[0])


@pytest.mark.parametrize("kernel", ["fused", "compiled", "generic"])
def test_chunking_gives_identical_results(kernel):
    if kernel == "compiled":
        require_numba()
    rng = np.random.default_rng(1)
    problem = EigenQuadratic(rng.uniform(0.1, 2.0, 9))
    hyper = {"eta": rng.uniform(0.05, 1.2, 23), "beta": rng.uniform(0.0, 0.9, 23)}
    whole = simulate("momentum", problem, hyper, 90, kernel=kernel)
    assert whole.chunk == 23
    for chunk in (1, 5, 22):
        part = simulate("momentum", problem, hyper, 90, kernel=kernel, chunk=chunk)
        assert part.chunk == chunk
        np.testing.assert_array_equal(part.final_error, whole.final_error)
        # the tail-fit sums are reductions over (steps, chunk) blocks, which numpy may
        # vectorise differently for another chunk width: last-bit differences only.
        np.testing.assert_allclose(part.rate, whole.rate, rtol=1e-14, atol=0)
        np.testing.assert_array_equal(part.diverged_at, whole.diverged_at)


def test_max_memory_bounds_the_chunk():
    per = bytes_per_setting("momentum", 9, "fused")
    plan = plan_simulation(
        "momentum", EigenQuadratic(np.ones(9)), {"eta": np.full(50, 0.1), "beta": 0.5}, 10,
        max_memory=3 * per + 1,
    )
    assert plan.chunk == 3 and plan.size == 50
    adam = bytes_per_setting("adam", 9, "generic")
    assert adam > per / 2


def test_adaptive_methods_are_not_run_in_eigen_coordinates():
    # Adam is not rotation invariant: the same spectrum rotated gives another error.
    axis = simulate("adam", EigenQuadratic([0.3, 3.0]), {"eta": [0.05]}, 80)
    rot = EigenQuadratic([0.3, 3.0], basis="random", seed=5)
    rotated = simulate("adam", rot, {"eta": [0.05]}, 80)
    x0 = np.asarray(rot.from_eigen(np.ones(2)))
    ref = run("adam", rot, x0, 80, eta=0.05)
    np.testing.assert_allclose(rotated.final_error[0], np.linalg.norm(ref.x[-1]), rtol=1e-12)
    assert abs(rotated.final_error[0] / axis.final_error[0] - 1) > 1e-3


def test_progress_bar_on_request(capsys):
    simulate("gd", AXIS, {"eta": [0.1, 0.2]}, 5, progress=True)
    assert "setting" in capsys.readouterr().err
    simulate("gd", AXIS, {"eta": [0.1, 0.2]}, 5, progress=False)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"steps": 0}, "steps must be a positive integer"),
        ({"tail": 0.0}, "tail must lie in"),
        ({"tail": 1.5}, "tail must lie in"),
        ({"kernel": "fast"}, "unknown kernel"),
        ({"method": "adam", "hyper": {"eta": [0.1]}, "kernel": "fused"}, "'fused' is for the"),
        ({"max_memory": 100}, "max_memory must be at least"),
        ({"problem": object()}, "problem must be an EigenQuadratic"),
        ({"x0": [1.0, 2.0]}, r"x0 must have shape"),
        ({"x0": [[1.0, 2.0, 3.0]]}, r"x0 must have shape \(3,\) for a sweep"),
        ({"hyper": {"eta": [0.1, -0.2], "beta": 0.5}}, r"eta\[1\] must be > 0"),
        ({"hyper": {"eta": [0.1], "beta": [0.5, 1.5]}}, r"beta\[1\] must lie in"),
        ({"hyper": {"eta": [0.1, 0.2], "beta": [0.5, 0.6, 0.7]}}, "must have one length"),
        ({"hyper": {"eta": [0.1], "gamma": [0.5]}}, "unknown hyperparameter 'gamma'"),
        ({"hyper": {"beta": [0.5]}}, "needs the hyperparameter eta"),
        ({"backend": "jax"}, "unknown backend"),
        ({"backend": "numpy", "device": "cuda"}, "needs backend='torch'"),
    ],
)
def test_bad_input_is_one_line(kwargs, match):
    args = {
        "method": "momentum", "problem": AXIS, "hyper": {"eta": [0.1], "beta": [0.5]},
        "steps": 10,
    }
    args.update(kwargs)
    method, problem, hyper, steps = (args.pop(k) for k in ("method", "problem", "hyper", "steps"))
    with pytest.raises(ValueError, match=match) as info:
        simulate(method, problem, hyper, steps, **args)
    assert "\n" not in str(info.value)


def test_torch_backend_matches_numpy():
    require_torch()
    hyper = {"eta": [0.1, 0.3, 0.45, 0.6], "beta": [0.0, 0.5, 0.9, 0.3]}
    ref = simulate("momentum", ROTATED, hyper, 100)
    for kernel in ("fused", "generic"):
        out = simulate("momentum", ROTATED, hyper, 100, backend="torch", kernel=kernel)
        # torch's addcmul_ may fuse multiply and add (one rounding less): ulps per step.
        np.testing.assert_allclose(out.final_error, ref.final_error, rtol=1e-12)
        np.testing.assert_allclose(out.rate, ref.rate, rtol=1e-12)
    adam_np = simulate("adam", ROTATED, {"eta": [0.01, 0.1]}, 60)
    adam_t = simulate("adam", ROTATED, {"eta": [0.01, 0.1]}, 60, backend="torch")
    # same update on torch tensors; matmul (x - x*) @ Q may sum in another order.
    np.testing.assert_allclose(adam_t.final_error, adam_np.final_error, rtol=1e-9)


@pytest.mark.cuda
@pytest.mark.skipif(not cuda_available(), reason="needs a CUDA GPU")
def test_cuda_matches_cpu():
    hyper = {"eta": np.linspace(0.05, 0.6, 30), "beta": np.linspace(0.0, 0.9, 30)}
    ref = simulate("momentum", AXIS, hyper, 100)
    out = simulate("momentum", AXIS, hyper, 100, backend="torch", device="cuda")
    np.testing.assert_allclose(out.final_error, ref.final_error, rtol=1e-11)
    np.testing.assert_allclose(out.rate, ref.rate, rtol=1e-11)
