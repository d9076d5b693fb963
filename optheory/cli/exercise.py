"""``optheory exercise``: the project's answer to one exercise of the chapter."""

from __future__ import annotations

import argparse
import json
import os
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from optheory.cli._common import add_json_flag, emit

AIRFOIL_ENV = "OPTHEORY_AIRFOIL"

EXAMPLE = """examples:
  optheory exercise --list
  optheory exercise momentum 4
  optheory exercise gd 2 --json
  optheory exercise minibatch-sgd 1 --data ../shared/data/airfoil_self_noise.dat
  optheory exercise adagrad 2 --out answers/adagrad-2

SECTION is one of gd, sgd, minibatch-sgd, momentum, adagrad, rmsprop, adadelta,
adam, lr-scheduler; N is the exercise number (English edition). --out DIR writes
DIR/answer.json and one SVG per figure. Without --data the regression exercises
run on a synthetic problem of the airfoil data's shape (the answer's note says so);
the environment variable OPTHEORY_AIRFOIL, if set, is the default for --data.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "exercise",
        help="answer an exercise of the chapter (derivation + experiment)",
        description="Compute the answer to exercise N of SECTION: sympy derivations, runs of "
        "the project's optimizers, and the answer text built around the numbers.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("section", nargs="?", metavar="SECTION", help="section name, e.g. gd")
    parser.add_argument("number", nargs="?", metavar="N", help="exercise number")
    parser.add_argument("--list", action="store_true", help="list the answered exercises")
    parser.add_argument("--data", metavar="PATH",
                        help="airfoil_self_noise.dat for the regression exercises "
                        "(default: $OPTHEORY_AIRFOIL, else a synthetic stand-in)")
    parser.add_argument("--out", metavar="DIR", help="write answer.json and the figures (SVG)")
    add_json_flag(parser)
    parser.set_defaults(handler=handle)


def _listing(as_json: bool) -> int:
    from optheory.exercises import available

    rows = available()
    payload = [{"section": s, "number": n, "title": t} for s, n, t in rows]
    emit(payload, as_json, "\n".join(f"{s:14s} {n}  {t}" for s, n, t in rows))
    return 0


def _text(result: Any) -> str:
    wrap = textwrap.TextWrapper(width=100, break_on_hyphens=False)
    lines = [f"{result.section} {result.number}: {result.title}", ""]
    lines += wrap.wrap(result.answer)
    if result.note:
        lines += ["", *wrap.wrap(f"Note: {result.note}")]
    numbers = result.as_dict()["numbers"]
    lines += ["", "numbers:"]
    for key, value in numbers.items():
        text = json.dumps(value)
        lines.append(f"  {key}: {text if len(text) <= 200 else text[:197] + '...'}")
    if result.derivation:
        lines += ["", "derivation (LaTeX):"]
        lines += [f"  {d}" for d in result.derivation]
    if result.figures:
        lines += ["", "figures: " + ", ".join(sorted(result.figures))]
    return "\n".join(lines)


def _write(out: str, result: Any, announce: Callable[[list[str]], None]) -> None:
    """Write answer.json and the SVGs all or nothing; ``announce`` runs before they land."""
    from optheory._io import atomic_write_files
    from optheory.figures import figure_to_svg

    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"--out {out!r} exists and is not a directory; choose a directory")
    files = {folder / "answer.json": (json.dumps(result.as_dict(), indent=2) + "\n").encode()}
    for name, fig in sorted(result.figures.items()):
        files[folder / f"{name}.svg"] = figure_to_svg(fig).encode("utf-8")
    atomic_write_files(files, on_ready=lambda paths: announce([str(p) for p in paths]))


def handle(args: argparse.Namespace) -> int:
    from optheory.exercises import answer
    from optheory.exercises._registry import lookup, normalise_section, section_numbers

    if args.list:
        if args.section is not None or args.number is not None:
            raise ValueError("--list takes no SECTION or N; use 'optheory exercise --list'")
        return _listing(args.json)
    if args.section is None or args.number is None:
        if args.section is None:
            raise ValueError("give SECTION and N, e.g. 'optheory exercise gd 2', or use --list")
        numbers = ", ".join(str(n) for n in section_numbers(args.section))
        raise ValueError(f"give the exercise number N; section "
                         f"{normalise_section(args.section)} has: {numbers}")
    data = args.data if args.data is not None else (os.environ.get(AIRFOIL_ENV) or None)
    if data is not None and not Path(data).is_file():
        source = "--data" if args.data is not None else AIRFOIL_ENV
        raise ValueError(f"{source} {data!r} is not a readable file; give the path of "
                         "airfoil_self_noise.dat")
    if args.out is not None and not args.out.strip():
        raise ValueError("--out is empty; give a directory, e.g. --out answers/gd-2")
    if args.out is not None and Path(args.out).exists() and not Path(args.out).is_dir():
        raise ValueError(f"--out {args.out!r} exists and is not a directory; choose a directory")
    entry = lookup(args.section, args.number)
    result = answer(entry.section, entry.number, figures=args.out is not None, data_path=data)
    text = _text(result)
    if args.out is None:
        emit(result.as_dict(), args.json, text)
        return 0
    # printed once every file is staged and before any lands: a failing stdout leaves none
    _write(args.out, result,
           lambda written: emit(result.as_dict(), args.json,
                                text + "\n\nwrote: " + ", ".join(written)))
    return 0
