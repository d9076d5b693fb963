"""``optheory radius``: the worst closed-form rate of a method over an eigenvalue range."""

from __future__ import annotations

import argparse

from optheory.cli._common import add_json_flag, emit, exact_value, parse_exact, show_exact

EXAMPLE = """examples:
  optheory radius momentum --eta 4/121 --beta 81/121 --lam-min 1 --lam-max 100
  optheory radius gd --eta 0.02 --lam-min 1 --lam-max 100 --json

The rate is max over lam in [lam-min, lam-max] of the spectral radius of the
method's iteration matrix, derived in closed form by sympy and maximised
exactly: at the ends, at the kinks (double root, zero centre) and at the
stationary points of each smooth piece (optheory.analysis.interval_rate).
Numbers are read exactly (0.1 is 1/10); the result prints exact and decimal.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    from optheory.methods import methods_with

    parser = subparsers.add_parser(
        "radius",
        help="closed-form worst rate of a method for eigenvalues in [lam-min, lam-max]",
        description="Exact maximum of the spectral radius of METHOD over an eigenvalue range.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("method", metavar="METHOD", help=", ".join(methods_with("rate")))
    parser.add_argument("--eta", required=True, metavar="X", help="step size > 0")
    parser.add_argument("--beta", default="0", metavar="X", help="momentum parameter (default 0)")
    parser.add_argument("--lam-min", required=True, metavar="X", help="smallest eigenvalue")
    parser.add_argument("--lam-max", required=True, metavar="X", help="largest eigenvalue")
    add_json_flag(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from optheory.analysis.interval_rate import interval_rate
    from optheory.methods import check_method

    check_method(args.method, "rate", what="METHOD")
    values = {flag: parse_exact(text, flag) for flag, text in (
        ("--eta", args.eta), ("--beta", args.beta), ("--lam-min", args.lam_min),
        ("--lam-max", args.lam_max))}
    if values["--eta"] <= 0:
        raise ValueError(f"--eta must be > 0, got {args.eta}")
    if args.method == "gd" and values["--beta"] != 0:
        raise ValueError("--beta must be 0 (or left out) for gd: it has no momentum")
    if values["--lam-min"] > values["--lam-max"]:
        raise ValueError(f"--lam-min must be <= --lam-max, got {args.lam_min} > {args.lam_max}")
    found = interval_rate(args.method, values["--eta"], values["--beta"], values["--lam-min"],
                          values["--lam-max"])
    converges = bool(found.rate.evalf(50) < 1)
    payload = {
        "method": args.method,
        "eta": exact_value(values["--eta"]), "beta": exact_value(values["--beta"]),
        "lam_min": exact_value(values["--lam-min"]), "lam_max": exact_value(values["--lam-max"]),
        "rate": exact_value(found.rate),
        "worst_lam": exact_value(found.worst_lam),
        "rate_at_lam_min": exact_value(found.at_ends[0]),
        "rate_at_lam_max": exact_value(found.at_ends[1]),
        "converges": converges,
    }
    lines = [
        f"{args.method} eta={args.eta} beta={args.beta} on lam in [{args.lam_min}, {args.lam_max}]:",
        f"  worst spectral radius {show_exact(found.rate)} at lam = {show_exact(found.worst_lam)}",
        f"  at lam-min: {show_exact(found.at_ends[0])}; at lam-max: {show_exact(found.at_ends[1])}",
        "  converges on the whole range" if converges
        else "  does NOT converge on the whole range (rate >= 1)",
    ]
    emit(payload, args.json, "\n".join(lines))
    return 0
