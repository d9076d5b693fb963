"""run(), train_2d() and Trajectory: textbook lines, divergence, checks."""

from __future__ import annotations

import math
import subprocess
import sys
from types import ModuleType

import numpy as np
import pytest

from optheory.numeric.problems import EigenQuadratic, textbook_2d, textbook_2d_rotated
from optheory.numeric.run import run, train_2d

# The lines the textbook prints (seed 001: gradient descent and momentum sections;
# seed 000: RMSProp section; the AdaGrad section's two runs).
TEXTBOOK_LINES = [
    ("gd", {"eta": 0.4}, "epoch 20, x1: -0.943467, x2: -0.000073"),
    ("gd", {"eta": 0.6}, "epoch 20, x1: -0.387814, x2: -1673.365109"),
    ("momentum", {"eta": 0.6, "beta": 0.5}, "epoch 20, x1: 0.007188, x2: 0.002553"),
    ("momentum", {"eta": 0.6, "beta": 0.25}, "epoch 20, x1: -0.126340, x2: -0.186632"),
    ("rmsprop", {"eta": 0.4, "gamma": 0.9}, "epoch 20, x1: -0.010599, x2: 0.000000"),
    ("adagrad", {"eta": 0.4}, "epoch 20, x1: -2.382563, x2: -0.158591"),
    ("adagrad", {"eta": 2}, "epoch 20, x1: -0.002295, x2: -0.000000"),
]


@pytest.mark.parametrize(("method", "hyper", "line"), TEXTBOOK_LINES)
def test_train_2d_prints_the_textbook_line(method, hyper, line):
    traj = train_2d(method, **hyper)
    assert traj.line() == line
    assert str(traj) == line
    assert traj.x.shape == (21, 2) and traj.loss.shape == (21,)
    np.testing.assert_array_equal(traj.x[0], [-5.0, -2.0])


def test_loss_is_the_objective_along_the_path():
    traj = train_2d("momentum", eta=0.6, beta=0.5)
    x1, x2 = traj.x[:, 0], traj.x[:, 1]
    np.testing.assert_allclose(traj.loss, 0.1 * x1**2 + 2 * x2**2, rtol=1e-14)
    assert traj.method == "momentum" and traj.convention == "textbook" and traj.impl == "own"
    assert dict(traj.hyper) == {"eta": 0.6, "beta": 0.5}


def _first_nonfinite_gd(eta: float, *, loss: bool = True) -> int:
    # oracle: gradient descent in Python floats, gradient first (g = 4 x2, then x2 - eta g),
    # stepped until an iterate (or, with ``loss``, the loss 0.1 x1^2 + 2 x2^2) stops being
    # finite.  (The textbook folds eta * 4 into one factor; that product overflows one step
    # later than the gradient 4 x2 does.)
    x1, x2, t = -5.0, -2.0, 0
    while math.isfinite(x1) and math.isfinite(x2):
        # the loss as EigenQuadratic evaluates it: 0.5 * sum(r * r * lam)
        if loss and not math.isfinite(0.5 * (x1 * x1 * 0.2 + x2 * x2 * 4.0)):
            return t
        x1, x2, t = x1 - eta * (0.2 * x1), x2 - eta * (4 * x2), t + 1
    return t


def test_divergence_is_located_and_stops_the_run():
    # pytest turns warnings into errors, so an escaping numpy overflow warning fails here
    expected = _first_nonfinite_gd(0.6)
    iterate_overflow = _first_nonfinite_gd(0.6, loss=False)
    assert 1000 < expected < iterate_overflow < 5000
    traj = train_2d("gd", steps=5000, eta=0.6)
    # divergence: the first step whose loss (here it overflows first) or iterate is not finite
    assert traj.diverged_at == expected
    assert np.all(np.isfinite(traj.loss[:expected])) and not np.isfinite(traj.loss[expected])
    assert np.all(np.isfinite(traj.x[:iterate_overflow]))
    assert not np.all(np.isfinite(traj.x[iterate_overflow]))
    assert traj.x.shape == (5001, 2)
    # the run stopped one step after the iterate overflowed; later rows were never computed
    assert np.all(np.isnan(traj.x[iterate_overflow + 1 :]))


def test_divergence_in_a_batch_is_per_setting():
    traj = train_2d("gd", steps=3000, eta=[0.4, 0.6, 0.45])
    assert traj.diverged_at == (None, _first_nonfinite_gd(0.6), None)
    assert np.all(np.isfinite(traj.x[:, 0]))
    assert traj.setting(1).diverged_at == _first_nonfinite_gd(0.6)
    assert traj.setting(0).diverged_at is None


def test_adaptive_divergence_without_warnings():
    # Adam with eps = 0 lands exactly on the optimum of a 1-D quadratic and then divides
    # 0 by 0; the NaN is reported as divergence, with no warning.
    p = EigenQuadratic([1.0])
    traj = run("adam", p, [1.0], 50, eta=1.0, beta1=0.0, beta2=0.0, eps=0.0)
    assert traj.diverged_at == 2
    assert traj.x[1, 0] == 0.0


