"""The one method registry: every layer accepts the same names, refusals give the reason."""

from __future__ import annotations

import pytest
import sympy as sp

from optheory.methods import REGISTRY, check_method, method_names, methods_with


def test_registry_matches_every_layer() -> None:
    from optheory.analysis.rates import RATE_METHODS
    from optheory.analysis.sweep_maps import CLOSED_FORM_METHODS
    from optheory.numeric.optimizers import METHODS as NUMERIC
    from optheory.numeric.torch_runner import TORCH_CLASSES
    from optheory.symbolic.linear import METHODS as LINEAR
    from optheory.symbolic.tuning import TUNABLE

    assert set(methods_with("run")) == set(NUMERIC)
    assert set(methods_with("torch")) == set(TORCH_CLASSES)
    assert set(methods_with("linear")) == set(LINEAR)
    assert set(RATE_METHODS) == set(CLOSED_FORM_METHODS) == set(methods_with("rate"))
    assert set(TUNABLE) == set(methods_with("tune"))
    assert set(method_names()) == set(NUMERIC) | set(LINEAR)


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        ("spectral_radius", "method 'adam' is not linear on quadratics"),
        ("optimal_parameters", "method 'adam' is not linear on quadratics"),
        ("method_update", "method 'adam' is not linear on quadratics"),
        ("spectral_radius_map", "method 'adam' is not linear on quadratics"),
    ],
)
def test_the_same_refusal_everywhere(call: str, fragment: str) -> None:
    from optheory.analysis.rates import spectral_radius
    from optheory.analysis.sweep_maps import spectral_radius_map
    from optheory.symbolic.linear import method_update
    from optheory.symbolic.tuning import optimal_parameters

    calls = {
        "spectral_radius": lambda: spectral_radius("adam", 0.1, 1.0),
        "optimal_parameters": lambda: optimal_parameters("adam", 1, 2),
        "method_update": lambda: method_update("adam"),
        "spectral_radius_map": lambda: spectral_radius_map("adam", 0.1, 1.0),
    }
    with pytest.raises(ValueError, match=fragment) as info:
        calls[call]()
    message = str(info.value)
    assert "\n" not in message
    assert "accepted here: " + ", ".join(methods_with("rate")) in message or \
        "accepted here: " + ", ".join(methods_with("linear")) in message


def test_polyak_and_ema_everywhere_they_make_sense() -> None:
    from optheory.analysis.rates import spectral_radius
    from optheory.numeric.problems import textbook_2d
    from optheory.numeric.run import run

    # spectral_radius used to refuse polyak (issue 15); it now agrees with momentum,
    # whose characteristic polynomial is the same
    assert float(spectral_radius("polyak", 0.1, 3.0, 0.5)) == pytest.approx(
        float(spectral_radius("momentum", 0.1, 3.0, 0.5)), rel=1e-14)
    with pytest.raises(ValueError, match="method 'polyak' is an update rule of the symbolic"):
        run("polyak", textbook_2d(), [1.0, 1.0], 3, eta=0.1, beta=0.5)


def test_unknown_name_lists_what_is_accepted() -> None:
    with pytest.raises(ValueError, match=r"unknown method 'sgdd'; choose one of: gd, momentum"):
        check_method("sgdd", "run")
    with pytest.raises(ValueError, match="unknown capability"):
        methods_with("fly")
    assert check_method("yogi", "run") == "yogi"
    with pytest.raises(ValueError, match="yogi' has no torch.optim class"):
        check_method("yogi", "torch")


def _iterate(update: dict, state: tuple, start: dict, steps: int) -> list[dict]:
    values = [start]
    for _ in range(steps):
        values.append({s: sp.expand(update[s].subs(values[-1], simultaneous=True)) for s in state})
    return values


def test_the_stated_aliases_hold() -> None:
    """The refusal of run('polyak') / run('ema') names momentum runs with the same x iterates."""
    from optheory.symbolic.linear import BETA, ETA, method_update

    x0 = sp.Symbol("x0", real=True)
    mom, (v, x) = method_update("momentum")
    pol, (px, pprev) = method_update("polyak")
    ema, (ev, ex) = method_update("ema")
    m = _iterate(mom, (v, x), {v: 0, x: x0}, 6)
    p = _iterate(pol, (px, pprev), {px: x0, pprev: x0}, 6)
    e = _iterate(ema, (ev, ex), {ev: 0, ex: x0}, 6)
    for mt, pt, et in zip(m, p, e, strict=True):
        assert sp.expand(mt[x] - pt[px]) == 0
        scaled = mt[x].subs(ETA, ETA * (1 - BETA))  # momentum with step eta (1 - beta)
        assert sp.expand(scaled - et[ex]) == 0
    assert set(REGISTRY["polyak"].capabilities) == {"linear", "rate", "tune"}


def test_a_narrower_caller_lists_only_its_own_methods() -> None:
    from optheory.pep.compare import compare_rates

    # compare_rates takes four of the five linear methods: a refusal lists those four
    for method, reason in (("adam", "is not linear"), ("ema", "is not supported here")):
        with pytest.raises(ValueError) as info:
            compare_rates(method, 1, 10, (5,))
        message = str(info.value)
        assert reason in message and "\n" not in message
        assert message.endswith("accepted here: gd, momentum, nesterov, polyak")
