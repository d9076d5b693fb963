"""``optheory tune``: minimax step size and momentum for curvatures in [mu, L], side by side."""

from __future__ import annotations

import argparse
from typing import Any

from optheory.cli._common import add_json_flag, emit, exact_value, parse_exact, show_exact

EXAMPLE = """examples:
  optheory tune gd momentum nesterov --mu 1 --L 100
  optheory tune polyak ema --mu 1/10 --L 4 --eps 1e-9 --json

For each METHOD sympy solves for the step size (and momentum) that minimise
the worst spectral radius over every curvature in [mu, L] (optheory.symbolic.
tuning).  Values are exact where mu and L are (0.1 is read as 1/10) and also
printed as decimals.  'steps' is the smallest t with rate**t <= eps, the
error factor guaranteed after t steps on every eigen-direction up to the
transient constant; 'speed-up' is log(rate)/log(rate_gd): steps of gradient
descent per step of METHOD (asymptotically).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    from optheory.methods import methods_with

    parser = subparsers.add_parser(
        "tune",
        help="optimal step size / momentum and rate on [mu, L], compared with gd",
        description="Derive the minimax-optimal hyperparameters and worst-case rate of each "
        "METHOD for curvatures in [mu, L]; steps to reach eps and speed-up over gradient descent.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("methods", nargs="+", metavar="METHOD", help=", ".join(methods_with("tune")))
    parser.add_argument("--mu", required=True, metavar="X", help="smallest curvature, > 0")
    parser.add_argument("--L", required=True, metavar="X", help="largest curvature, >= mu")
    parser.add_argument("--eps", default="1e-6", metavar="X",
                        help="target error factor in (0, 1) for the step count (default 1e-6)")
    add_json_flag(parser)
    parser.set_defaults(handler=handle)


def steps_to_reach(rate: Any, eps: Any, nilpotent_after: int) -> int:
    """Smallest t >= 1 with rate**t <= eps (``nilpotent_after`` when the rate is 0)."""
    import sympy as sp

    if rate == 0:
        return nilpotent_after
    ratio = sp.log(eps) / sp.log(rate)
    return max(1, int(sp.ceiling(ratio.evalf(50))))


def _nilpotency(method: str, values: dict[str, Any], lam: Any) -> int:
    """Smallest k with R**k = 0 at the tuned point (a rate of 0 means R is nilpotent)."""
    import sympy as sp

    from optheory.symbolic.linear import BETA, ETA, LAM, iteration_matrix, method_update

    R = iteration_matrix(*method_update(method)).subs({ETA: values["eta"], BETA: values["beta"],
                                                      LAM: lam})
    power = R
    for k in range(1, R.rows + 1):
        if power.applyfunc(sp.simplify).is_zero_matrix:
            return k
        power = power * R
    return R.rows  # pragma: no cover - a zero spectral radius makes R nilpotent


def handle(args: argparse.Namespace) -> int:
    import sympy as sp

    from optheory.methods import check_method
    from optheory.symbolic.tuning import optimal_parameters

    methods = list(dict.fromkeys(args.methods))
    for m in methods:
        check_method(m, "tune", what="METHOD")
    mu = parse_exact(args.mu, "--mu")
    L = parse_exact(args.L, "--L")
    eps = parse_exact(args.eps, "--eps")
    if mu <= 0:
        raise ValueError(f"--mu must be > 0, got {args.mu}")
    if L < mu:
        raise ValueError(f"--L must be >= --mu, got --mu {args.mu} --L {args.L}")
    if not 0 < eps < 1:
        raise ValueError(f"--eps must lie in (0, 1), got {args.eps}")
    m_exact, L_exact = mu, L
    tuned: dict[str, dict[str, Any]] = {}
    for m in dict.fromkeys(["gd", *methods]):
        try:
            values = optimal_parameters(m, m_exact, L_exact)
        except ValueError as exc:  # the API's names, in the command line's words
            raise ValueError(str(exc).replace("lam_min", "--mu").replace("lam_max", "--L")) from None
        steps = steps_to_reach(values["rate"], eps, _nilpotency(m, values, m_exact)
                               if values["rate"] == 0 else 0)
        tuned[m] = {**values, "steps": steps}
    gd_rate = tuned["gd"]["rate"]
    rows, lines = [], [f"minimax tuning for every curvature in [{mu}, {L}] (rate = worst spectral "
                       f"radius, reached at both ends); steps to reach eps = {args.eps}:"]
    for m in methods:
        t = tuned[m]
        speedup = (None if gd_rate == 0 or t["rate"] == 0
                   else float((sp.log(t["rate"]) / sp.log(gd_rate)).evalf(30)))
        rows.append({
            "method": m,
            "eta": exact_value(t["eta"]), "beta": exact_value(t["beta"]),
            "rate": exact_value(t["rate"]), "steps": t["steps"],
            "speedup_over_gd": speedup,
            "steps_gd": tuned["gd"]["steps"],
        })
        faster = "n/a (a rate of 0)" if speedup is None else f"{speedup:.3g}x gd"
        lines.append(
            f"{m:9s} eta = {show_exact(t['eta'])}, beta = {show_exact(t['beta'])}, "
            f"rate = {show_exact(t['rate'])}; {t['steps']} steps; speed-up {faster}"
        )
    payload = {"mu": exact_value(mu), "L": exact_value(L), "eps": exact_value(eps), "methods": rows}
    emit(payload, args.json, "\n".join(lines))
    return 0
