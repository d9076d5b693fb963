"""Own torch-convention optimizers against the real torch.optim classes."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from optheory.numeric.lyapunov import lyapunov_run
from optheory.numeric.optimizers import get_method
from optheory.numeric.optimizers.adadelta import AdadeltaState
from optheory.numeric.optimizers.adagrad import AdagradState
from optheory.numeric.optimizers.adam import AdamState
from optheory.numeric.optimizers.linear import MomentumState
from optheory.numeric.optimizers.rmsprop import TorchRMSpropState
from optheory.numeric.problems import EigenQuadratic
from optheory.numeric.run import run
from optheory.numeric.torch_runner import run_torch, torch_kwargs, torch_optimizer


def _problem(seed: int, d: int = 5) -> tuple[EigenQuadratic, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = EigenQuadratic(
        rng.uniform(0.2, 1.5, d), basis="random", x_star=rng.normal(size=d), seed=seed
    )
    return p, rng.normal(size=d) * 3


# Parity of whole trajectories holds only over the horizon where the dynamics do not
# amplify rounding: computed for each run from the Jacobians of its step map
# (optheory.numeric.lyapunov), never picked by hand.  Past it the runs are compared by what
# is robust: the size of the attractor they settle on.
FREE_RUNS = [
    ("gd", {"eta": 0.5}),
    ("momentum", {"eta": 0.1, "beta": 0.9}),
    ("nesterov", {"eta": 0.1, "beta": 0.8}),
    ("adagrad", {"eta": 0.3, "lr_decay": 0.01, "initial_accumulator_value": 0.5}),
    ("adagrad", {"eta": 0.5}),
    ("rmsprop", {"eta": 0.01}),
    ("rmsprop", {"eta": 0.05}),
    ("rmsprop", {"eta": 0.003, "beta": 0.9, "centered": True}),
    ("rmsprop", {"eta": 0.001, "beta": 0.9}),
    ("adadelta", {}),
    ("adam", {"eta": 0.05}),
    ("amsgrad", {"eta": 0.05}),
]
PARITY_TOL = 1e-12  # absolute, on iterates of size ~1-10: about 1e3 to 1e4 ulps
ATTRACTOR_STEPS, ATTRACTOR_WINDOW, ENSEMBLE = 3000, 500, 8


@pytest.mark.isa
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(("method", "hyper"), FREE_RUNS)
def test_own_torch_convention_equals_torch_optim(torch_module: ModuleType, method, hyper, seed):
    p, x0 = _problem(seed)
    steps = 1000
    sens = lyapunov_run(method, p, x0, steps, convention="torch", **hyper)
    ref = run(method, p, x0, steps, impl="torch", **hyper)
    assert ref.impl == "torch" and ref.convention == "torch"
    horizon = sens.horizon(PARITY_TOL)
    gap = np.max(np.abs(sens.x - ref.x), axis=1)
    # Up to the horizon, different roundings (torch fuses multiply-adds) cannot have grown
    # past the tolerance; a wrong formula would differ by far more.
    assert np.max(gap[: horizon + 1]) <= PARITY_TOL
    if horizon < steps:
        _assert_same_attractor(method, hyper, p, x0)


def _assert_same_attractor(method, hyper, p, x0):
    """torch.optim settles on the attractor of the own runs from nearby starts."""

    def tail_distance(x):
        return float(np.mean(np.linalg.norm(x[-ATTRACTOR_WINDOW:] - p.x_star, axis=-1)))

    ref = run(method, p, x0, ATTRACTOR_STEPS, impl="torch", **hyper)
    signs = (-1.0) ** np.arange(x0.size)
    ensemble = [
        tail_distance(run(method, p, x0 + k * signs * np.spacing(x0), ATTRACTOR_STEPS,
                          convention="torch", **hyper).x)
        for k in range(ENSEMBLE)
    ]
    mean, spread = float(np.mean(ensemble)), float(np.std(ensemble))
    # The torch run is one more draw from the spread that rounding creates: within 6 standard
    # deviations of the ensemble (the floor covers an attractor so stable that all draws agree).
    assert abs(tail_distance(ref.x) - mean) <= 6 * spread + PARITY_TOL


def _state_from_torch(method, st, hyper, x):
    """Our state NamedTuple holding torch.optim's state (zeros where torch has none)."""
    zero = np.zeros_like(x)
    if method == "gd":
        return get_method("gd", "torch").init(x, hyper)

    def a(key):
        return st[key].detach().numpy().copy() if key in st else zero

    if method in ("momentum", "nesterov"):
        return MomentumState(0, a("momentum_buffer"))
    step = int(st["step"])
    if method == "adagrad":
        return AdagradState(step, a("sum"))
    if method == "rmsprop":
        return TorchRMSpropState(step, a("square_avg"), a("grad_avg"), a("momentum_buffer"))
    if method == "adadelta":
        return AdadeltaState(step, a("square_avg"), a("acc_delta"))
    return AdamState(step, a("exp_avg"), a("exp_avg_sq"), a("max_exp_avg_sq"))


