r"""Input checks shared by the worst-case tools: the class, the parameters, the horizon."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optheory._checks import check_finite, check_positive, check_positive_int, shown
from optheory.methods import check_method

__all__ = [
    "MAX_STEPS",
    "PEPIT_METHODS",
    "PEP_METHODS",
    "check_class",
    "check_eta_beta_names",
    "check_params",
    "check_problem",
    "check_steps",
    "method_params",
]

#: linear methods with a quadratic-optimal tuning and a closed-form rate
PEP_METHODS: tuple[str, ...] = ("gd", "momentum", "nesterov", "polyak", "ema")
#: the methods of :func:`optheory.pep.compare.compare_rates` and its PEPit route
#: (issue 13 names these four; ``ema`` is a map and certificate method only)
PEPIT_METHODS: tuple[str, ...] = ("gd", "momentum", "polyak", "nesterov")

#: Largest horizon N of one worst-case SDP.  Its Gram matrix has (N + 2)^2
#: entries and it has (N + 1) N interpolation constraints, so one cell costs
#: O(N^4) to set up; and a convergent method's worst case decays like rho^(2N),
#: which at N = 30 is already below the solvers' relative accuracy (about 1e-9
#: for CLARABEL) for rates rho < 0.7, where the value would be solver noise.
MAX_STEPS = 30


def check_class(mu: Any, L: Any) -> tuple[float, float]:
    """Return ``(mu, L)`` as floats; one-line ValueError unless ``0 < mu < L``, both finite."""
    mu_f = check_positive("mu", mu)
    L_f = check_finite("L", L)
    if not L_f > mu_f:
        raise ValueError(f"L must be > mu (an L-smooth mu-strongly convex class), got mu={shown(mu)}, L={shown(L)}")
    return mu_f, L_f


def check_steps(steps: Any, name: str = "steps") -> int:
    """Return the horizon N; ValueError unless an integer in [1, :data:`MAX_STEPS`]."""
    try:
        n = check_positive_int(name, steps)
    except ValueError as exc:
        raise ValueError(f"{exc}; give a horizon N >= 1") from None
    if n > MAX_STEPS:
        raise ValueError(
            f"{name} must be <= {MAX_STEPS}: the SDP grows like N^4 and its worst case "
            f"(about rate^(2N)) falls below the solvers' accuracy; got {shown(steps)}"
        )
    return n


def check_eta_beta_names(name: str, value: Any, example: str) -> None:
    """ValueError unless ``value`` is a mapping with ``eta`` and no names but eta and beta."""
    if not isinstance(value, Mapping) or "eta" not in value:
        raise ValueError(f"{name} must be a mapping with eta (and beta); e.g. {example}")
    unknown = set(value) - {"eta", "beta"}
    if unknown:
        raise ValueError(f"{name} has unknown names {sorted(unknown)}; give eta and beta only")


def check_params(method: str, params: Any) -> tuple[float, float]:
    """Validated ``(eta, beta)`` from ``params``: eta finite > 0, beta finite in [0, 1) (0 for gd)."""
    check_eta_beta_names("params", params, "{'eta': 0.1, 'beta': 0.5}")
    eta = check_positive("eta", params["eta"])
    if method == "gd":
        beta = check_finite("beta", params.get("beta", 0.0))
        if beta != 0.0:
            raise ValueError(f"beta must be 0 for gd (it has no momentum), got {shown(params['beta'])}")
        return eta, 0.0
    if "beta" not in params:
        raise ValueError(f"params must give beta for {method}")
    beta = check_finite("beta", params["beta"])
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must lie in [0, 1) for {method}, got {shown(params['beta'])}")
    return eta, beta


def _check_method(method: str, methods: tuple[str, ...]) -> None:
    check_method(method, "linear", "tune", among=methods)


def method_params(
    method: str, mu: float, L: float, params: Mapping[str, Any] | None
) -> tuple[float, float]:
    r"""Validated ``(eta, beta)``; the derived quadratic-optimal tuning when ``params`` is None.

    ``eta`` must be finite and > 0; ``beta`` finite in [0, 1) (0 for gd).

    Raises
    ------
    ValueError
        Unknown method, a method without a linear update, missing or bad values.
    """
    _check_method(method, PEP_METHODS)
    if params is None:
        from optheory.symbolic.tuning import optimal_parameters

        tuned = optimal_parameters(method, mu, L)
        return float(tuned["eta"]), float(tuned["beta"])
    return check_params(method, params)


def check_problem(
    method: str, mu: Any, L: Any, steps: Any, params: Mapping[str, Any],
    methods: tuple[str, ...] = PEPIT_METHODS,
) -> tuple[float, float, int, float, float]:
    """Validate a worst-case problem; return floats ``(mu, L, N, eta, beta)``.

    Raises
    ------
    ValueError
        One line naming the parameter: a method not in ``methods``, ``mu <= 0``,
        ``L <= mu``, non-finite values, ``eta <= 0``, ``beta`` outside [0, 1)
        (not 0 for gd), ``N`` not an integer in ``[1, MAX_STEPS]``.
    """
    _check_method(method, methods)
    mu_f, L_f = check_class(mu, L)
    n = check_steps(steps)
    eta, beta = check_params(method, params)
    return mu_f, L_f, n, eta, beta
