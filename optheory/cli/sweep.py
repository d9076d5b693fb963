"""``optheory sweep``: a hyperparameter grid run in one batch, with the closed-form rate map."""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any

import numpy as np

from optheory.cli._budget_flags import add_budget_flags, budget_kwargs, cli_budget_wording
from optheory.cli._common import add_json_flag, emit, parse_float, parse_number

EXAMPLE = """examples:
  optheory sweep momentum --eta-range 0.01:0.5:25 --beta-range 0:0.95:20 \\
      --lam-range 1:10:5 --steps 200 --out map.svg
  optheory sweep gd --eta-range 0.05:0.6:12 --f "0.1*x1**2 + 2*x2**2" --steps 100 --out gd.csv
  optheory sweep adam --eta-range 0.01:0.3:8 --lam-range 0.2:4:2 --steps 100 --json

A range A:B:N is N evenly spaced values from A to B.  The quadratic has the
eigenvalues --lam-range (or is given as text by --f, which must be a quadratic
with a positive definite Hessian: the sweep runs on its eigen-decomposition).
Every setting starts with every eigen-component at 1.  --out writes the map
atomically: .svg/.png (heat map of the closed-form rate for the linear methods,
else of the fitted rate), .csv (one row per setting) or .npz (the arrays).
--closed-form skips the simulation (linear methods only).  The sweep's time is
estimated from its size before any work and refused above --max-seconds (default
60); its arrays, result maps included, count against --max-memory (default 1 GiB).
"""

MAX_SETTINGS = 1_000_000
MAX_EIGENVALUES = 1000  # the problem keeps a dense d x d eigenbasis
MAX_STEPS = 100_000
FORMATS = (".svg", ".png", ".csv", ".npz")