STEPWISE = [
    ("momentum", {"eta": 0.3, "beta": 0.95}),
    ("nesterov", {"eta": 0.3, "beta": 0.95}),
    ("adagrad", {"eta": 0.7, "lr_decay": 0.05, "initial_accumulator_value": 0.1, "eps": 1e-3}),
    ("rmsprop", {"eta": 0.05, "gamma": 0.3}),
    ("rmsprop", {"eta": 0.05, "gamma": 0.3, "beta": 0.5, "centered": True}),
    ("rmsprop", {"eta": 0.05, "gamma": 0.9, "centered": True}),
    ("adadelta", {"eta": 0.7, "rho": 0.5}),
    ("adam", {"eta": 0.05, "beta1": 0.3, "beta2": 0.5}),
    ("adam", {"eta": 0.1}),
    ("amsgrad", {"eta": 0.05, "beta1": 0.3, "beta2": 0.9}),
]


def _teacher_forced(torch, method, hyper, p, x0, steps):
    """Steps of torch.optim; before each, the own update from torch's iterate and state.

    Yields (x, state, own new x, own new state, torch's new x, torch's new state).
    """
    spec = get_method(method, "torch")
    resolved = spec.resolve(hyper)
    param = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch_optimizer(method, [param], resolved)
    for _ in range(steps):
        x = param.detach().numpy().copy()
        g = p.grad(x)
        st = opt.state[param]
        state = _state_from_torch(method, st, resolved, x) if st else spec.init(x, resolved)
        new_x, new_state = spec.update(g, state, x, resolved)
        param.grad = torch.from_numpy(g.copy())
        opt.step()
        ref_state = _state_from_torch(method, opt.state[param], resolved, x)
        yield x, state, new_x, new_state, param.detach().numpy().copy(), ref_state


@pytest.mark.parametrize(("method", "hyper"), STEPWISE)
def test_each_step_equals_torch_optim_from_its_state(torch_module: ModuleType, method, hyper):
    # Teacher forcing: before every torch.optim step, feed torch's own iterate and state to
    # our update and compare the new iterate and state.  This checks the formulas in any
    # regime, chaotic ones included, without rounding differences compounding.
    p, x0 = _problem(3)
    for _x, _state, new_x, new_state, ref_x, ref_state in _teacher_forced(
            torch_module, method, hyper, p, x0, 300):
        # Identical inputs, so only rounding differs (torch fuses multiply-adds).  Entries
        # produced by cancellation (s - gbar^2, lerp near zero) carry a few ulps of the
        # array's largest entry; a wrong formula (eps inside vs outside the root, missing
        # bias correction, wrong lerp weight) changes results by far more than 1e-12.
        for ours, theirs in zip((new_x, *new_state[1:]), (ref_x, *ref_state[1:]), strict=True):
            np.testing.assert_allclose(
                ours, theirs, rtol=1e-12, atol=1e-14 * float(np.max(np.abs(theirs)))
            )
        assert new_state.step == ref_state.step or method in ("momentum", "nesterov")


def _ulps(ours: np.ndarray, theirs: np.ndarray, before: np.ndarray) -> float:
    """Largest gap in units in the last place of the array's scale.

    The scale is the largest magnitude among the state before and both results: an
    update adds terms of up to that size, so each rounding is at most half an ulp of it.
    """
    scale = max(float(np.max(np.abs(before))), float(np.max(np.abs(theirs))),
                float(np.max(np.abs(ours))), np.finfo(float).tiny)
    return float(np.max(np.abs(ours - theirs))) / float(np.spacing(scale))


ONE_STEP = [
    ("gd", {"eta": 0.3}),
    ("momentum", {"eta": 0.3, "beta": 0.9}),
    ("nesterov", {"eta": 0.3, "beta": 0.9}),
    ("adagrad", {"eta": 0.5}),
    ("adagrad", {"eta": 0.7, "lr_decay": 0.05, "initial_accumulator_value": 0.1, "eps": 1e-3}),
    ("rmsprop", {"eta": 0.05}),
    ("rmsprop", {"eta": 0.05, "gamma": 0.3, "beta": 0.5, "centered": True}),
    ("rmsprop", {"eta": 0.05, "gamma": 0.9, "centered": True}),
    ("adadelta", {}),
    ("adadelta", {"eta": 0.7, "rho": 0.5}),
    ("adam", {"eta": 0.1}),
    ("adam", {"eta": 0.05, "beta1": 0.3, "beta2": 0.5}),
    ("amsgrad", {"eta": 0.05, "beta1": 0.3, "beta2": 0.9}),
]
ONE_STEP_ULPS = 8  # a step is a handful of operations; each rounds by at most half an ulp


