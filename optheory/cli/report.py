"""``optheory report``: write the analysis report."""

from __future__ import annotations

import argparse

from optheory.cli._common import add_json_flag

EXAMPLE = """examples:
  optheory report                      # all topics into reports/
  optheory report --out /tmp/r --topic quadratics momentum

The report is built in a temporary folder beside DIR and moved into place at
the end: an interrupted run leaves the previous report intact.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    import optheory.report.topics  # noqa: F401  (registers the topics, listed in --help)
    from optheory.report.command import HELP, configure_parser

    parser = subparsers.add_parser(
        "report", help=HELP, description=HELP + ".", epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    configure_parser(parser)
    add_json_flag(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    import json

    import optheory.report.topics  # noqa: F401  (registers the topics)
    from optheory.report.build import TOPICS, build_report

    out = build_report(args.out, args.topic)
    topics = list(args.topic) if args.topic else list(TOPICS)
    if args.json:
        print(json.dumps({"out": str(out), "index": str(out / "index.html"), "topics": topics}))
    else:
        print(out / "index.html")
    return 0
