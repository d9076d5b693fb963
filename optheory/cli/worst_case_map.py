"""``optheory worst-case-map``: worst cases over F(mu, L), IQC certificates and quadratic rates on a grid."""

from __future__ import annotations

import argparse
import contextlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from optheory.cli._common import add_class_arguments, add_json_flag, emit, parse_float

EXAMPLE = """examples:
  optheory worst-case-map momentum --mu 1 --L 25 --eta-range 0.01:0.16:16 \\
      --beta-range 0:0.9:10 --steps 5 --out hb-map.svg
  optheory worst-case-map gd --mu 1 --L 10 --eta-range 0.02:0.2:10 --steps 4 --json
  optheory worst-case-map nesterov --mu 1 --L 25 --eta-range 0.01:0.1:8 \\
      --beta-range 0:0.9:8 --steps 5 --scheduler tcp://127.0.0.1:8786 --out n.svg

A range A:B:N is N evenly spaced values from A to B.  Each cell (eta, beta) gets
  - the quadratic rate: the worst spectral radius over curvatures in [mu, L];
  - the worst case over every L-smooth mu-strongly convex f of
    ||x_N - x*||^2 / ||x_0 - x*||^2 after --steps N steps (a PEP, the same SDP
    PEPit solves, set up once for the grid; CLARABEL, then SCS);
  - an IQC certificate (Lessard-Recht-Packard 2016): a rate that holds on every
    f in F(mu, L), or none.
Cells run in parallel processes (--workers, default: the local cores) or on a
running Dask scheduler (--scheduler, needs pip install 'optheory[distributed]').
Finished cells are cached (--cache), so an interrupted map resumes.
"""

#: seconds to wait for a Dask scheduler before giving up
SCHEDULER_TIMEOUT = 5
_ADDRESS = re.compile(r"^(tcp|tls|inproc|ucx|ws|wss)://[^\s/]+$")


