"""Own optimizers: textbook arithmetic, backends, batching and input checks."""

from __future__ import annotations

import math
from types import ModuleType

import numpy as np
import pytest

from optheory.numeric.optimizers import CONVENTIONS, METHODS, get_method
from optheory.numeric.optimizers._ops import lerp
from optheory.numeric.problems import EigenQuadratic
from optheory.numeric.run import run, train_2d

# --- oracles: the textbook's scratch 2-D code, in plain Python floats -----------------
# Written from the update rules in shared/reference/conventions.md, independently of
# the package code; gradient of f = 0.1 x1^2 + 2 x2^2 is (0.2 x1, 4 x2).


def _scratch(rule, steps=20, **h):
    x1, x2, s1, s2 = -5.0, -2.0, 0.0, 0.0
    aux = {"t": 0, "d1": 0.0, "d2": 0.0, "v1": 0.0, "v2": 0.0, "m1": 0.0, "m2": 0.0}
    for _ in range(steps):
        x1, x2, s1, s2 = rule(x1, x2, s1, s2, aux, **h)
    return x1, x2


def _gd(x1, x2, s1, s2, aux, eta):
    return x1 - eta * 0.2 * x1, x2 - eta * 4 * x2, 0, 0


def _momentum(x1, x2, v1, v2, aux, eta, beta):
    v1 = beta * v1 + 0.2 * x1
    v2 = beta * v2 + 4 * x2
    return x1 - eta * v1, x2 - eta * v2, v1, v2


def _adagrad(x1, x2, s1, s2, aux, eta, eps=1e-6):
    g1, g2 = 0.2 * x1, 4 * x2
    s1 += g1**2
    s2 += g2**2
    return x1 - eta / math.sqrt(s1 + eps) * g1, x2 - eta / math.sqrt(s2 + eps) * g2, s1, s2


def _rmsprop(x1, x2, s1, s2, aux, eta, gamma, eps=1e-6):
    g1, g2 = 0.2 * x1, 4 * x2
    s1 = gamma * s1 + (1 - gamma) * g1**2
    s2 = gamma * s2 + (1 - gamma) * g2**2
    return x1 - eta / math.sqrt(s1 + eps) * g1, x2 - eta / math.sqrt(s2 + eps) * g2, s1, s2


def _adadelta(x1, x2, s1, s2, aux, rho, eps=1e-5):
    out = []
    for i, (x, s, g) in enumerate(((x1, s1, 0.2 * x1), (x2, s2, 4 * x2)), start=1):
        d = aux[f"d{i}"]
        s = rho * s + (1 - rho) * g * g
        gp = (math.sqrt(d + eps) / math.sqrt(s + eps)) * g
        aux[f"d{i}"] = rho * d + (1 - rho) * gp * gp
        out.append((x - gp, s))
    return out[0][0], out[1][0], out[0][1], out[1][1]


def _adam_like(kind):
    def rule(x1, x2, s1, s2, aux, eta, beta1=0.9, beta2=0.999, eps=None):
        eps = (1e-3 if kind == "yogi" else 1e-6) if eps is None else eps
        aux["t"] += 1
        t = aux["t"]
        out = []
        for i, (x, s, g) in enumerate(((x1, s1, 0.2 * x1), (x2, s2, 4 * x2)), start=1):
            v = beta1 * aux[f"v{i}"] + (1 - beta1) * g
            aux[f"v{i}"] = v
            if kind == "yogi":
                s = s + (1 - beta2) * np.sign(g * g - s) * (g * g)
            else:
                s = beta2 * s + (1 - beta2) * g * g
            denom_s = s
            if kind == "amsgrad":
                aux[f"m{i}"] = max(aux[f"m{i}"], s)
                denom_s = aux[f"m{i}"]
            vh = v / (1 - beta1**t)
            sh = denom_s / (1 - beta2**t)
            out.append((x - eta * vh / (math.sqrt(sh) + eps), s))
        return out[0][0], out[1][0], out[0][1], out[1][1]

    return rule


SCRATCH = [
    ("gd", _gd, {"eta": 0.4}),
    ("gd", _gd, {"eta": 0.6}),
    ("momentum", _momentum, {"eta": 0.6, "beta": 0.5}),
    ("adagrad", _adagrad, {"eta": 0.4}),
    ("adagrad", _adagrad, {"eta": 2.0, "eps": 1e-3}),
    ("rmsprop", _rmsprop, {"eta": 0.4, "gamma": 0.9}),
    ("adadelta", _adadelta, {"rho": 0.9}),
    ("adadelta", _adadelta, {"rho": 0.5, "eps": 1e-3}),
    ("adam", _adam_like("adam"), {"eta": 0.4}),
    ("adam", _adam_like("adam"), {"eta": 0.1, "beta1": 0.5, "beta2": 0.9, "eps": 1e-4}),
    ("amsgrad", _adam_like("amsgrad"), {"eta": 0.4, "beta2": 0.5}),
    ("yogi", _adam_like("yogi"), {"eta": 0.4}),
    ("yogi", _adam_like("yogi"), {"eta": 0.4, "beta2": 0.9}),
]


