"""The ``optheory report`` command: argument parsing and the entry point.

The package CLI wires it as a sub-command::

    sub = subparsers.add_parser("report", help=HELP)
    configure_parser(sub)
    ...
    return run(args)          # args from sub's namespace

or delegates the remaining argv with :func:`main`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from optheory.report.build import TOPICS, build_report

__all__ = ["HELP", "configure_parser", "main", "run"]

HELP = "write the analysis report (HTML and Markdown) to a folder"


def configure_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``--out DIR`` and ``--topic NAME ...`` to ``parser``; return it."""
    parser.add_argument(
        "--out", metavar="DIR", default="reports",
        help="output folder, replaced as a whole when the report is complete (default: reports)",
    )
    parser.add_argument(
        "--topic", metavar="NAME", nargs="+", action="extend", default=None,
        help="topics to include (default: all): " + (", ".join(TOPICS) or "none registered"),
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Build the report from parsed arguments; print where it is; return 0.

    Raises
    ------
    ValueError
        As :func:`~optheory.report.build.build_report` (the caller prints it).
    """
    out = build_report(args.out, args.topic)
    print(out / "index.html")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry point: parse ``argv``, build, report errors in one line.

    Returns 0 on success and 2 on bad input (the message goes to stderr).
    """
    parser = configure_parser(argparse.ArgumentParser(prog="optheory report", description=HELP))
    args = parser.parse_args(argv)
    try:
        return run(args)
    except ValueError as exc:
        print(f"optheory report: error: {exc}", file=sys.stderr)
        return 2
