"""``optheory run``: any method on any smooth objective given as text."""

from __future__ import annotations

import argparse
import os
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
Every hyperparameter the run used is printed, defaults included, with the
convention's update rule (e.g. where eps enters RMSProp): the textbook and
torch conventions have different defaults (rmsprop gamma 0.9 vs 0.99).
--trajectory puts every iterate in the JSON; --csv FILE writes step, x..., f;
--plot FILE.svg draws f against the step; --fail-on-divergence exits 1 when
the run diverges.
"""

HYPER = ("eta", "beta", "gamma", "rho", "beta1", "beta2", "eps")
MAX_STEPS = 1_000_000
MAX_DIM = 1000
#: Most numbers --trajectory puts in the output, and --csv writes.
MAX_TRAJECTORY_VALUES = 2_000_000
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
    parser.add_argument("--trajectory", action="store_true", help="every iterate in the output")
    parser.add_argument("--csv", metavar="FILE", help="write the iterates as CSV (step, x..., f)")
    parser.add_argument("--plot", metavar="FILE.svg", help="write f against the step as SVG")
    parser.add_argument("--fail-on-divergence", action="store_true",
                        help="exit with code 1 when the run diverges (for scripts)")
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


def _check_time(objective: Any, steps: int, args: argparse.Namespace) -> None:
    """Refuse, before differentiating, a run surely longer than ``--max-seconds``."""
    from optheory._budget import DEFAULT_MAX_SECONDS
    from optheory.analysis.objective_problem import estimate_run_seconds

    max_seconds = budget_kwargs(args).get("max_seconds", DEFAULT_MAX_SECONDS)
    estimate = estimate_run_seconds(objective, steps)
    if estimate > max_seconds:
        raise ValueError(
            f"--steps {steps} on --f with {objective.dim} variables would take at least "
            f"{estimate:.3g} s, above --max-seconds={max_seconds:g}; raise --max-seconds, or "
            "use fewer steps or a smaller objective"
        )


def handle(args: argparse.Namespace) -> int:
    from optheory.analysis.objective_problem import ExpressionProblem
    from optheory.numeric.cycles import find_cycle
    from optheory.numeric.run import run
    from optheory.symbolic.objective import Objective

    steps = _steps(args.steps)
    _check_outputs(args)
    objective = Objective(_parse_objective(args.f))
    if objective.dim > MAX_DIM:
        raise ValueError(f"--f has {objective.dim} variables; at most {MAX_DIM} are supported")
    check_gradient_size(objective, "--f")
    _check_time(objective, steps, args)
    x0 = parse_float_vector(args.x0, "--x0")
    if len(x0) != objective.dim:
        names = ", ".join(v.name for v in objective.variables)
        raise ValueError(f"--x0 has {len(x0)} values but the objective has {objective.dim} variables ({names})")
    values = (steps + 1) * (objective.dim + 1)
    if (args.trajectory or args.csv or args.plot) and values > MAX_TRAJECTORY_VALUES:
        raise ValueError(f"--steps {steps} with {objective.dim} variables gives {values} values to "
                         f"keep; --trajectory, --csv and --plot keep at most {MAX_TRAJECTORY_VALUES}")
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
                   convention=args.convention,
                   stride=1 if (args.trajectory or args.csv or args.plot) else None,
                   **budget_kwargs(args), **hyper)
    except ValueError as exc:
        raise ValueError(cli_budget_wording(cli_wording(str(exc)))) from None
    final = traj.x[-1]
    resolved = _resolved(args.method, traj, hyper)
    payload: dict = {
        "method": args.method,
        "objective": str(objective.expr),
        "variables": [v.name for v in objective.variables],
        "gradient": [str(g) for g in objective.gradient],
        "impl": traj.impl,
        "convention": traj.convention,
        "update_rule": resolved["rule"],
        "hyper": resolved["values"],
        "defaults_used": resolved["defaults"],
        "hyper_meaning": resolved["meaning"],
        "steps": steps,
        "x_final": final.tolist(),
        "f_final": float(traj.loss[-1]),
        "diverged_at": traj.diverged_at,
    }
    if args.trajectory:
        payload["trajectory"] = traj.x.tolist()
        payload["f_trajectory"] = traj.loss.tolist()
    shown = ", ".join(
        f"{k}={_show(v)}" + (" (default)" if k in resolved["defaults"] else "")
        for k, v in resolved["values"].items()
    )
    lines = [
        f"f = {objective.expr}",
        f"grad f = ({', '.join(payload['gradient'])})",
        f"{args.method}, {traj.convention} convention ({traj.impl}): {resolved['rule']}",
        f"hyperparameters: {shown}",
        *(f"  {k}: {m}" for k, m in resolved["meaning"].items() if k == "eps"),
        f"after {steps} steps: "
        + ", ".join(f"{v.name}: {x:f}" for v, x in zip(objective.variables, final, strict=True))
        + f", f: {float(traj.loss[-1]):.6g}",
    ]
    if args.trajectory and not args.json:
        for t, (x, f) in enumerate(zip(traj.x, traj.loss, strict=True)):
            lines.append(f"  step {t}: " + ", ".join(f"{v:.6g}" for v in x) + f"; f {f:.6g}")
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
    if args.csv is not None:
        _write_csv(args.csv, objective, traj)
        payload["csv"] = args.csv
    if args.plot is not None:
        _write_plot(args.plot, args.method, traj)
        payload["plot"] = args.plot
    emit(payload, args.json, "\n".join(lines))
    if args.fail_on_divergence and traj.diverged_at is not None:
        return 1
    return 0


def _parse_objective(text: str) -> Any:
    """The safe parser, with a hint when '^' was meant as a power."""
    from optheory.symbolic.parse import parse_expression

    try:
        return parse_expression(text)
    except ValueError as exc:
        message = str(exc)
        if "'^'" in message:
            message += "; write powers with ** (x**2), '^' is exclusive or in Python syntax"
        raise ValueError(f"--f: {message}") from None


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse bad --csv / --plot paths before any work (nothing is written)."""
    if args.csv is not None and not args.csv.strip():
        raise ValueError("--csv needs a file name, e.g. --csv run.csv")
    if args.plot is not None and not args.plot.lower().endswith(".svg"):
        raise ValueError(f"--plot writes SVG: give a file name ending in .svg, got {args.plot!r}")
    for flag, path in (("--csv", args.csv), ("--plot", args.plot)):
        if path is not None and os.path.isdir(path):
            raise ValueError(f"{flag} {path!r} is a folder; give a file name")