@pytest.mark.parametrize(("method", "rule", "hyper"), SCRATCH)
def test_textbook_convention_matches_scratch_code(method, rule, hyper):
    expected = _scratch(rule, **hyper)
    traj = train_2d(method, **hyper)
    # Same formulas; the only differences are the order of a product (eta * 0.2 * x vs
    # eta * (0.2 x)), i.e. a few ulps per step over 20 contracting or mildly growing steps.
    np.testing.assert_allclose(traj.x[-1], expected, rtol=1e-12, atol=1e-14)


def test_nesterov_is_gd_on_the_look_ahead_gradient():
    # Nesterov (torch form) on f = 1/2 lam x^2: b <- beta b + lam x; x <- x - eta (lam x + beta b).
    lam, eta, beta, x, b = 3.0, 0.1, 0.7, 2.0, 0.0
    p = EigenQuadratic([lam])
    traj = run("nesterov", p, [x], 30, eta=eta, beta=beta)
    for t in range(30):
        g = lam * x
        b = beta * b + g
        x = x - eta * (g + beta * b)
        assert traj.x[t + 1, 0] == pytest.approx(x, rel=1e-14, abs=1e-300)


def test_every_method_runs_in_both_conventions():
    p = EigenQuadratic([0.5, 1.0, 2.0], basis="random", seed=3)
    for method in METHODS:
        for convention in CONVENTIONS:
            spec = get_method(method, convention)
            hyper = {h.name: 0.05 for h in spec.hypers if h.default is None}
            if "beta" in hyper:
                hyper["beta"] = 0.5
            traj = run(method, p, [1.0, -1.0, 2.0], 300, convention=convention, **hyper)
            assert traj.diverged_at is None
            assert traj.loss[-1] < traj.loss[0], (method, convention)


def test_states_are_not_mutated():
    spec = get_method("adam", "torch")
    hyper = spec.resolve({"eta": 0.1})
    x = np.array([1.0, -2.0])
    state = spec.init(x, hyper)
    before = [np.copy(a) if isinstance(a, np.ndarray) else a for a in state]
    g = np.array([0.5, 0.25])
    new_x, new_state = spec.update(g, state, x, hyper)
    for old, now in zip(before, state, strict=True):
        np.testing.assert_array_equal(old, now)
    np.testing.assert_array_equal(x, [1.0, -2.0])
    assert new_state.step == 1 and not np.array_equal(new_x, x)


@pytest.mark.parametrize("weight", [0.1, 0.7, 1.0])
def test_lerp_branches_agree_with_the_definition(weight):
    a, b = np.array([1.0, -3.0]), np.array([0.25, 5.0])
    np.testing.assert_allclose(lerp(a, b, weight), a + weight * (b - a), rtol=1e-15, atol=1e-15)
    col = np.full((2, 1), weight)
    np.testing.assert_array_equal(lerp(a, b, col), np.stack([lerp(a, b, weight)] * 2))


# --- batching ----------------------------------------------------------------------------

BATCHES = [
    ("gd", "textbook", {"eta": [0.1, 0.5, 1.9]}),
    ("momentum", "textbook", {"eta": [0.1, 0.5], "beta": [0.5, 0.9]}),
    ("nesterov", "torch", {"eta": [0.1, 0.5], "beta": 0.5}),
    ("adagrad", "textbook", {"eta": [0.1, 0.5]}),
    ("adagrad", "torch", {"eta": [0.1, 0.5], "lr_decay": [0, 0.1],
                          "initial_accumulator_value": [0, 1.0]}),
    ("rmsprop", "textbook", {"eta": [0.01, 0.1], "gamma": [0.3, 0.9]}),
    ("rmsprop", "torch", {"eta": [0.01, 0.1, 0.05], "gamma": [0.3, 0.9, 0.99],
                          "beta": [0.0, 0.5, 0.9], "centered": True}),
    ("adadelta", "textbook", {"rho": [0.3, 0.9]}),
    ("adadelta", "torch", {"eta": [0.5, 1.0], "rho": [0.3, 0.9]}),
    ("amsgrad", "torch", {"eta": [0.01, 0.1]}),
]

