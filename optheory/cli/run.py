"""``optheory run``: any method on any smooth objective given as text."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from optheory.cli._common import add_json_flag, emit, parse_number, parse_vector

EXAMPLE = """examples:
  optheory run momentum --f "0.1*x1**2 + 2*x2**2" --x0 -5,-2 --eta 0.6 --beta 0.5 --steps 20
  optheory run gd --f "x*cos(3*x)" --x0 0.5 --eta 0.05 --steps 100 --json
  optheory run momentum --eta 1/9 --beta 4/9 --x0 3.3 --steps 2000 --detect-cycle \\
      --f "Piecewise((25*x**2/2, x < 1), (x**2/2 + 24*x - 12, x < 2), (25*x**2/2 - 24*x + 36, True))"

The objective is parsed safely (no eval): numbers, variables, + - * / **,
comparisons, and sin cos tan exp log sqrt cosh sinh tanh Abs Piecewise Min Max sign.
Variables are ordered naturally (x1, x2, ..., x10); --x0 gives one value per variable.
"""

HYPER = ("eta", "beta", "gamma", "rho", "beta1", "beta2", "eps")
MAX_STEPS = 1_000_000
MAX_DIM = 1000


def register(subparsers: argparse._SubParsersAction) -> None:
    from optheory.numeric.optimizers import METHODS

    parser = subparsers.add_parser(
        "run",
        help="run an optimizer on an objective given as text",
        description="Run METHOD on the objective --f from --x0; the gradient comes from sympy.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("method", choices=METHODS, metavar="METHOD", help=", ".join(METHODS))
    parser.add_argument("--f", required=True, metavar="EXPR", help="the objective, e.g. '0.1*x1**2 + 2*x2**2'")
    parser.add_argument("--x0", required=True, metavar="V", help="start, comma-separated, e.g. -5,-2")
    parser.add_argument("--steps", default="20", help="number of steps (default 20)")
    for name in HYPER:
        parser.add_argument(f"--{name}", metavar="X", help=f"hyperparameter {name}")
    parser.add_argument("--convention", choices=("textbook", "torch"), default=None)
    parser.add_argument("--impl", choices=("own", "torch"), default="own")
    parser.add_argument("--detect-cycle", action="store_true", help="look for a limit cycle at the end")
    add_json_flag(parser)
    parser.set_defaults(handler=handle)


def _steps(text: str) -> int:
    value = parse_number(text, "--steps")
    if value.denominator != 1 or value < 1:
        raise ValueError(f"--steps must be a positive integer, got {text!r}")
    if value > MAX_STEPS:
        raise ValueError(f"--steps must be at most {MAX_STEPS}, got {text!r}")
    return int(value)


def handle(args: argparse.Namespace) -> int:
    from optheory.analysis.objective_problem import ExpressionProblem
    from optheory.numeric.cycles import find_cycle
    from optheory.numeric.run import run
    from optheory.symbolic.objective import Objective
    from optheory.symbolic.parse import parse_expression

    steps = _steps(args.steps)
    objective = Objective(parse_expression(args.f))
    if objective.dim > MAX_DIM:
        raise ValueError(f"--f has {objective.dim} variables; at most {MAX_DIM} are supported")
    x0 = [float(v) for v in parse_vector(args.x0, "--x0")]
    if len(x0) != objective.dim:
        names = ", ".join(v.name for v in objective.variables)
        raise ValueError(f"--x0 has {len(x0)} values but the objective has {objective.dim} variables ({names})")
    hyper: dict[str, Any] = {
        n: float(parse_number(getattr(args, n), f"--{n}")) for n in HYPER if getattr(args, n) is not None
    }
    problem = ExpressionProblem(objective)
    traj = run(args.method, problem, np.array(x0), steps, impl=args.impl,
               convention=args.convention, **hyper)
    final = traj.x[-1]
    payload: dict = {
        "method": args.method,
        "objective": str(objective.expr),
        "variables": [v.name for v in objective.variables],
        "gradient": [str(g) for g in objective.gradient],
        "hyper": {k: float(v) for k, v in hyper.items()},
        "steps": steps,
        "x_final": final.tolist(),
        "f_final": float(traj.loss[-1]),
        "diverged_at": traj.diverged_at,
    }
    lines = [
        f"f = {objective.expr}",
        f"grad f = ({', '.join(payload['gradient'])})",
        f"{args.method} {', '.join(f'{k}={v:g}' for k, v in hyper.items())}: "
        + ", ".join(f"{v.name}: {x:f}" for v, x in zip(objective.variables, final, strict=True))
        + f", f: {float(traj.loss[-1]):.6g}",
    ]
    if traj.diverged_at is not None:
        lines.append(f"diverged at step {traj.diverged_at}")
    if args.detect_cycle:
        cycle = find_cycle(traj.x)
        payload["cycle"] = None if cycle is None else {
            "period": cycle.period, "points": cycle.points.tolist(),
        }
        if cycle is None:
            lines.append("no cycle of period <= 50 at the end of the run")
        elif cycle.period == 1:
            lines.append(f"converged to a fixed point {cycle.points[0].tolist()}")
        else:
            lines.append(f"limit cycle of period {cycle.period}: {cycle.points.ravel().tolist()}")
    emit(payload, args.json, "\n".join(lines))
    return 0
