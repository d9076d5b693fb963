"""Deliberately broken optimizers: plausible implementation bugs, swapped into the registry.

Each break wraps the real ``update`` of one method (both conventions) so that
it computes what a typical wrong implementation would: a constant factor off, a
convention mixed up, a factor or a square root dropped, a bias correction
forgotten.  :func:`broken` installs one for the duration of a ``with`` block; a
claim whose witness runs that method must then notice (its check raises: the
witness disagrees with the derivation, verdict "error") or change its measured
verdict.  Used by ``test_witness_margins.py``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from optheory.numeric import optimizers
from optheory.numeric.optimizers._ops import sqrt
from optheory.numeric.optimizers.adadelta import AdadeltaState
from optheory.numeric.optimizers.adam import AdamState

Update = Callable[[Any, Any, Any, Any], tuple[Any, Any]]


def _gd_step_too_long(update: Update) -> Update:
    """x <- x + 1.1 (x' - x): the step 10% too long (a wrong constant)."""

    def step(g: Any, st: Any, x: Any, h: Any) -> tuple[Any, Any]:
        xn, s = update(g, st, x, h)
        return x + 1.1 * (xn - x), s

    return step


def _momentum_ema(update: Update) -> Update:
    """v <- beta v + (1 - beta) g: the EMA convention where heavy ball is meant."""

    def step(g: Any, st: Any, x: Any, h: Any) -> tuple[Any, Any]:
        return update((1 - h["beta"]) * g, st, x, h)

    return step


def _rmsprop_no_leak_weight(update: Update) -> Update:
    """s <- gamma s + g^2: the factor (1 - gamma) dropped from the average."""

    def step(g: Any, st: Any, x: Any, h: Any) -> tuple[Any, Any]:
        c = np.sqrt(1 - h["gamma"])
        xn, s = update(g / c, st, x, h)  # s sees g^2 / (1 - gamma) ...
        return x + c * (xn - x), s  # ... while the step uses g itself

    return step


def _rmsprop_swapped_weights(update: Update) -> Update:
    """s <- (1 - gamma) s + gamma g^2: the two weights of the average swapped."""

    def step(g: Any, st: Any, x: Any, h: Any) -> tuple[Any, Any]:
        return update(g, st, x, {**h, "gamma": 1 - h["gamma"]})

    return step


def _adagrad_no_root(update: Update) -> Update:
    """x <- x - eta g / (s + eps): the square root dropped."""

    def step(g: Any, st: Any, x: Any, h: Any) -> tuple[Any, Any]:
        xn, s = update(g, st, x, h)
        return x + (xn - x) / sqrt(s.s + h["eps"]), s

    return step


def _adam_no_bias_correction(update: Update) -> Update:
    """x <- x - eta m / (sqrt(v) + eps): the bias corrections forgotten."""

    def step(g: Any, st: Any, x: Any, h: Any) -> tuple[Any, Any]:
        _, s = update(g, st, x, h)
        return x - h["eta"] * s.m / (sqrt(s.v) + h["eps"]), s

    return step


def _adam_undamped_first_moment(update: Update) -> Update:
    """m <- beta1 m + g: the first moment as a heavy-ball sum, without (1 - beta1)."""

    def step(g: Any, st: Any, x: Any, h: Any) -> tuple[Any, Any]:
        b1, b2, t = h["beta1"], h["beta2"], st.step + 1
        m = b1 * st.m + g
        v = b2 * st.v + (1 - b2) * (g * g)
        x = x - h["eta"] * (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + h["eps"])
        return x, AdamState(t, m, v, st.vmax)

    return step


def _adadelta_swapped_weights(update: Update) -> Update:
    """s <- (1 - rho) s + rho g^2: the two weights of the average swapped."""

    def step(g: Any, st: Any, x: Any, h: Any) -> tuple[Any, Any]:
        rho, eps, eta = h["rho"], h["eps"], h.get("eta", 1.0)
        s = (1 - rho) * st.s + rho * (g * g)
        dx = sqrt(st.delta + eps) / sqrt(s + eps) * g
        delta = rho * st.delta + (1 - rho) * dx * dx
        return x - eta * dx, AdadeltaState(st.step + 1, s, delta)

    return step


#: name -> (method, wrapper, the bug in words)
BREAKS: dict[str, tuple[str, Callable[[Update], Update], str]] = {
    "gd-step-1.1": ("gd", _gd_step_too_long, "GD step 10% too long"),
    "momentum-step-1.1": ("momentum", _gd_step_too_long, "momentum step 10% too long"),
    "momentum-ema": ("momentum", _momentum_ema, "momentum in EMA form, v = beta v + (1-beta) g"),
    "rmsprop-no-1-gamma": ("rmsprop", _rmsprop_no_leak_weight, "RMSProp s = gamma s + g^2"),
    "rmsprop-swapped-gamma": ("rmsprop", _rmsprop_swapped_weights,
                              "RMSProp s = (1-gamma) s + gamma g^2"),
    "adagrad-no-root": ("adagrad", _adagrad_no_root, "AdaGrad without the square root"),
    "adam-no-bias-correction": ("adam", _adam_no_bias_correction, "Adam without bias correction"),
    "adam-undamped-m": ("adam", _adam_undamped_first_moment, "Adam m = beta1 m + g"),
    "adadelta-swapped-rho": ("adadelta", _adadelta_swapped_weights,
                             "Adadelta s = (1-rho) s + rho g^2"),
}


@contextlib.contextmanager
def broken(name: str) -> Iterator[str]:
    """Swap the break ``name`` into the optimizer registry (both conventions) for a block.

    The claims' cached AdaGrad runs are bypassed inside the block (the cache
    of the real optimizer's runs is left as it was).
    """
    from optheory.verification.claims import adaptive

    method, wrap, what = BREAKS[name]
    table = optimizers._REGISTRY
    saved = {key: spec for key, spec in table.items() if key[0] == method}
    cached = adaptive._adagrad_runs
    try:
        adaptive._adagrad_runs = cached.__wrapped__  # type: ignore[assignment]
        for key, spec in saved.items():
            table[key] = replace(spec, update=wrap(spec.update))
        yield what
    finally:
        table.update(saved)
        adaptive._adagrad_runs = cached