# Adam and Yogi use beta ** t, computed by the array library for a batch but by Python's
# float power for one setting; they may differ in the last bit.
POWER_BATCHES = [
    ("adam", "textbook", {"eta": [0.01, 0.1], "beta1": [0.3, 0.9], "beta2": [0.9, 0.999]}),
    ("adam", "torch", {"eta": [0.01, 0.1], "beta1": [0.3, 0.9], "beta2": [0.9, 0.999]}),
    ("yogi", "textbook", {"eta": [0.01, 0.1], "beta2": [0.9, 0.99]}),
]


def _separate(method, convention, hyper, problem, x0, steps):
    k_total = max(len(v) for v in hyper.values() if isinstance(v, list))
    for k in range(k_total):
        hk = {n: (v[k] if isinstance(v, list) else v) for n, v in hyper.items()}
        yield k, run(method, problem, x0, steps, convention=convention, **hk)


@pytest.mark.parametrize(("method", "convention", "hyper"), BATCHES)
def test_batch_equals_separate_runs_bitwise(method, convention, hyper):
    # A diagonal problem: its gradient is elementwise, so a (K, d) batch and K (d,) runs
    # do the same floating-point operations (no matrix product summation order).
    rng = np.random.default_rng(0)
    p = EigenQuadratic(rng.uniform(0.2, 1.5, 4), x_star=rng.normal(size=4))
    x0 = rng.normal(size=4)
    batch = run(method, p, x0, 200, convention=convention, **hyper)
    assert batch.batched and batch.x.shape == (201, batch.size, 4)
    for k, single in _separate(method, convention, hyper, p, x0, 200):
        np.testing.assert_array_equal(batch.setting(k).x, single.x)
        np.testing.assert_array_equal(batch.loss[:, k], single.loss)


@pytest.mark.parametrize(("method", "convention", "hyper"), POWER_BATCHES)
def test_batch_equals_separate_runs_up_to_power_rounding(method, convention, hyper):
    rng = np.random.default_rng(1)
    p = EigenQuadratic(rng.uniform(0.2, 1.5, 4), x_star=rng.normal(size=4))
    x0 = rng.normal(size=4)
    batch = run(method, p, x0, 200, convention=convention, **hyper)
    for k, single in _separate(method, convention, hyper, p, x0, 200):
        # last-bit differences in 1 - beta^t, in a regime that damps perturbations
        np.testing.assert_allclose(batch.setting(k).x, single.x, rtol=1e-12, atol=1e-13)


def test_several_starts_share_hyperparameters():
    p = EigenQuadratic([0.3, 2.0])
    starts = np.array([[1.0, 2.0], [-3.0, 0.5], [0.0, 0.0]])
    batch = run("adam", p, starts, 50, eta=0.1)
    assert batch.x.shape == (51, 3, 2)
    for k in range(3):
        np.testing.assert_array_equal(batch.setting(k).x, run("adam", p, starts[k], 50, eta=0.1).x)


# --- numpy and torch backends ------------------------------------------------------------

# Settings whose iterations contract (eigenvalues in [0.2, 1.5]): rounding differences are
# damped, not amplified.  RMSProp: near the optimum the step is about eta / sqrt(eps) * g
# (textbook) or eta / eps * g (torch), i.e. 0.1 and 1 times lambda here, below 2.  Adadelta:
# near the optimum the step tends to eta * g with eta = 1 (torch; the textbook has no eta).
TAME = {
    "gd": {"eta": 0.5},
    "momentum": {"eta": 0.2, "beta": 0.8},
    "nesterov": {"eta": 0.2, "beta": 0.8},
    "adagrad": {"eta": 0.5},
    "rmsprop": {"eta": 0.01, "eps": 1e-2},
    "adadelta": {},
    "adam": {"eta": 0.05},
    "amsgrad": {"eta": 0.05},
    "yogi": {"eta": 0.05},
}


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("method", METHODS)
def test_numpy_and_torch_backends_agree(torch_module: ModuleType, method, convention):
    rng = np.random.default_rng(7)
    p = EigenQuadratic(rng.uniform(0.2, 1.5, 5), basis="random", x_star=rng.normal(size=5), seed=7)
    x0 = rng.normal(size=5) * 3
    a = run(method, p, x0, 1000, convention=convention, **TAME[method])
    b = run(method, p, x0, 1000, convention=convention, backend="torch", **TAME[method])
    # Same operations; numpy's and torch's matrix products may round differently in the
    # last bit, and these contracting settings do not amplify such differences.
    np.testing.assert_allclose(a.x, b.x, rtol=0, atol=1e-12)


# --- bad input ---------------------------------------------------------------------------

