r"""Worst cases side by side: exact on quadratics, PEPit over :math:`F(\mu, L)`.

:func:`compare_rates` puts, for each horizon N and the *same* iterates and
performance measure (the distance ratio
:math:`\|x_N - x_\star\|^2 / \|x_0 - x_\star\|^2` from the method's initial state,
:func:`optheory.symbolic.linear.initial_state`):

- the exact worst case over the quadratics with spectrum in :math:`[\mu, L]`
  (:mod:`optheory.pep.quadratic`, no SDP) and the asymptotic rate (spectral radius);
- PEPit's worst case over the smooth strongly convex functions :math:`F(\mu, L)`
  (:mod:`optheory.pep.pepit_problem`);
- PEPit's worst case over its class of quadratic functions, a check of the solver;
- a verdict in words computed from these numbers.

Guards, computed every time
---------------------------
Quadratics are in :math:`F(\mu, L)`, so PEPit's value on :math:`F` must be at
least the exact quadratic value, and its value on the quadratic class must
equal it, both up to the solver's accuracy :data:`ACCURACY` (relative to
:math:`\max(1, \text{exact})`: the SDP is normalised by
:math:`\|x_0 - x_\star\| \le 1`).  When CLARABEL's value fails a guard, SCS is
tried; when a value still fails, it is reported as "solver inaccurate" with
both numbers and not used (``None``), never silently.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from optheory.pep.pepit_problem import PepValue, check_problem, pepit_worst_case
from optheory.pep.quadratic import asymptotic_rate, quadratic_worst_case
from optheory.symbolic._exact import to_exact

__all__ = [
    "ACCURACY",
    "DEFAULT_STEPS",
    "Horizon",
    "RateComparison",
    "accuracy_text",
    "certificate_text",
    "certified_rate",
    "compare_rates",
    "solver_accuracy",
    "step_factor",
    "value_accuracy",
    "verdict",
]

#: horizons compared when none are given
DEFAULT_STEPS: tuple[int, ...] = (5, 10, 20)
#: (solver, status) -> accuracy relative to max(1, exact value): CLARABEL reaches about
#: 1e-9 at status "optimal"; SCS (and CLARABEL at "optimal_inaccurate") about 1e-5,
#: measured here within 7e-6 on the heavy-ball and gradient-descent problems
ACCURACY: dict[tuple[str, str], float] = {
    ("CLARABEL", "optimal"): 1e-6,
    ("CLARABEL", "optimal_inaccurate"): 5e-5,
    ("SCS", "optimal"): 5e-5,
    ("SCS", "optimal_inaccurate"): 5e-5,
}
#: the loosest solver accuracy, for values whose solve status is not recorded
LOOSEST_ACCURACY = max(ACCURACY.values())


def solver_accuracy(solver: str, status: str) -> float:
    """Relative accuracy of a value solved by ``solver`` ending with ``status`` (:data:`ACCURACY`;
    :data:`LOOSEST_ACCURACY` for a pair not listed)."""
    return ACCURACY.get((solver, status), LOOSEST_ACCURACY)


@dataclass(frozen=True)
class Horizon:
    """One horizon of :func:`compare_rates`.

    Attributes
    ----------
    N : int
    quadratic : float
        Exact worst case over the quadratics with spectrum in [mu, L].
    worst_case : float or None
        PEPit's worst case over F(mu, L); ``None`` when it failed its guard.
    quadratic_class : float or None
        PEPit's worst case over its quadratic class; ``None`` when it failed its guard.
    solver, status : str
        Of the F(mu, L) solve; ``status`` is ``"optimal"`` or ``"optimal_inaccurate"``
        (cvxpy's words) or starts with ``"solver inaccurate"`` and gives both numbers.
    seconds : float
        Wall time of the PEPit solves of this horizon (both classes, retries included).
    problems : tuple of str
        Every guard violation, with both numbers (empty when all passed).
    """

    N: int
    quadratic: float
    worst_case: float | None
    quadratic_class: float | None
    solver: str
    status: str
    seconds: float
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class RateComparison:
    """What :func:`compare_rates` returns; :meth:`to_json` gives the CLI's JSON."""

    method: str
    mu: float
    L: float
    params: dict[str, float]
    rate_quadratic: float
    certificate: float | None
    horizons: tuple[Horizon, ...]
    verdict: str

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types: ``method, mu, L, params, rate_quadratic, certificate, horizons, verdict``."""
        data = asdict(self)
        data["horizons"] = [{**asdict(h), "problems": list(h.problems)} for h in self.horizons]
        return data


def certified_rate(method: str, mu: float, L: float, params: Mapping[str, float]) -> float | None:
    """The IQC rate certificate over F(mu, L) (:func:`optheory.pep.iqc.iqc_rate`), or ``None``.

    ``None`` means that no rate below 1 is certified by the Lessard-Recht-Packard LMI
    (not that the method diverges).
    """
    from optheory.pep.iqc import iqc_rate

    return iqc_rate(method, mu, L, dict(params)).rate


def certificate_text(rate: float | None, mu: float, L: float) -> str:
    """The certificate in words; the rate is rounded *up* to 3 digits (it is an upper bound)."""
    cls = f"F({_fmt(mu)}, {_fmt(L)})"
    if rate is None:
        return f"no IQC certificate of a rate below 1 on {cls}"
    scale = 10 ** (math.floor(math.log10(rate)) - 2) if rate > 0 else 1.0
    bound = math.ceil(rate / scale - 1e-9) * scale
    return f"IQC certificate: distance contracts at least at rate {bound:.3g} on every function of {cls}"


def _tolerance(value: PepValue, exact: float) -> float:
    return solver_accuracy(value.solver, value.status) * max(1.0, abs(exact))


def _check(value: PepValue, exact: float) -> str | None:
    """The violated guard in words, or ``None``."""
    tol = _tolerance(value, exact)
    if value.function_class == "quadratic":
        if abs(value.value - exact) > tol:
            return (
                f"solver inaccurate: PEPit's quadratic class gives {value.value:.3g} "
                f"({value.solver}), the exact quadratic worst case is {exact:.3g}"
            )
        return None
    if value.value < exact - tol:
        return (
            f"solver inaccurate: PEPit's worst case over F(mu, L) {value.value:.3g} "
            f"({value.solver}) is below the exact quadratic worst case {exact:.3g}"
        )
    return None


def _guarded(
    method: str,
    mu: float,
    L: float,
    steps: int,
    params: Mapping[str, float],
    function_class: str,
    exact: float,
    solver: str | None,
) -> tuple[PepValue, str | None, float]:
    first = pepit_worst_case(
        method, mu, L, steps, params, function_class=function_class, solver=solver
    )
    seconds = first.seconds
    problem = _check(first, exact)
    if problem is None or solver is not None or first.solver == "SCS":
        return first, problem, seconds
    second = pepit_worst_case(
        method, mu, L, steps, params, function_class=function_class, solver="SCS"
    )
    seconds += second.seconds
    again = _check(second, exact)
    if again is None:
        return second, None, seconds
    return first, f"{problem}; SCS: {second.value:.3g}", seconds


def _fmt(value: float) -> str:
    return f"{value:.3g}"


#: relative accuracy of the exact quadratic values (60-digit arithmetic, rounded once to float)
EXACT_ACCURACY = 1e-12
def accuracy_text(value: float, rel: float, digits: int = 3) -> str:
    """``value`` with at most ``digits`` significant digits that its accuracy cannot change.

    Every number within ``value * (1 +- rel)`` prints the same at the returned
    precision, so a solver (or CPU) difference inside the accuracy leaves the text alone.
    """
    lo, hi = value * (1 - rel), value * (1 + rel)
    for d in range(digits, 0, -1):
        text = f"{lo:.{d}g}"
        if text == f"{hi:.{d}g}":
            return text
    return f"{value:.1g}"


def value_accuracy(h: Horizon, field: str) -> float:
    """Relative accuracy of ``h.quadratic``, ``h.worst_case`` or ``h.quadratic_class``."""
    if field == "quadratic":
        return EXACT_ACCURACY
    value = getattr(h, field)
    acc = solver_accuracy(h.solver, h.status) if field == "worst_case" else LOOSEST_ACCURACY
    # the SDP's error scales with its largest entries: at least the value itself
    return acc * max(1.0, h.quadratic, abs(value)) / abs(value) if value else math.inf


def step_factor(first: Horizon, last: Horizon, field: str) -> tuple[float, float] | None:
    r"""Per-step factor of the distance :math:`q = (w_{N_2}/w_{N_1})^{1/(2(N_2 - N_1))}`.

    Returns ``(q, rel)`` with the relative accuracy ``rel`` of ``q`` that follows
    from the accuracies of the two values, or ``None`` when a value is missing or 0.
    """
    a, b = getattr(first, field), getattr(last, field)
    if a is None or b is None or a <= 0 or b <= 0 or last.N <= first.N:
        return None
    power = 1.0 / (2 * (last.N - first.N))
    rel = (value_accuracy(first, field) + value_accuracy(last, field)) * power
    return float((b / a) ** power), rel


def verdict(method: str, mu: float, L: float, rate: float, horizons: Iterable[Horizon]) -> str:
    r"""The verdict in words, computed from the guarded numbers.

    The per-step factor of the distance between the two largest horizons
    :math:`N_1 < N_2` with a trusted value is
    :math:`q = (w_{N_2} / w_{N_1})^{1 / (2 (N_2 - N_1))}`.  ``q >= 1``: the worst case
    grows; otherwise it contracts by ``q``, compared with the quadratic rate.
    """
    cls = f"F({_fmt(mu)}, {_fmt(L)})"
    trusted = [(h.N, h.worst_case, h) for h in horizons if h.worst_case is not None]
    if not trusted:
        return f"no verdict: the solver was inaccurate at every horizon on {cls}"
    trusted.sort(key=lambda t: t[0])
    last_n, last_w, last = trusted[-1]
    # equal within the accuracy of the solve that gave each value (the SDP's error is
    # absolute, of the order of its largest entries: at least 1 after ||x_0 - x*|| <= 1)
    same = all(
        abs(w - h.quadratic)
        <= solver_accuracy(h.solver, h.status) * max(1.0, h.quadratic, abs(w))
        for _, w, h in trusted
    )
    if len(trusted) == 1:
        shown = accuracy_text(last_w, value_accuracy(last, "worst_case"))
        if last_w >= 1:
            return (
                f"worst case after {last_n} steps is {shown} (>= 1): "
                f"no contraction guaranteed on {cls}"
            )
        return f"worst case after {last_n} steps is {shown} on {cls} (quadratics: {_fmt(last.quadratic)})"
    first_n, first_w, first = trusted[-2]
    factor = step_factor(first, last, "worst_case")
    if factor is None:
        return f"worst case reaches 0 on {cls}: the method is exact at this horizon"
    q, q_rel = factor
    q_text = accuracy_text(q, q_rel)
    span = f"between N = {first_n} and N = {last_n}"
    if q >= 1:
        return (
            f"worst case grows by a factor {q_text} per step {span}, while on quadratics it "
            f"contracts at rate {_fmt(rate)}: no contraction on {cls} up to N = {last_n} "
            "at these parameters"
        )
    if same:
        return (
            f"worst case on {cls} equals the quadratic one at every horizon (within solver "
            f"accuracy): it contracts by a factor {q_text} per step {span} "
            f"(spectral radius {_fmt(rate)})"
        )
    return (
        f"worst case on {cls} contracts by a factor {q_text} per step {span}, "
        f"slower than on quadratics (spectral radius {_fmt(rate)})"
    )


def _steps(steps: Any) -> tuple[int, ...]:
    if isinstance(steps, int | str) or not isinstance(steps, Iterable):
        raise ValueError(f"steps must be a sequence of horizons such as (5, 10, 20), got {steps!r}")
    values = tuple(steps)
    if not values:
        raise ValueError("steps must name at least one horizon")
    return values


def compare_rates(
    method: str,
    mu: Any,
    L: Any,
    steps: Iterable[int] = DEFAULT_STEPS,
    params: Mapping[str, Any] | None = None,
    *,
    solver: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RateComparison:
    r"""Exact quadratic worst case, PEPit's worst case over F(mu, L) and its quadratic class.

    Parameters
    ----------
    method : str
        ``"gd"``, ``"momentum"`` (textbook heavy ball), ``"polyak"`` or ``"nesterov"``.
    mu, L : float
        The class :math:`F(\mu, L)`, ``0 < mu < L``.
    steps : iterable of int
        Horizons N, each in ``[1, MAX_STEPS]`` (:data:`optheory.pep.pepit_problem.MAX_STEPS`).
    params : mapping, optional
        ``{"eta": ..., "beta": ...}``; default: the method's derived minimax tuning on
        [mu, L] (:func:`optheory.symbolic.tuning.optimal_parameters`).
    solver : str, optional
        Force ``"CLARABEL"`` or ``"SCS"`` (default: CLARABEL, SCS as fallback).
    progress : callable, optional
        Called as ``progress(done, total)`` after each horizon.

    Returns
    -------
    RateComparison
        ``horizons`` sorted by N; ``rate_quadratic`` is the derived minimax rate for the
        default tuning, else :func:`optheory.pep.quadratic.asymptotic_rate`;
        ``certificate`` is the IQC-certified rate over F(mu, L), or ``None`` when none
        below 1 is certified (:func:`certified_rate`); the verdict says which.

    Raises
    ------
    ValueError
        One line naming the bad parameter (checked for every horizon before any solve).
    optheory._extras.MissingExtraError
        The ``pep`` extra is not installed.
    """
    horizons_in = _steps(steps)
    if params is None:
        from optheory.symbolic.tuning import optimal_parameters

        check_problem(method, mu, L, 1, {"eta": 1.0, "beta": 0.0})
        tuning = optimal_parameters(method, to_exact(mu, "mu"), to_exact(L, "L"))
        exact_params: dict[str, Any] = {"eta": tuning["eta"], "beta": tuning["beta"]}
        derived_rate: float | None = float(tuning["rate"])
    else:
        # beta left out means no momentum
        check_problem(method, mu, L, 1, {"beta": 0, **params} if isinstance(params, Mapping) else params)
        exact_params = {"eta": params.get("eta"), "beta": params.get("beta", 0)}
        exact_params = {k: to_exact(v, k) for k, v in exact_params.items()}
        derived_rate = None
    float_params = {k: float(v) for k, v in exact_params.items()}
    numbers = sorted({check_problem(method, mu, L, n, float_params)[2] for n in horizons_in})
    m, big = float(mu), float(L)
    # the derived minimax rate when the tuning is the derived one, else the sampled maximum
    rate = (
        derived_rate if derived_rate is not None else asymptotic_rate(method, m, big, float_params)
    )
    if rate >= 1:
        raise ValueError(
            f"eta={float_params['eta']:.6g}, beta={float_params['beta']:.6g} lie outside the "
            f"region where {method} converges on quadratics with curvatures in [{m:g}, {big:g}] "
            f"(spectral radius {rate:.4g} >= 1): lower eta or |beta|"
        )
    rows: list[Horizon] = []
    for n in numbers:
        exact = quadratic_worst_case(method, mu, L, n, exact_params).value
        f_val, f_problem, f_sec = _guarded(
            method, m, big, n, float_params, "smooth_strongly_convex", exact, solver
        )
        q_val, q_problem, q_sec = _guarded(
            method, m, big, n, float_params, "quadratic", exact, solver
        )
        problems = tuple(p for p in (f_problem, q_problem) if p is not None)
        rows.append(
            Horizon(
                N=n,
                quadratic=exact,
                worst_case=None if f_problem else f_val.value,
                quadratic_class=None if q_problem else q_val.value,
                solver=f_val.solver,
                status=f_problem or f_val.status,
                seconds=f_sec + q_sec,
                problems=problems,
            )
        )
        if progress is not None:
            progress(len(rows), len(numbers))
    certificate = certified_rate(method, m, big, float_params)
    return RateComparison(
        method=method,
        mu=m,
        L=big,
        params=float_params,
        rate_quadratic=rate,
        certificate=certificate,
        horizons=tuple(rows),
        verdict=f"{verdict(method, m, big, rate, rows)}; {certificate_text(certificate, m, big)}",
    )
