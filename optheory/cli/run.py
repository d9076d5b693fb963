"""``optheory run``: any method on any smooth objective given as text."""

from __future__ import annotations

import argparse
import re
from typing import Any

import numpy as np

from optheory._budget import too_many_digits
from optheory.cli._budget_flags import (
    add_budget_flags,
    budget_kwargs,
    check_gradient_size,
    cli_budget_wording,
)
from optheory.cli._common import add_json_flag, emit, parse_float, parse_float_vector, parse_number

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
#: Decay rates that the API accepts up to 1 (the textbook's exercise on gamma = 1) but that
#: on the command line only give silent garbage at exactly 1.
_FROZEN_AT_ONE = ("gamma", "rho")


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
    parser.add_argument(
        "--convention", choices=("textbook", "torch"), default=None,
        help="update rule to use: the textbook's (default) or torch.optim's arithmetic "
        "(they differ e.g. in where eta enters momentum and where eps enters RMSProp/Adam)",
    )
    parser.add_argument(
        "--impl", choices=("own", "torch"), default="own",
        help="own: the project's numpy implementation (default); torch: run torch.optim itself "
        "(implies --convention torch)",
    )
    parser.add_argument("--detect-cycle", action="store_true", help="look for a limit cycle at the end")
    add_budget_flags(parser)
    add_json_flag(parser)
    parser.set_defaults(handler=handle)


def _steps(text: str) -> int:
    if too_many_digits(text, MAX_STEPS):
        raise ValueError(f"--steps must be at most {MAX_STEPS}, got {text.strip()[:24]!r}")
    value = parse_number(text, "--steps")
    if value.denominator != 1 or value < 1:
        raise ValueError(f"--steps must be a positive integer, got {text!r}")
    if value > MAX_STEPS:
        raise ValueError(f"--steps must be at most {MAX_STEPS}, got {text!r}")
    return int(value)


def _check_start(problem: Any, x0: np.ndarray, text: str) -> None:
    """Raise a one-line ValueError unless f and grad f are finite at ``x0``."""
    try:
        with np.errstate(all="ignore"):
            values = np.concatenate([np.ravel(problem.f(x0)), np.ravel(problem.grad(x0))])
        finite = bool(np.all(np.isfinite(values.astype(float))))
    except (ArithmeticError, TypeError, ValueError):
        finite = False
    if not finite:
        raise ValueError(
            f"the objective or its gradient is not finite at --x0 {text} "
            "(outside the domain or at a singularity); start elsewhere"
        )


_NAMES = "|".join(sorted(HYPER, key=len, reverse=True))
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    # "pass eta=..." -> "pass --eta X"
    (re.compile(rf"(?<![\w-])({_NAMES})=\.\.\."), r"--\1 X"),
    # "impl='torch'", "convention='torch'" -> "--impl torch", "--convention torch"
    (re.compile(r"(?<![\w-])(impl|convention)='(\w+)'"), r"--\1 \2"),
    # "(textbook convention)" -> "(--convention textbook)"
    (re.compile(r"\((\w+) convention\)"), r"(--convention \1)"),
    (re.compile(r"(?<![\w-])drop convention\b"), "drop --convention"),
    # "unknown hyperparameter 'rho'", "eta must be > 0" -> "--rho", "--eta"
    (re.compile(rf"(?<![\w-])'?({_NAMES})'?(?![\w=-])"), r"--\1"),
)
_ACCEPTED = re.compile(r"accepted: ([\w, -]+)$")


def cli_wording(message: str) -> str:
    """Rewrite an API error message in the command line's words.

    Hyperparameter names become flags (``eta`` -> ``--eta``), ``impl='torch'``
    becomes ``--impl torch``; an "accepted: ..." list keeps only the settings
    that have a flag.
    """
    match = _ACCEPTED.search(message)
    if match:
        names = [n.strip() for n in match.group(1).split(",")]
        flags = [n for n in names if n in HYPER]
        message = message[: match.start()] + "accepted: " + (", ".join(flags) or "none")
    for pattern, replacement in _REWRITES:
        message = pattern.sub(replacement, message)
    return message


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
    check_gradient_size(objective, "--f")
    x0 = parse_float_vector(args.x0, "--x0")
    if len(x0) != objective.dim:
        names = ", ".join(v.name for v in objective.variables)
        raise ValueError(f"--x0 has {len(x0)} values but the objective has {objective.dim} variables ({names})")
    hyper: dict[str, Any] = {
        n: parse_float(getattr(args, n), f"--{n}") for n in HYPER if getattr(args, n) is not None
    }
    for name, value in hyper.items():
        if name in _FROZEN_AT_ONE and value == 1:
            raise ValueError(
                f"--{name} 1 freezes the running averages at their start value 0, so the method "
                f"no longer adapts (the rmsprop exercises study this); use --{name} below 1"
            )
    problem = ExpressionProblem(objective)
    _check_start(problem, np.array(x0), args.x0)
    try:
        traj = run(args.method, problem, np.array(x0), steps, impl=args.impl,
                   convention=args.convention, **budget_kwargs(args), **hyper)
    except ValueError as exc:
        raise ValueError(cli_budget_wording(cli_wording(str(exc)))) from None
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
        cycle = find_cycle(traj.last_iterates)
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