def register(subparsers: argparse._SubParsersAction) -> None:
    from optheory.methods import methods_with

    parser = subparsers.add_parser(
        "sweep",
        help="batched hyperparameter sweep on a quadratic, with the closed-form rate map",
        description="Run METHOD for every (eta, beta) of a grid on a quadratic at once; "
        "measured and closed-form rates; optional map file.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("method", metavar="METHOD", help=", ".join(methods_with("run")))
    parser.add_argument("--eta-range", required=True, metavar="A:B:N", help="step sizes")
    parser.add_argument("--beta-range", metavar="A:B:N", help="momentum values (linear methods)")
    parser.add_argument("--lam-range", metavar="A:B:N", help="eigenvalues of the quadratic")
    parser.add_argument("--f", metavar="EXPR", help="the quadratic as text instead of --lam-range")
    parser.add_argument("--steps", default="100", metavar="S", help="steps per setting (default 100)")
    parser.add_argument("--closed-form", action="store_true",
                        help="only the closed-form rate map, no simulation (linear methods)")
    parser.add_argument("--out", metavar="FILE", help="write the map: .svg, .png, .csv or .npz")
    add_budget_flags(parser, what="a sweep")
    add_json_flag(parser)
    parser.set_defaults(handler=handle)


def parse_range(text: str, flag: str, *, positive: bool = False) -> np.ndarray:
    """``"A:B:N"`` -> N evenly spaced floats from A to B (one-line errors naming ``flag``)."""
    parts = text.split(":")
    if len(parts) != 3:
        raise ValueError(f"{flag} must be A:B:N (e.g. 0.01:0.5:25), got {text!r}")
    a, b = parse_float(parts[0], flag), parse_float(parts[1], flag)
    n = parse_number(parts[2], flag)
    if n.denominator != 1 or not 1 <= n <= 10_000:
        raise ValueError(f"{flag}: N must be an integer in [1, 10000], got {parts[2]!r}")
    if b < a:
        raise ValueError(f"{flag}: B must be >= A, got {text!r}")
    if positive and a <= 0:
        raise ValueError(f"{flag}: values must be > 0, got A = {parts[0]}")
    return np.linspace(a, b, int(n))


def _problem(args: argparse.Namespace, settings: int, steps: int) -> tuple[Any, str]:
    """The quadratic, after checking the sweep's estimated time against ``--max-seconds``."""
    from optheory.numeric.problems import EigenQuadratic

    if (args.f is None) == (args.lam_range is None):
        raise ValueError("give the quadratic by --lam-range A:B:N or by --f EXPR (one of the two)")
    if args.lam_range is not None:
        lam = parse_range(args.lam_range, "--lam-range", positive=True)
        if lam.size > MAX_EIGENVALUES:
            raise ValueError(f"--lam-range: at most {MAX_EIGENVALUES} eigenvalues")
        _check_time(args, settings, steps, lam.size, dense=False)
        return EigenQuadratic(lam), f"eigenvalues {args.lam_range}"
    problem = _quadratic_from_text(args.f)
    _check_time(args, settings, steps, int(problem.dim), dense=not problem._diagonal)
    return problem, args.f


def _check_time(args: argparse.Namespace, settings: int, steps: int, dim: int, *,
                dense: bool) -> None:
    """Refuse, before building anything large, a sweep estimated above ``--max-seconds``."""
    from optheory._budget import DEFAULT_MAX_SECONDS
    from optheory.numeric.sweep import check_sweep_seconds

    max_seconds = budget_kwargs(args).get("max_seconds", DEFAULT_MAX_SECONDS)
    try:
        check_sweep_seconds(args.method, settings, steps, dim, max_seconds, dense_basis=dense,
                            closed_form=args.closed_form)
    except ValueError as exc:
        raise ValueError(cli_budget_wording(str(exc))) from None


def _quadratic_from_text(text: str) -> Any:
    """An EigenQuadratic from a quadratic objective given as text (safe parser)."""
    import sympy as sp

    from optheory.numeric.problems import EigenQuadratic
    from optheory.symbolic.objective import Objective
    from optheory.symbolic.parse import parse_expression

    objective = Objective(parse_expression(text))
    if objective.dim > 100:
        raise ValueError(f"--f has {objective.dim} variables; a sweep takes at most 100")
    H = objective.hessian
    if any(e.free_symbols for e in H):
        raise ValueError(
            "--f is not a quadratic (its Hessian depends on the variables); the sweep runs on "
            "the eigen-decomposition of a constant Hessian: use 'optheory run' for this objective"
        )
    zero = dict.fromkeys(objective.variables, 0)
    c = [sp.N(g.subs(zero)) for g in objective.gradient]
    Q = np.array([[float(e) for e in row] for row in H.tolist()], dtype=float)
    eig = np.linalg.eigvalsh(Q) if Q.size else np.array([])
    if eig.size == 0 or eig.min() <= 0:
        raise ValueError("--f must have a positive definite Hessian (all eigenvalues > 0); "
                         f"its eigenvalues are {np.round(eig, 6).tolist()}")
    return EigenQuadratic.from_matrix(Q, np.array([float(v) for v in c]))


def _grid(args: argparse.Namespace) -> dict[str, np.ndarray]:
    from optheory.methods import REGISTRY

    grid = {"eta": parse_range(args.eta_range, "--eta-range", positive=True)}
    linear = "rate" in REGISTRY[args.method].capabilities
    if args.beta_range is not None:
        if args.method == "gd" or not linear:
            raise ValueError(f"--beta-range does not apply to {args.method}; drop it")
        grid["beta"] = parse_range(args.beta_range, "--beta-range")
        if grid["beta"].min() < 0 or grid["beta"].max() >= 1:
            raise ValueError("--beta-range: values must lie in [0, 1)")
    elif args.method in ("momentum", "nesterov"):
        raise ValueError(f"{args.method} needs --beta-range A:B:N (a single value: A:A:1)")
    return grid


def handle(args: argparse.Namespace) -> int:
    from optheory.analysis.sweep import sweep
    from optheory.methods import check_method

    check_method(args.method, "run", what="METHOD")
    if args.closed_form:
        check_method(args.method, "run", "rate", what="METHOD")
    if args.out is not None and Path(args.out).suffix.lower() not in FORMATS:
        raise ValueError(f"--out must end in {', '.join(FORMATS)}, got {args.out!r}")
    steps = parse_number(args.steps, "--steps")
    if steps.denominator != 1 or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"--steps must be an integer in [1, {MAX_STEPS}], got {args.steps!r}")
    grid = _grid(args)
    size = int(np.prod([v.size for v in grid.values()]))
    if size > MAX_SETTINGS:
        raise ValueError(f"--eta-range and --beta-range give {size} settings; at most {MAX_SETTINGS}")
    problem, described = _problem(args, size, int(steps))
    try:
        result = sweep(args.method, problem, grid, int(steps), closed_form=args.closed_form,
                       progress=None, **budget_kwargs(args))
    except ValueError as exc:
        raise ValueError(cli_budget_wording(str(exc))) from None
    payload = _payload(result, described)
    if args.out is not None:
        _write(result, Path(args.out))
        payload["out"] = args.out
    emit(payload, args.json, _text(result, payload))
    return 0