def register(subparsers: argparse._SubParsersAction) -> None:
    from optheory.pep.params import MAX_STEPS, PEP_METHODS

    parser = subparsers.add_parser(
        "worst-case-map",
        help="worst cases over F(mu, L), IQC rate certificates and quadratic rates on a grid",
        description="Map the worst case of METHOD over L-smooth mu-strongly convex functions, "
                    "its IQC rate certificate and its quadratic rate over a grid of (eta, beta).",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_class_arguments(parser, PEP_METHODS)
    parser.add_argument("--eta-range", required=True, metavar="A:B:N", help="step sizes (> 0)")
    parser.add_argument("--beta-range", metavar="A:B:N",
                        help="momentum values in [0, 1) (not for gd)")
    parser.add_argument("--steps", required=True, metavar="N",
                        help=f"horizon of the worst case, 1 to {MAX_STEPS}")
    parser.add_argument("--out", metavar="FILE.svg", help="write the map figure (SVG)")
    parser.add_argument("--workers", metavar="K", help="worker processes (default: local cores)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786")
    parser.add_argument("--cache", metavar="DIR",
                        help="folder of finished cells (default ~/.cache/optheory/worst-case)")
    parser.add_argument("--no-cache", action="store_true", help="solve every cell afresh")
    parser.add_argument("--no-certificate", action="store_true",
                        help="skip the IQC certificates (the costly part)")
    add_json_flag(parser)
    parser.set_defaults(handler=handle)


def _range(text: str | None, flag: str) -> Any:
    from optheory.cli.sweep import parse_range

    if text is None:
        return None
    return parse_range(text, flag)


def _int(text: str, flag: str, maximum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{flag} must be an integer, got {text!r}") from None
    if not 1 <= value <= maximum:
        raise ValueError(f"{flag} must lie in [1, {maximum}], got {text!r}")
    return value


@contextlib.contextmanager
def _quiet_dask() -> Iterator[None]:
    """Dask logs connection retries on stderr; the command reports one line instead."""
    loggers = [logging.getLogger(n) for n in ("distributed", "distributed.client",
                                                "distributed.comm", "distributed.core")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def connect(address: str) -> Any:
    """A ``dask.distributed.Client`` for ``address``, or a one-line ValueError naming --scheduler."""
    from optheory._extras import require

    if not _ADDRESS.match(address):
        raise ValueError(f"--scheduler must be an address such as tcp://HOST:8786, got {address!r}")
    distributed = require("dask.distributed", "distributed", purpose="--scheduler")
    try:
        with _quiet_dask():
            return distributed.Client(address, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise ValueError(
            f"--scheduler: no Dask scheduler answered at {address!r} within "
            f"{SCHEDULER_TIMEOUT} s ({type(exc).__name__}); start one or fix the address"
        ) from None


def handle(args: argparse.Namespace) -> int:
    from optheory.pep.maps import default_cache_dir, worst_case_map
    from optheory.pep.params import MAX_STEPS, PEP_METHODS, check_class, method_params

    method = args.method
    if method not in PEP_METHODS:
        raise ValueError(f"METHOD must be one of {', '.join(PEP_METHODS)}, got {method!r}")
    mu = parse_float(args.mu, "--mu")
    L = parse_float(args.L, "--L")
    if mu <= 0:
        raise ValueError(f"--mu must be > 0 (strong convexity), got {args.mu!r}")
    if L <= mu:
        raise ValueError(f"--L must be > --mu, got --L {args.L!r} with --mu {args.mu!r}")
    check_class(mu, L)
    steps = _int(args.steps, "--steps", MAX_STEPS)
    eta = _range(args.eta_range, "--eta-range")
    beta = _range(args.beta_range, "--beta-range")
    if method == "gd" and beta is not None:
        raise ValueError("--beta-range is not for gd (it has no momentum); leave it out")
    if method != "gd" and beta is None:
        raise ValueError(f"--beta-range A:B:N is needed for {method}")
    for flag, axis, name in (("--eta-range", eta, "eta"), ("--beta-range", beta, "beta")):
        if axis is None:
            continue
        for v in (axis[0], axis[-1]):
            try:
                method_params(method, mu, L, {"eta": v if name == "eta" else 0.1,
                                              "beta": v if name == "beta" else 0.0})
            except ValueError as exc:
                raise ValueError(f"{flag}: {exc}") from None
    cells = eta.size * (1 if beta is None else beta.size)
    from optheory.pep.maps import MAX_CELLS

    if cells > MAX_CELLS:
        raise ValueError(f"--eta-range and --beta-range give {cells} cells; at most {MAX_CELLS}")
    out = Path(args.out) if args.out else None
    if out is not None:
        if out.suffix.lower() != ".svg":
            raise ValueError(f"--out must name an .svg file, got {args.out!r}")
        if out.is_dir():
            raise ValueError(f"--out {args.out!r} is a directory; give a file name")
    workers = _int(args.workers, "--workers", 1024) if args.workers is not None else None
    if workers is not None and args.scheduler is not None:
        raise ValueError("--workers and --scheduler exclude each other (the cluster has its workers)")
    if args.no_cache and args.cache:
        raise ValueError("--cache and --no-cache exclude each other")
    cache: Any = False if args.no_cache else (Path(args.cache) if args.cache else default_cache_dir())
    grid = {"eta": eta} if beta is None else {"eta": eta, "beta": beta}

    client = connect(args.scheduler) if args.scheduler is not None else None
    try:
        executor = client.get_executor() if client is not None else None
        result = worst_case_map(method, mu, L, grid, steps, executor, workers=workers,
                                cache_dir=cache, certify=not args.no_certificate)
    finally:
        if client is not None:
            with _quiet_dask():
                client.close()
    if out is not None:
        from optheory._io import atomic_write_text
        from optheory.figures._export import figure_to_svg
        from optheory.figures.worst_case import worst_case_map_plot

        atomic_write_text(out, figure_to_svg(worst_case_map_plot(result)))
    payload = result.to_json()
    summary = _summary(result)
    payload["summary"] = summary
    payload["out"] = str(out) if out is not None else None
    lines = [
        f"{method} on F({mu:g}, {L:g}), {cells} cells, worst case after {steps} steps:",
        f"  converge on every quadratic in [mu, L]: {summary['quadratic_cells']} cells",
        f"  worst case over F(mu, L) below 1 (beyond solver accuracy) after {steps} steps: "
        f"{summary['worst_case_below_one']} cells",
        f"  certified rate below 1 on F(mu, L): {summary['certified_cells']} cells"
        + ("" if summary["best_certificate"] is None else
           f" (best {summary['best_certificate']['rate']:.4f} at eta={summary['best_certificate']['eta']:.4g}"
           f", beta={summary['best_certificate']['beta']:.4g})"),
        f"  cells read from the cache: {result.cached}",
    ]
    if out is not None:
        lines.append(f"  wrote {out}")
    emit(payload, args.json, "\n".join(lines))
    return 0


def _summary(result: Any) -> dict[str, Any]:
    import numpy as np

    cert = np.asarray(result.certificate, dtype=float)
    best = None
    if np.isfinite(cert).any():
        i, j = np.unravel_index(np.nanargmin(cert), cert.shape)
        best = {"rate": float(cert[i, j]), "eta": float(result.eta[i]),
                "beta": float(result.beta[j])}
    worst = np.asarray(result.worst_case, dtype=float)
    # below 1 by more than the solver's accuracy (a boundary cell at exactly 1 is not counted)
    below = np.isfinite(worst) & (worst < 1.0 - result.worst_case_margin())
    return {
        "cells": int(cert.size),
        "quadratic_cells": int(np.sum(np.asarray(result.quadratic_rate) < 1.0)),
        "worst_case_below_one": int(np.sum(below)),
        "certified_cells": int(np.sum(np.isfinite(cert))),
        "best_certificate": best,
        "solve_seconds_median": float(np.nanmedian(result.seconds)) if result.seconds.size else None,
    }