@pytest.mark.isa
@pytest.mark.parametrize("distance", [3.0, 1e-3, 1e-9])
@pytest.mark.parametrize(("method", "hyper"), ONE_STEP)
def test_one_step_equals_torch_optim_in_ulps(torch_module: ModuleType, method, hyper, distance):
    # From every state torch.optim passes through (start far from or right next to the
    # optimum, buffers empty or filled), one own step and one torch step agree to a few ulps.
    p, _ = _problem(7)
    rng = np.random.default_rng(11)
    x0 = np.asarray(p.x_star) + distance * rng.normal(size=p.dim)
    resolved = get_method(method, "torch").resolve(hyper)
    worst = 0.0
    for x, state, new_x, new_state, ref_x, ref_state in _teacher_forced(
            torch_module, method, hyper, p, x0, 60):
        pairs = zip((new_x, *new_state[1:]), (ref_x, *ref_state[1:]), (x, *state[1:]),
                    strict=True)
        # The centered variance s - gbar^2 is a difference: its rounding is relative to s,
        # so results computed through it may differ by its condition number s/(s - gbar^2)
        # times the usual few ulps.
        kappa = 1.0
        if method == "rmsprop" and resolved["centered"]:
            var = new_state.s - new_state.gbar * new_state.gbar
            kappa = float(np.max(new_state.s / var))
        worst = max(worst, max(_ulps(a, b, c) for a, b, c in pairs) / kappa)
    assert worst <= ONE_STEP_ULPS, f"{worst:.1f} ulps (divided by the conditioning)"


def test_batched_settings_use_one_param_group_each(torch_module: ModuleType):
    # diagonal problem: the gradient of a (K, d) block is computed row by row exactly
    rng = np.random.default_rng(4)
    p, x0 = EigenQuadratic(rng.uniform(0.2, 1.5, 5), x_star=rng.normal(size=5)), rng.normal(size=5)
    batch = run_torch("adam", p, x0, 100, eta=[0.01, 0.1], beta1=[0.5, 0.9])
    assert batch.x.shape == (101, 2, 5)
    for k, (eta, beta1) in enumerate(((0.01, 0.5), (0.1, 0.9))):
        single = run_torch("adam", p, x0, 100, eta=eta, beta1=beta1)
        np.testing.assert_array_equal(batch.setting(k).x, single.x)


def test_shared_hyperparameters_use_one_parameter(torch_module: ModuleType):
    p, _ = _problem(5, d=3)
    starts = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 0.5]])
    batch = run("rmsprop", p, starts, 50, impl="torch", eta=0.05, centered=True)
    for k in range(2):
        single = run("rmsprop", p, starts[k], 50, impl="torch", eta=0.05, centered=True)
        # one (K, d) tensor against a (d,) tensor: the same elementwise torch kernels, but
        # the problem's matrix product may round differently for a (K, d) block
        np.testing.assert_allclose(batch.setting(k).x, single.x, rtol=0, atol=1e-13)


def test_torch_problem_backend(torch_module: ModuleType):
    p, x0 = _problem(6)
    pt = p.with_backend("torch")
    a = run("amsgrad", p, x0, 200, impl="torch", eta=0.05)
    b = run("amsgrad", pt, x0, 200, impl="torch", eta=0.05)
    # the gradient's matrix product is done by numpy in one run and torch in the other
    np.testing.assert_allclose(a.x, b.x, rtol=0, atol=1e-12)


def test_torch_kwargs_translate_names():
    assert torch_kwargs("rmsprop", {"eta": 0.1, "gamma": 0.9, "eps": 1e-8, "beta": 0.5,
                                    "centered": True}) == {
        "lr": 0.1, "alpha": 0.9, "eps": 1e-8, "momentum": 0.5, "centered": True}
    assert torch_kwargs("amsgrad", {"eta": 0.1, "beta1": 0.8, "beta2": 0.9, "eps": 0.0}) == {
        "lr": 0.1, "betas": (0.8, 0.9), "eps": 0.0, "amsgrad": True}
    assert torch_kwargs("nesterov", {"eta": 0.1, "beta": 0.5})["nesterov"] is True


def test_torch_runner_rejects_what_torch_lacks(torch_module: ModuleType):
    p, x0 = _problem(0)
    with pytest.raises(ValueError, match="yogi has no torch.optim class"):
        run("yogi", p, x0, 10, impl="torch", eta=0.1)
    with pytest.raises(ValueError, match="beta must be > 0 for nesterov"):
        run("nesterov", p, x0, 10, impl="torch", eta=0.1, beta=0.0)
    with pytest.raises(ValueError, match="convention='torch'"):
        run("adam", p, x0, 10, impl="torch", convention="textbook")
    with pytest.raises(ValueError, match="unknown hyperparameter 'gamma'"):
        run("adam", p, x0, 10, impl="torch", gamma=0.9)