def _best(result: Any) -> dict[str, Any] | None:
    rate = result.closed_form_rate if result.closed_form_rate is not None else result.rate
    if rate is None or not np.isfinite(rate).any():
        return None
    k = int(np.nanargmin(np.where(np.isfinite(rate), rate, np.nan)))
    index = np.unravel_index(k, result.shape)
    setting = {n: float(a[i]) for n, a, i in zip(result.names, result.axes, index, strict=True)}
    return {**setting, "rate": float(rate[index])}


def _payload(result: Any, described: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "method": result.method, "problem": described, "steps": result.steps,
        "names": list(result.names), "axes": [a.tolist() for a in result.axes],
        "kernel": result.kernel, "best": _best(result),
    }
    for key in ("closed_form_rate", "rate", "final_error", "diverged_at"):
        value = getattr(result, key)
        out[key] = None if value is None else value.tolist()
    return out


def _text(result: Any, payload: dict[str, Any]) -> str:
    grid = " x ".join(f"{n} {a.size}" for n, a in zip(result.names, result.axes, strict=True))
    work = ("closed form only (no simulation)" if result.kernel == "none"
            else f"{result.steps} steps, kernel {result.kernel}")
    lines = [f"{result.method} sweep on {payload['problem']}: {result.size} settings ({grid}), {work}"]
    best = payload["best"]
    if best is not None:
        which = "closed-form" if result.closed_form_rate is not None else "measured"
        at = ", ".join(f"{n}={best[n]:.6g}" for n in result.names)
        lines.append(f"best {which} rate {best['rate']:.6g} at {at}")
    if result.diverged_at is not None:
        lines.append(f"diverged: {int((result.diverged_at >= 0).sum())} of {result.size} settings")
    if "out" in payload:
        lines.append(f"wrote {payload['out']}")
    return "\n".join(lines)


def _columns(result: Any) -> dict[str, np.ndarray]:
    cols = {n: result.values(n).ravel() for n in result.names}
    for key in ("closed_form_rate", "rate", "final_error", "diverged_at"):
        value = getattr(result, key)
        if value is not None:
            cols[key] = np.asarray(value).ravel()
    return cols


def _write(result: Any, path: Path) -> None:
    from optheory._io import atomic_write_bytes, atomic_write_text

    suffix = path.suffix.lower()
    if suffix == ".csv":
        cols = _columns(result)
        lines = [",".join(cols)]
        for row in zip(*cols.values(), strict=True):
            lines.append(",".join(repr(float(v)) if isinstance(v, float | np.floating) else str(v)
                                  for v in row))
        atomic_write_text(path, "\n".join(lines) + "\n")
    elif suffix == ".npz":
        buf = io.BytesIO()
        arrays: dict[str, Any] = dict(zip(result.names, result.axes, strict=True))
        arrays.update({k: v.reshape(result.shape) for k, v in _columns(result).items()
                       if k not in result.names})
        np.savez(buf, **arrays)
        atomic_write_bytes(path, buf.getvalue())
    else:
        fig = _figure(result)
        if suffix == ".svg":
            from optheory.figures._export import figure_to_svg

            atomic_write_text(path, figure_to_svg(fig))
        else:
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=120, metadata={"Software": None})
            atomic_write_bytes(path, buf.getvalue())


def _figure(result: Any) -> Any:
    from optheory.figures._style import new_figure, styled

    closed = result.closed_form_rate is not None
    rate = result.closed_form_rate if closed else result.rate
    label = "closed-form rate" if closed else "fitted rate"
    with styled():
        fig = new_figure()
        ax = fig.add_subplot()
        if rate.ndim == 1:
            ax.plot(result.axes[0], rate, marker="o", label=label)
            ax.axhline(1.0, color="gray", linestyle=":", label="rate 1")
            ax.set_xlabel(result.names[0])
            ax.set_ylabel(label)
            ax.legend()
        else:
            shown = np.clip(np.where(np.isfinite(rate), rate, np.nan), 0.0, 1.0)
            image = ax.pcolormesh(result.axes[1], result.axes[0], shown, shading="nearest",
                                  vmin=0.0, vmax=1.0)
            fig.colorbar(image, ax=ax, label=f"{label} (clipped to [0, 1])")
            ax.set_xlabel(result.names[1])
            ax.set_ylabel(result.names[0])
        ax.set_title(f"{result.method}: {label}, {result.steps} steps")
    return fig
