"""Leaky averages: derived closed forms against oracles and against torch.optim state."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
import sympy as sp

from optheory.symbolic import leaky
from tests.conftest import require_torch

beta = sp.Symbol("beta")
t = sp.Symbol("t", integer=True, positive=True)

# float64 state after at most ~60 multiply-adds of numbers in [0, 1]: the rounding
# error is below 60 * 2**-53 ~ 7e-15, so 1e-12 leaves two orders of margin.
TOL = 1e-12


def _zero(expr: sp.Expr) -> bool:
    return sp.simplify(expr) == 0


# ------------------------------------------------------------ symbolic oracles
def test_effective_weight_symbolic_and_exact() -> None:
    assert _zero(leaky.effective_weight(beta) - 1 / (1 - beta))
    exact = leaky.effective_weight(Fraction(9, 10))
    assert exact == 10 and isinstance(exact, sp.Integer)
    approx = leaky.effective_weight(0.9)
    assert isinstance(approx, float) and approx == pytest.approx(10.0, rel=1e-15)
    assert leaky.effective_weight(0) == 1


def test_weights_sums_and_bias_correction() -> None:
    assert _zero(leaky.ema_weights(beta, 4) - (1 - beta) * beta**4)
    assert _zero(leaky.ema_weight_sum(beta, t) - (1 - beta**t))
    assert leaky.ema_weight_sum(beta, sp.oo) == 1  # claim rmsprop.weights-sum (normalised)
    assert _zero(leaky.bias_correction(beta, t) * leaky.ema_weight_sum(beta, t) - 1)
    assert leaky.ema_weight_sum(sp.Rational(9, 10), 3) == sp.Rational(271, 1000)
    assert leaky.bias_correction(sp.Rational(1, 2), 2) == sp.Rational(4, 3)


def test_unrolled_expansion_matches_weights() -> None:
    # claim rmsprop.expansion / adam.weights-sum: coefficient of g_{t-i} is (1-beta) beta^i
    coeffs = leaky.ema_coefficients(beta, 5)
    for lag, c in enumerate(coeffs):
        assert _zero(c - leaky.ema_weights(beta, lag))
    assert _zero(sum(coeffs) - leaky.ema_weight_sum(beta, 5))
    assert leaky.ema_coefficients(sp.Rational(9, 10), 1) == (sp.Rational(1, 10),)  # adam.example
    assert leaky.ema_coefficients(0.9, 1) == pytest.approx((0.1,), abs=1e-16)


def test_half_life_is_log_ratio_not_reciprocal() -> None:
    assert _zero(leaky.half_life(beta) - sp.log(sp.Rational(1, 2)) / sp.log(beta))
    h = leaky.half_life(0.9)
    assert h == pytest.approx(math.log(0.5) / math.log(0.9), rel=1e-14)
    assert round(h, 2) == 6.58
    # the textbook's "gamma^-1" and Adadelta's "10" are both far off
    assert abs(h - 1 / 0.9) > 5 and abs(h - 10) > 3
    assert float(leaky.half_life(sp.Rational(1, 2))) == pytest.approx(1.0, rel=1e-15)


def test_mean_lag_and_variance() -> None:
    assert _zero(leaky.mean_lag(beta) - beta / (1 - beta))
    assert leaky.mean_lag(Fraction(9, 10)) == 9
    s2 = sp.Symbol("s2", positive=True)
    assert _zero(leaky.average_variance(beta, s2) - s2 * (1 - beta) / (1 + beta))
    finite = leaky.average_variance(beta, s2, t)
    assert _zero(finite - s2 * (1 - beta) * (1 - beta ** (2 * t)) / (1 + beta))
    assert leaky.average_variance(sp.Rational(1, 2), 3) == 1
    assert leaky.average_variance(0.5, 3.0) == pytest.approx(1.0, rel=1e-15)


@pytest.mark.parametrize("bad", [1, 1.0, -0.1, float("nan"), float("inf"), "0.5", True, None])
def test_bad_beta_raises_one_line(bad: object) -> None:
    with pytest.raises(ValueError) as info:
        leaky.effective_weight(bad)
    assert "\n" not in str(info.value) and "beta" in str(info.value)


def test_other_bad_inputs() -> None:
    with pytest.raises(ValueError, match="beta"):
        leaky.half_life(0)
    with pytest.raises(ValueError, match="t must"):
        leaky.ema_weight_sum(0.5, 0)
    with pytest.raises(ValueError, match="t must"):
        leaky.bias_correction(0.5, 1.5)
    with pytest.raises(ValueError, match="i must"):
        leaky.ema_weights(0.5, -1)
    with pytest.raises(ValueError, match="sigma2"):
        leaky.average_variance(0.5, -1)


def test_effective_sample_size() -> None:
    # claim momentum.effective-samples / rmsprop.window speak of 10 for 0.9; the
    # variance-equivalent count (Kish) is (1+beta)/(1-beta) = 19, and 1/(1-beta) = 10 is
    # the total undamped weight.
    assert _zero(leaky.effective_sample_size(beta) - (1 + beta) / (1 - beta))
    assert leaky.effective_sample_size(Fraction(9, 10)) == 19
    assert leaky.effective_sample_size(0.9) == pytest.approx(19.0, rel=1e-15)
    s2 = sp.Symbol("s2", positive=True)
    assert _zero(leaky.effective_sample_size(beta) * leaky.average_variance(beta, s2) - s2)


def test_empirical_variance_witness() -> None:
    # Monte Carlo witness of the stationary variance: 4000 independent averages of
    # 200 N(0,1) inputs (beta^400 ~ 0 so "stationary"); the sample variance has
    # relative standard error sqrt(2/4000) ~ 2.2%, so 10% is a 4.5-sigma bound.
    import numpy as np

    rng = np.random.default_rng(0)
    b = 0.8
    g = rng.standard_normal((4000, 200))
    v = np.zeros(4000)
    for k in range(200):
        v = b * v + (1 - b) * g[:, k]
    assert v.var() == pytest.approx(leaky.average_variance(b, 1.0), rel=0.1)


# ------------------------------------------------------ torch.optim witnesses
def _drive(torch, make_opt, grads):  # type: ignore[no-untyped-def]
    """Feed the scalar gradients ``grads`` to a fresh optimizer; yield its state."""
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = make_opt([p])
    for g in grads:
        p.grad = torch.tensor([g], dtype=torch.float64)
        opt.step()
        yield opt.state[p], p.detach().clone()


@pytest.mark.parametrize("b", [0.5, 0.9, 0.99])
def test_sgd_momentum_buffer_is_undamped_leaky_sum(b: float) -> None:
    torch = require_torch()

    def make(ps):  # type: ignore[no-untyped-def]
        return torch.optim.SGD(ps, lr=0.1, momentum=b, dampening=0, foreach=False)

    steps = 40
    impulse = [1.0] + [0.0] * (steps - 1)
    for k, (state, _) in enumerate(_drive(torch, make, impulse), start=1):
        # buffer after k steps = weight beta^(k-1) = ema weight / (1 - beta)
        expected = leaky.ema_weights(b, k - 1) / (1 - b)
        assert state["momentum_buffer"].item() == pytest.approx(expected, abs=TOL)
    for k, (state, _) in enumerate(_drive(torch, make, [1.0] * steps), start=1):
        expected = leaky.ema_weight_sum(b, k) / (1 - b)
        assert state["momentum_buffer"].item() == pytest.approx(expected, abs=TOL)
    # claim momentum.effective-weight: the buffer tends to 1/(1-beta); the gap after
    # `steps` steps is exactly beta^steps / (1-beta) (the derived tail of the sum).
    gap = leaky.effective_weight(b) - state["momentum_buffer"].item()
    assert gap == pytest.approx(b**steps / (1 - b), abs=TOL)


@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.99])
def test_rmsprop_square_avg_weights(gamma: float) -> None:
    torch = require_torch()

    def make(ps):  # type: ignore[no-untyped-def]
        return torch.optim.RMSprop(ps, lr=0.01, alpha=gamma, foreach=False)

    steps = 30
    for k, (state, _) in enumerate(_drive(torch, make, [1.0] + [0.0] * (steps - 1)), start=1):
        assert state["square_avg"].item() == pytest.approx(leaky.ema_weights(gamma, k - 1), abs=TOL)
    for k, (state, _) in enumerate(_drive(torch, make, [1.0] * steps), start=1):
        assert state["square_avg"].item() == pytest.approx(leaky.ema_weight_sum(gamma, k), abs=TOL)


def test_rmsprop_square_avg_matches_unrolled_expansion() -> None:
    torch = require_torch()
    import numpy as np

    gamma, steps = 0.9, 12
    grads = np.random.default_rng(1).standard_normal(steps).tolist()

    def make(ps):  # type: ignore[no-untyped-def]
        return torch.optim.RMSprop(ps, lr=0.01, alpha=gamma, foreach=False)

    *_, (state, _) = _drive(torch, make, grads)
    coeffs = leaky.ema_coefficients(gamma, steps)  # lag 0 first
    predicted = sum(c * g**2 for c, g in zip(coeffs, reversed(grads), strict=True))
    assert state["square_avg"].item() == pytest.approx(predicted, abs=TOL)


@pytest.mark.parametrize(("b1", "b2"), [(0.9, 0.999), (0.5, 0.8)])
def test_adam_moments_and_bias_correction(b1: float, b2: float) -> None:
    torch = require_torch()
    lr, eps = 0.01, 1e-8

    def make(ps):  # type: ignore[no-untyped-def]
        return torch.optim.Adam(ps, lr=lr, betas=(b1, b2), eps=eps, foreach=False)

    steps = 25
    for k, (state, _) in enumerate(_drive(torch, make, [1.0] + [0.0] * (steps - 1)), start=1):
        assert state["exp_avg"].item() == pytest.approx(leaky.ema_weights(b1, k - 1), abs=TOL)
        assert state["exp_avg_sq"].item() == pytest.approx(leaky.ema_weights(b2, k - 1), abs=TOL)
    prev = 0.0
    for k, (state, p) in enumerate(_drive(torch, make, [1.0] * steps), start=1):
        assert state["exp_avg"].item() == pytest.approx(leaky.ema_weight_sum(b1, k), abs=TOL)
        assert state["exp_avg_sq"].item() == pytest.approx(leaky.ema_weight_sum(b2, k), abs=TOL)
        # claim adam.bias-correction: the corrected moments of a constant 1 are 1,
        # so every step moves p by exactly lr / (1 + eps).
        m_hat = state["exp_avg"].item() * leaky.bias_correction(b1, k)
        v_hat = state["exp_avg_sq"].item() * leaky.bias_correction(b2, k)
        assert m_hat == pytest.approx(1.0, abs=TOL) and v_hat == pytest.approx(1.0, abs=TOL)
        assert prev - p.item() == pytest.approx(lr / (1 + eps), abs=TOL)
        prev = p.item()


def test_adam_first_moment_example() -> None:
    # claim adam.example: beta1 = 0.9 gives v_1 = 0.1 g_1 (torch with g_1 = 3)
    torch = require_torch()

    def make(ps):  # type: ignore[no-untyped-def]
        return torch.optim.Adam(ps, lr=0.01, betas=(0.9, 0.999), foreach=False)

    ((state, _),) = list(_drive(torch, make, [3.0]))
    (c1,) = leaky.ema_coefficients(0.9, 1)
    assert state["exp_avg"].item() == pytest.approx(c1 * 3.0, abs=TOL)


@pytest.mark.parametrize("gamma", [0.9, 0.5 ** (1 / 5)])
def test_half_life_against_torch_impulse_response(gamma: float) -> None:
    # The impulse response of torch's RMSprop square_avg halves between the lags
    # floor(h) and ceil(h) where h = half_life(gamma); for gamma = 2^(-1/5), h = 5
    # exactly and the ratio is 1/2 up to float64 rounding.
    torch = require_torch()

    def make(ps):  # type: ignore[no-untyped-def]
        return torch.optim.RMSprop(ps, lr=0.01, alpha=gamma, foreach=False)

    h = leaky.half_life(gamma)
    lags = int(math.ceil(h)) + 1
    resp = [s["square_avg"].item() for s, _ in _drive(torch, make, [1.0] + [0.0] * lags)]
    ratios = [r / resp[0] for r in resp]
    if abs(h - round(h)) < 1e-9:
        assert ratios[round(h)] == pytest.approx(0.5, abs=TOL)
    else:
        assert ratios[math.floor(h)] > 0.5 > ratios[math.ceil(h)]


def test_float_input_is_evaluated_in_floating_point_quickly() -> None:
    import time

    import numpy as np

    from optheory.symbolic.leaky import bias_correction as bc
    from optheory.symbolic.leaky import ema_weight_sum as ws

    start = time.perf_counter()
    value = bc(0.999, 10**6)
    total = ws(0.999, 10**6)
    # exact rationals took 65 s + 90 s here; the float path about 1 s on a cold, loaded core
    assert time.perf_counter() - start < 30
    assert isinstance(value, float) and isinstance(total, float)
    assert abs(value - 1 / (1 - 0.999**1e6)) <= 1e-12
    # numpy floats of any width are floats too (the decimal float(x) prints as)
    for cast in (np.float32, np.float64):
        w = leaky.effective_weight(cast(0.9))
        h = leaky.half_life(cast(0.9))
        assert isinstance(w, float) and isinstance(h, float)
        beta = float(cast(0.9))
        assert w == pytest.approx(1 / (1 - beta), rel=1e-12)
        assert h == pytest.approx(math.log(0.5) / math.log(beta), rel=1e-12)
    assert bc(0.9, np.int64(10)) == pytest.approx(1 / (1 - 0.9**10), rel=1e-12)