BAD = [
    (("sgd", "textbook", {}), "unknown method 'sgd'"),
    (("gd", "keras", {}), "unknown convention 'keras'"),
    (("gd", "textbook", {}), "needs the hyperparameter eta"),
    (("gd", "textbook", {"eta": 0}), "eta must be > 0"),
    (("gd", "textbook", {"eta": -0.1}), "eta must be > 0"),
    (("gd", "textbook", {"eta": float("nan")}), "eta must be finite"),
    (("gd", "textbook", {"eta": "0.1"}), "eta must be a real number"),
    (("gd", "textbook", {"eta": True}), "eta must be a real number"),
    (("gd", "textbook", {"eta": 0.1, "lr": 0.1}), "unknown hyperparameter 'lr'"),
    (("momentum", "textbook", {"eta": 0.1}), "needs the hyperparameter beta"),
    (("momentum", "textbook", {"eta": 0.1, "beta": 1.0}), "beta must lie in [0, 1)"),
    (("nesterov", "torch", {"beta": -0.2}), "beta must lie in [0, 1)"),
    (("rmsprop", "textbook", {"eta": 0.1, "gamma": 1.5}), "gamma must lie in [0, 1]"),
    (("rmsprop", "torch", {"beta": 1.2}), "beta must lie in [0, 1)"),
    (("rmsprop", "torch", {"centered": 1}), "centered must be True or False"),
    (("rmsprop", "textbook", {"eta": 0.1, "centered": True}), "unknown hyperparameter"),
    (("adadelta", "textbook", {"rho": -0.1}), "rho must lie in [0, 1]"),
    (("adadelta", "textbook", {"eta": 0.1}), "unknown hyperparameter 'eta'"),
    (("adagrad", "textbook", {"eta": 0.1, "eps": -1e-6}), "eps must be >= 0"),
    (("adagrad", "torch", {"lr_decay": -1}), "lr_decay must be >= 0"),
    (("adagrad", "torch", {"initial_accumulator_value": -1}), "initial_accumulator_value"),
    (("adam", "textbook", {"eta": 0.1, "beta1": 1.0}), "beta1 must lie in [0, 1)"),
    (("adam", "torch", {"beta2": 1.1}), "beta2 must lie in [0, 1)"),
    (("yogi", "torch", {"eps": -1.0}), "eps must be >= 0"),
    (("gd", "textbook", {"eta": [0.1, -0.2]}), "eta[1] must be > 0"),
    (("gd", "textbook", {"eta": [[0.1]]}), "eta must be a number or a non-empty 1-D"),
    (("gd", "textbook", {"eta": []}), "eta must be a number or a non-empty 1-D"),
    (("momentum", "textbook", {"eta": [0.1, 0.2], "beta": [0.1, 0.2, 0.3]}), "one length"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_hyperparameters_raise_one_line(args, message):
    method, convention, hyper = args
    with pytest.raises(ValueError) as info:
        get_method(method, convention).resolve(hyper)
    text = str(info.value)
    assert message in text and "\n" not in text


def test_defaults_follow_the_sources():
    tb = get_method("rmsprop", "textbook").resolve({"eta": 0.1})
    th = get_method("rmsprop", "torch").resolve({})
    assert (tb["gamma"], tb["eps"]) == (0.9, 1e-6)
    assert (th["eta"], th["gamma"], th["eps"], th["beta"], th["centered"]) == (
        1e-2, 0.99, 1e-8, 0.0, False)
    assert get_method("adagrad", "torch").resolve({})["eps"] == 1e-10
    assert get_method("adadelta", "textbook").resolve({})["eps"] == 1e-5
    assert get_method("adadelta", "torch").resolve({})["eta"] == 1.0
    assert get_method("adam", "textbook").resolve({"eta": 1})["eps"] == 1e-6
    assert get_method("yogi", "textbook").resolve({"eta": 1})["eps"] == 1e-3


@pytest.mark.cuda
def test_cuda_backend_matches_cpu(torch_module: ModuleType):
    if not torch_module.cuda.is_available():
        pytest.skip("no CUDA GPU")
    p = EigenQuadratic([0.3, 1.0, 1.4], basis="random", seed=2)
    pc = p.with_backend("torch", "cuda")
    for method in ("momentum", "adam", "rmsprop"):
        hyper = {"eta": 0.05, "beta": 0.5} if method == "momentum" else {"eta": 0.05}
        a = run(method, p, [1.0, 2.0, -1.0], 200, convention="torch", **hyper)
        b = run(method, pc, [1.0, 2.0, -1.0], 200, convention="torch", **hyper)
        # GPU kernels may fuse and round differently; contracting settings keep it tiny
        np.testing.assert_allclose(a.x, b.x, rtol=0, atol=1e-12)
