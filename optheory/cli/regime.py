"""``optheory regime``: regime, eigenvalues and spectral radius at given points."""

from __future__ import annotations

import argparse
import itertools

from optheory.cli._common import add_json_flag, emit, exact_value, parse_exact_list, show_exact

EXAMPLE = """examples:
  optheory regime momentum --eta 0.5 --beta 0.9 --lam 3.5
  optheory regime nesterov --eta 0.1,0.2 --beta 0.5 --lam 1,10 --json

Comma lists are combined (every eta with every beta and every lam, at most
MAX_POINTS points).  Numbers are read exactly (0.1 is 1/10); the regime is
decided exactly from the derived Jury region, discriminant and Vieta sums:
divergence, one_step, ripples (complex pair), critical (double root),
monotone (real roots >= 0), oscillation (a negative real root).
"""

MAX_POINTS = 200


def register(subparsers: argparse._SubParsersAction) -> None:
    from optheory.methods import methods_with

    parser = subparsers.add_parser(
        "regime",
        help="regime, eigenvalues of R and spectral radius at (eta, beta, lam)",
        description="Classify a linear method at each point exactly: regime, eigenvalues of "
        "its iteration matrix R and spectral radius (exact form and decimal).",
        epilog=EXAMPLE.replace("MAX_POINTS", str(MAX_POINTS)),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("method", metavar="METHOD", help=", ".join(methods_with("linear")))
    parser.add_argument("--eta", required=True, metavar="X[,X...]", help="step size(s) > 0")
    parser.add_argument("--beta", metavar="X[,X...]", help="momentum parameter(s); 0 for gd")
    parser.add_argument("--lam", required=True, metavar="X[,X...]", help="curvature(s) > 0")
    add_json_flag(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from optheory.methods import check_method
    from optheory.symbolic.regimes import analyse_point

    check_method(args.method, "linear", what="METHOD")
    etas = parse_exact_list(args.eta, "--eta", MAX_POINTS)
    lams = parse_exact_list(args.lam, "--lam", MAX_POINTS)
    betas = parse_exact_list(args.beta, "--beta", MAX_POINTS) if args.beta is not None else [0]
    for flag, values in (("--eta", etas), ("--lam", lams)):
        if any(v <= 0 for v in values):
            raise ValueError(f"{flag} must be > 0")
    if args.method == "gd" and any(b != 0 for b in betas):
        raise ValueError("--beta must be 0 (or left out) for gd: it has no momentum")
    count = len(etas) * len(betas) * len(lams)
    if count > MAX_POINTS:
        raise ValueError(f"--eta, --beta and --lam give {count} points; at most {MAX_POINTS}")
    rows, lines = [], []
    for eta, beta, lam in itertools.product(etas, betas, lams):
        found = analyse_point(args.method, eta, lam, beta)
        eig = ", ".join(str(z) for z in found.eigenvalues)
        lines.append(
            f"{args.method} eta={eta} beta={beta} lam={lam}: {found.regime}; "
            f"eigenvalues of R: {eig}; spectral radius {show_exact(found.radius)}"
        )
        rows.append({
            "eta": exact_value(eta), "beta": exact_value(beta), "lam": exact_value(lam),
            "regime": found.regime,
            "eigenvalues": [_complex(z) for z in found.eigenvalues],
            "spectral_radius": exact_value(found.radius),
            "converges": found.stable,
        })
    emit({"method": args.method, "points": rows}, args.json, "\n".join(lines))
    return 0


def _complex(z: object) -> dict:
    import sympy as sp

    value = complex(sp.N(z, 30))  # type: ignore[call-overload]
    return {"exact": str(z), "real": value.real, "imag": value.imag}