def _show(value: Any) -> str:
    return str(value) if isinstance(value, bool) else f"{float(value):g}"


def _resolved(method: str, traj: Any, given: dict[str, Any]) -> dict[str, Any]:
    """Every hyperparameter of the run with its value, which were defaults, and their meaning."""
    from optheory.numeric.optimizers import get_method

    spec = get_method(method, traj.convention)
    values = {k: (bool(v) if isinstance(v, bool) else float(v)) for k, v in traj.hyper.items()}
    return {
        "rule": spec.summary,
        "values": values,
        "defaults": [k for k in values if k not in given],
        "meaning": {h.name: h.doc for h in spec.hypers},
    }


def _write_csv(path: str, objective: Any, traj: Any) -> None:
    from optheory._io import atomic_write_text

    names = [v.name for v in objective.variables]
    rows = [",".join(["step", *names, "f"])]
    for t, (x, f) in enumerate(zip(traj.x, traj.loss, strict=True)):
        rows.append(",".join([str(t), *(repr(float(v)) for v in x), repr(float(f))]))
    atomic_write_text(path, "\n".join(rows) + "\n")


def _write_plot(path: str, method: str, traj: Any) -> None:
    from optheory._io import atomic_write_text
    from optheory.figures._export import figure_to_svg
    from optheory.figures._style import new_figure, styled

    steps = np.arange(traj.loss.shape[0])
    with styled():
        fig = new_figure()
        ax = fig.add_subplot()
        finite = np.isfinite(traj.loss)
        ax.plot(steps[finite], traj.loss[finite], marker="." if steps.size <= 200 else None,
                label=f"{method} ({traj.convention})")
        ax.set_xlabel("step")
        ax.set_ylabel("f(x)")
        ax.set_title(f"{method}: objective along the run")
        ax.legend()
    atomic_write_text(path, figure_to_svg(fig))