def test_batched_trajectory_api():
    traj = train_2d("rmsprop", eta=[0.1, 0.4], gamma=0.9)
    assert traj.batched and traj.size == 2
    assert traj.x.shape == (21, 2, 2) and traj.loss.shape == (21, 2)
    assert traj.setting(1).line() == "epoch 20, x1: -0.010599, x2: 0.000000"
    assert traj.setting(0).hyper["eta"] == 0.1
    assert "Trajectory(rmsprop" in str(traj)
    with pytest.raises(ValueError, match="line\\(\\) needs a single 2-D run"):
        traj.line()
    with pytest.raises(ValueError, match="k must be an integer in \\[0, 1\\]"):
        traj.setting(2)
    with pytest.raises(ValueError, match="needs a batched trajectory"):
        traj.setting(0).setting(0)
    with pytest.raises(ValueError):
        traj.x[0, 0, 0] = 1.0  # read-only


def test_rotated_problem_is_the_same_dynamics_in_eigen_coordinates():
    # GD is rotation-equivariant: on the rotated problem, the eigen-coordinates follow
    # z <- (1 - eta lam) z for lam in (0.4, 8).
    p = textbook_2d_rotated()
    traj = run("gd", p, [1.0, -2.0], 30, eta=0.2)
    z0 = p.to_eigen(np.array([1.0, -2.0]))
    lam = np.asarray(p.eigenvalues)
    expected = z0 * (1 - 0.2 * lam) ** 30
    np.testing.assert_allclose(p.to_eigen(traj.x[-1]), expected, rtol=1e-10, atol=1e-14)


def test_backend_override_matches_numpy(torch_module: ModuleType):
    a = train_2d("adam", eta=0.4)
    b = run("adam", textbook_2d(), [-5.0, -2.0], 20, backend="torch", eta=0.4)
    np.testing.assert_array_equal(a.x, b.x)


BAD_RUNS = [
    (("gd", "problem", [0.0, 0.0], 5), {"eta": 0.1}, "problem must provide"),
    (("gd", None, [0.0, 0.0, 0.0], 5), {"eta": 0.1}, "x0 must have shape (2,) or (K, 2)"),
    (("gd", None, [0.0, float("nan")], 5), {"eta": 0.1}, "x0 must contain only finite"),
    (("gd", None, "origin", 5), {"eta": 0.1}, "x0 must be an array of numbers"),
    (("gd", None, [[0.0, 0.0]] * 3, 5), {"eta": [0.1, 0.2]}, "x0 has 3 rows but"),
    (("gd", None, [0.0, 0.0], 0), {"eta": 0.1}, "steps must be a positive integer"),
    (("gd", None, [0.0, 0.0], 2.5), {"eta": 0.1}, "steps must be a positive integer"),
    (("newton", None, [0.0, 0.0], 5), {}, "unknown method 'newton'"),
    (("gd", None, [0.0, 0.0], 5), {"eta": 0.1, "impl": "jax"}, "unknown impl 'jax'"),
    (("gd", None, [0.0, 0.0], 5), {"eta": 0.1, "convention": "d2l"}, "unknown convention"),
    (("gd", None, [0.0, 0.0], 5), {"eta": 0.1, "backend": "jax"}, "unknown backend 'jax'"),
    (("gd", None, [0.0, 0.0], 5), {"eta": -1}, "eta must be > 0"),
]


@pytest.mark.parametrize(("args", "kwargs", "message"), BAD_RUNS)
def test_bad_run_arguments_raise_one_line(args, kwargs, message):
    method, problem, x0, steps = args
    problem = textbook_2d() if problem is None else problem
    with pytest.raises(ValueError) as info:
        run(method, problem, x0, steps, **kwargs)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_train_2d_needs_a_2d_problem():
    with pytest.raises(ValueError, match="train_2d needs a 2-D problem"):
        train_2d("gd", problem=EigenQuadratic([1.0, 2.0, 3.0]), eta=0.1)


def test_importing_the_runner_does_not_import_torch():
    code = (
        "import sys, optheory.numeric.run, optheory.numeric.torch_runner, "
        "optheory.numeric.rates; "
        "assert 'torch' not in sys.modules; "
        "optheory.numeric.run.train_2d('adam', eta=0.4); "
        "assert 'torch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_progress_bar_counts_steps_and_changes_nothing(capsys):
    p = textbook_2d()
    quiet = run("adam", p, [-5.0, -2.0], 600, eta=0.1, progress=False)
    assert capsys.readouterr().err == ""
    loud = run("adam", p, [-5.0, -2.0], 600, eta=0.1, progress=True)
    err = capsys.readouterr().err
    assert "run adam" in err and "600/600" in err
    np.testing.assert_array_equal(loud.x, quiet.x)
    # by default only long runs on a terminal show a bar; pytest's stderr is not one
    run("gd", p, [-5.0, -2.0], 10_000, eta=0.1)
    assert capsys.readouterr().err == ""


def test_progress_bar_stops_at_divergence(capsys):
    # gd with eta = 1.2 on lam = 4 (factor -3.8) overflows after ~530 steps: the bar
    # ends where the run stopped, not at the requested 5000
    traj = run("gd", textbook_2d(), [-5.0, -2.0], 5000, eta=1.2, progress=True)
    err = capsys.readouterr().err
    assert traj.diverged_at is not None
    stopped = int(np.flatnonzero(~np.isfinite(traj.x).all(axis=-1))[0])
    assert traj.diverged_at <= stopped < 600
    assert f"{stopped}/5000" in err


def test_progress_bar_for_torch_optim(capsys, torch_module):
    run("momentum", textbook_2d(), [-5.0, -2.0], 300, impl="torch", eta=0.1, beta=0.5,
        progress=True)
    assert "torch.optim momentum" in capsys.readouterr().err
