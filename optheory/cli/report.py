"""``optheory report``: write the analysis report."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from optheory.cli._common import add_json_flag, write_stdout

AIRFOIL_ENV = "OPTHEORY_AIRFOIL"

EXAMPLE = """examples:
  optheory report                      # all topics into reports/
  optheory report --out /tmp/r --topic quadratics momentum

The report is built in a temporary folder beside DIR and moved into place at
the end: an interrupted run leaves the previous report intact.

The pages that fit the airfoil regression read airfoil_self_noise.dat from
--data PATH, else from the environment variable OPTHEORY_AIRFOIL; without
either they use a synthetic problem of the data's shape (the pages say so).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    import optheory.report.topics  # noqa: F401  (registers the topics, listed in --help)
    from optheory.report.command import HELP, configure_parser

    parser = subparsers.add_parser(
        "report", help=HELP, description=HELP + ".", epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    configure_parser(parser)
    parser.add_argument("--data", metavar="PATH",
                        help="airfoil_self_noise.dat for the regression pages "
                        f"(default: ${AIRFOIL_ENV}, else a synthetic stand-in)")
    add_json_flag(parser)
    parser.set_defaults(handler=handle)


@contextmanager
def _airfoil_env(path: str | None) -> Iterator[None]:
    """Set ``OPTHEORY_AIRFOIL`` to ``path`` while the block runs (unchanged when None)."""
    if path is None:
        yield
        return
    previous = os.environ.get(AIRFOIL_ENV)
    os.environ[AIRFOIL_ENV] = path
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(AIRFOIL_ENV, None)
        else:
            os.environ[AIRFOIL_ENV] = previous


def handle(args: argparse.Namespace) -> int:
    import json

    import optheory.report.topics  # noqa: F401  (registers the topics)
    from optheory.report.build import TOPICS, build_report, select_topics

    if args.data is not None and (not Path(args.data).is_file()
                                  or not os.access(args.data, os.R_OK)):
        raise ValueError(f"--data {args.data!r} is not a readable file; give the path of "
                         "airfoil_self_noise.dat")
    topics = select_topics(args.topic, TOPICS)  # registry order, no repeats: what is built
    def announce(out: Path) -> None:
        if args.json:
            write_stdout(json.dumps({"out": str(out), "index": str(out / "index.html"),
                                     "topics": topics}) + "\n")
        else:
            write_stdout(f"{out / 'index.html'}\n")

    with _airfoil_env(None if args.data is None else os.path.abspath(args.data)):
        build_report(args.out, topics, on_ready=announce)
    return 0
