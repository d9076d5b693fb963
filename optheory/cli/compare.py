"""``optheory compare``: worst cases on quadratics and over F(mu, L) (PEPit), side by side."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from optheory.cli._common import add_class_arguments, add_json_flag, emit, parse_exact, parse_float

EXAMPLE = """examples:
  optheory compare momentum --mu 1 --L 25 --steps 5,10
  optheory compare nesterov --mu 1 --L 100 --steps 5,10,20 --json
  optheory compare gd --mu 1 --L 10 --steps 3 --eta 0.1

For each horizon N the worst case of ||x_N - x*||^2 / ||x_0 - x*||^2 (buffers
start at zero, Polyak's x_prev at x_0): exactly over the quadratics with
curvatures in [mu, L] (no SDP), and with PEPit over the L-smooth mu-strongly
convex functions F(mu, L) and over PEPit's quadratic class (a solver check).
Without --eta/--beta the method's derived minimax tuning on [mu, L] is used.
Needs the 'pep' extra (pip install 'optheory[pep]').  N is at most 30 (the
SDP grows as N^2 and the solvers lose accuracy beyond).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    from optheory.pep.pepit_problem import PEP_METHODS

    parser = subparsers.add_parser(
        "compare",
        help="worst cases over quadratics and over smooth strongly convex functions (PEPit)",
        description="Compare the exact quadratic worst case of METHOD with PEPit's worst case "
        "over L-smooth mu-strongly convex functions, horizon by horizon, with a verdict.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_class_arguments(parser, PEP_METHODS)
    parser.add_argument(
        "--steps",
        default="5,10,20",
        metavar="N,N,...",
        help="horizons, each in 1..30 (default 5,10,20)",
    )
    parser.add_argument("--eta", metavar="X", help="step size (default: the derived tuning)")
    parser.add_argument(
        "--beta", metavar="X", help="momentum (default: the derived tuning; 0 with --eta)"
    )
    add_json_flag(parser)
    parser.set_defaults(handler=handle)


def _horizons(text: str) -> list[int]:
    from optheory.pep.pepit_problem import MAX_STEPS

    parts = [p.strip() for p in text.split(",")]
    if not parts or any(not p for p in parts):
        raise ValueError(
            f"--steps: expected comma-separated horizons such as 5,10,20, got {text!r}"
        )
    out = []
    for p in parts:
        if not p.isdigit() or len(p) > 6:
            raise ValueError(f"--steps: {p!r} is not a whole number of steps")
        n = int(p)
        if not 1 <= n <= MAX_STEPS:
            raise ValueError(
                f"--steps: {n} is outside 1..{MAX_STEPS} (the SDP has O(N^2) constraints; "
                f"beyond {MAX_STEPS} steps solves are slow and inaccurate)"
            )
        out.append(n)
    return out


def _params(args: argparse.Namespace) -> dict[str, Any] | None:
    if args.eta is None and args.beta is None:
        return None
    if args.eta is None:
        raise ValueError("--beta needs --eta as well (or neither, for the derived tuning)")
    params: dict[str, Any] = {"eta": parse_exact(args.eta, "--eta")}
    if args.beta is not None:
        params["beta"] = parse_exact(args.beta, "--beta")
    return params


def _text(result: Any) -> str:
    p = result.params
    lines = [
        f"{result.method} on F({result.mu:g}, {result.L:g}), eta = {p['eta']:.6g}, "
        f"beta = {p['beta']:.6g}; quadratic rate (spectral radius) {result.rate_quadratic:.4g}",
        "worst case of ||x_N - x*||^2 / ||x_0 - x*||^2:",
        f"{'N':>4}  {'quadratics':>12}  {'F(mu, L)':>12}  {'PEPit quad.':>12}  solver",
    ]
    from optheory.pep.compare import accuracy_text, value_accuracy

    def shown(h: Any, field: str) -> str:
        # at most 4 significant digits, only those the solver's accuracy fixes
        value = getattr(h, field)
        if value is None:
            return "inaccurate"
        return accuracy_text(value, value_accuracy(h, field), digits=4)

    for h in result.horizons:
        wc, qc = shown(h, "worst_case"), shown(h, "quadratic_class")
        # cvxpy's status is in the JSON; the text names the solver and any guard failure
        lines.append(f"{h.N:>4}  {h.quadratic:>12.4g}  {wc:>12}  {qc:>12}  {h.solver}")
        lines += [f"      {problem}" for problem in h.problems]
    lines.append(f"verdict: {result.verdict}")
    return "\n".join(lines)


def handle(args: argparse.Namespace) -> int:
    from optheory.pep.compare import compare_rates
    from optheory.pep.pepit_problem import check_problem

    mu = parse_float(args.mu, "--mu")
    L = parse_float(args.L, "--L")
    exact_mu, exact_L = parse_exact(args.mu, "--mu"), parse_exact(args.L, "--L")
    steps = _horizons(args.steps)
    params = _params(args)
    try:
        check_problem(args.method, mu, L, 1, {"beta": 0, **params} if params else {"eta": 1.0, "beta": 0})
    except ValueError as exc:  # the API's names, in the command line's words
        raise ValueError(_flag_words(str(exc))) from None
    progress = None
    if sys.stderr.isatty() and not args.json:

        def progress(done: int, total: int) -> None:
            print(f"  horizon {done}/{total} solved", file=sys.stderr)

    try:
        result = compare_rates(args.method, exact_mu, exact_L, steps, params, progress=progress)
    except ValueError as exc:
        raise ValueError(_flag_words(str(exc))) from None
    emit(result.to_json(), args.json, _text(result))
    return 0


def _flag_words(message: str) -> str:
    for name in ("mu", "L", "eta", "beta", "method"):
        if message.startswith(f"{name} "):
            return (
                f"--{name} {message[len(name) + 1 :]}"
                if name != "method"
                else f"METHOD {message[7:]}"
            )
    return message
