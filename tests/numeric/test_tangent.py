"""Forward-mode tangents (Dual) against exact derivatives and central differences."""

from __future__ import annotations

import numpy as np
import pytest

from optheory.numeric.optimizers import get_method
from optheory.numeric.tangent import Dual


def test_arithmetic_rules_match_exact_derivatives():
    x = Dual(np.array([0.5, 2.0]), np.array([1.0, 1.0]))
    y = (3.0 * x * x - x / 2.0 + 1.0) / (x + 1.0)
    # d/dx (3x^2 - x/2 + 1)/(x + 1) = ((6x - 1/2)(x + 1) - (3x^2 - x/2 + 1)) / (x + 1)^2
    v = x.value
    want = ((6 * v - 0.5) * (v + 1) - (3 * v**2 - v / 2 + 1)) / (v + 1) ** 2
    np.testing.assert_allclose(y.dot, want, rtol=1e-15)  # a few roundings of O(1) numbers
    r = np.sqrt(x)
    np.testing.assert_allclose(r.dot, 0.5 / np.sqrt(v), rtol=1e-15)
    np.testing.assert_array_equal(np.sign(x - 1.0).dot, [0.0, 0.0])
    m = np.maximum(x, Dual(np.array([1.0, 1.0]), np.array([5.0, 5.0])))
    np.testing.assert_array_equal(m.value, [1.0, 2.0])
    np.testing.assert_array_equal(m.dot, [5.0, 1.0])  # the larger argument's tangent
    w = np.where(v > 1, x, 2.0 * x)
    np.testing.assert_array_equal(w.dot, [2.0, 1.0])
    q = x @ np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(q.dot, [4.0, 6.0])
    assert np.zeros_like(x).dot.tolist() == [0.0, 0.0]


def test_unsupported_operations_say_so():
    x = Dual(np.ones(2), np.ones(2))
    with pytest.raises(TypeError, match="no derivative rule for numpy.exp"):
        np.exp(x)
    with pytest.raises(TypeError, match="Dual exponents"):
        np.power(2.0, x)


@pytest.mark.parametrize(("method", "convention", "hyper"), [
    ("rmsprop", "torch", {"eta": 0.05, "gamma": 0.9, "centered": True, "beta": 0.5}),
    ("adam", "torch", {"eta": 0.05}),
    ("amsgrad", "textbook", {"eta": 0.05}),
    ("adadelta", "textbook", {"rho": 0.9}),
    ("adagrad", "torch", {"eta": 0.3, "lr_decay": 0.01}),
])
def test_update_jacobian_vector_product_matches_central_differences(method, convention, hyper):
    spec = get_method(method, convention)
    hy = spec.resolve(hyper)
    rng = np.random.default_rng(0)
    Q = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.3], [0.0, 0.3, 0.7]])
    x = rng.normal(size=3)
    state = spec.init(x, hy)
    for _ in range(5):  # buffers away from their zero start
        x, state = spec.update(x @ Q, state, x, hy)
    names = [k for k, v in state._asdict().items() if isinstance(v, np.ndarray)]
    # buffer directions scaled by the buffers, so that h is a relative perturbation of each
    v = [rng.normal(size=3)] + [rng.normal(size=3) * np.abs(getattr(state, k)) for k in names]

    def step(h: float) -> np.ndarray:
        xs = x + h * v[0]
        st = state._replace(**{k: getattr(state, k) + h * d
                               for k, d in zip(names, v[1:], strict=True)})
        xn, sn = spec.update(xs @ Q, st, xs, hy)
        return np.concatenate([xn, *(getattr(sn, k) for k in names)])

    xd = Dual(x, v[0])
    sd = state._replace(**{k: Dual(getattr(state, k), d) for k, d in zip(names, v[1:], strict=True)})
    xn, sn = spec.update(xd @ Q, sd, xd, hy)
    jvp = np.concatenate([xn.dot, *(np.broadcast_to(getattr(sn, k).dot, (3,)) for k in names)])
    h = 1e-6
    fd = (step(h) - step(-h)) / (2 * h)
    # central differences carry O(h^2) truncation and O(u/h) rounding: ~1e-9 relative here
    np.testing.assert_allclose(jvp, fd, rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(xn.value, step(0.0)[:3])  # values are the plain update's
