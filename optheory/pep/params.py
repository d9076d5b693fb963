r"""Input checks shared by the worst-case tools: the class, the parameters, the horizon."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optheory._checks import check_finite, check_positive, check_positive_int
from optheory.methods import check_method

__all__ = ["MAX_STEPS", "PEP_METHODS", "check_class", "check_steps", "method_params"]

#: linear methods with a quadratic-optimal tuning and a closed-form rate
PEP_METHODS: tuple[str, ...] = ("gd", "momentum", "nesterov", "polyak", "ema")

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
        raise ValueError(f"L must be > mu (an L-smooth mu-strongly convex class), got mu={mu!r}, L={L!r}")
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
            f"(about rate^(2N)) falls below the solvers' accuracy; got {steps!r}"
        )
    return n


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
    check_method(method, "linear", "tune")
    if method not in PEP_METHODS:
        raise ValueError(f"method must be one of {', '.join(PEP_METHODS)}, got {method!r}")
    if params is None:
        from optheory.symbolic.tuning import optimal_parameters

        tuned = optimal_parameters(method, mu, L)
        return float(tuned["eta"]), float(tuned["beta"])
    if not isinstance(params, Mapping) or "eta" not in params:
        raise ValueError("params must be a mapping with eta (and beta); e.g. {'eta': 0.1, 'beta': 0.5}")
    unknown = set(params) - {"eta", "beta"}
    if unknown:
        raise ValueError(f"params has unknown names {sorted(unknown)}; give eta and beta only")
    eta = check_positive("eta", params["eta"])
    if method == "gd":
        beta = check_finite("beta", params.get("beta", 0.0))
        if beta != 0.0:
            raise ValueError(f"beta must be 0 for gd, got {params['beta']!r}")
        return eta, 0.0
    if "beta" not in params:
        raise ValueError(f"params must give beta for {method}")
    beta = check_finite("beta", params["beta"])
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must lie in [0, 1) for {method}, got {params['beta']!r}")
    return eta, beta
