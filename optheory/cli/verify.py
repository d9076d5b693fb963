"""``optheory verify``: run the textbook claims and print their verdicts."""

from __future__ import annotations

import argparse
import sys

from optheory.cli._common import add_json_flag, emit

EXAMPLE = """examples:
  optheory verify
  optheory verify --claim momentum.region --claim rmsprop.half-life
  optheory verify --source textbook --json
  optheory verify --mutants --claim momentum.minimizer

A refuted claim is a finding, not a failure: the exit code is 0 when every
check ran, 1 when a check itself raised an error (with --mutants: also when a
mutant's verdict did not flip as expected), 2 for bad usage.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="verify the textbook's claims (derivation + numeric experiment)",
        description="Run each claim's symbolic check and numeric experiment; print the verdicts.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--claim", action="append", metavar="ID", help="a claim id (repeatable)")
    parser.add_argument("--source", metavar="NAME", help="only claims from this source")
    parser.add_argument("--list", action="store_true",
                        help="list claim ids (those selected by --claim/--source) and exit")
    parser.add_argument("--mutants", action="store_true",
                        help="also run each claim's mutants (the statement with one thing "
                             "changed) and show whether the verdict flips as expected")
    add_json_flag(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from optheory.verification.registry import registered_claims, run_claims

    claims = list(dict.fromkeys(args.claim)) if args.claim else None  # dedupe, keep order
    if args.list:
        table = registered_claims()
        if claims is not None:
            unknown = [i for i in claims if i not in table]
            if unknown:
                raise ValueError(f"unknown claim id {unknown[0]!r}; valid ids: {', '.join(table)}")
            table = {i: table[i] for i in claims}
        if args.source is not None:
            sources = sorted({c.source for c in registered_claims().values()})
            if args.source not in sources:
                raise ValueError(f"unknown source {args.source!r}; valid sources: {', '.join(sources)}")
            table = {i: c for i, c in table.items() if c.source == args.source}
        payload = [{"id": c.id, "source": c.source, "section": c.section} for c in table.values()]
        emit(payload, args.json, "\n".join(f"{c.id:32s} {c.source}" for c in table.values()))
        return 0
    progress = None
    if sys.stderr.isatty() and not args.json:
        def progress(name: str) -> None:
            print(f"  checking {name} ...", file=sys.stderr)
    if args.mutants:
        return _handle_mutants(claims, args, progress)
    results = run_claims(claims, args.source, progress=progress)
    payload = [r.as_dict() for r in results]
    width = max((len(r.id) for r in results), default=10)
    lines = [f"{'claim':{width}s}  {'verdict':11s}  evidence"]
    for r in results:
        lines.append(f"{r.id:{width}s}  {r.verdict:11s}  {r.error or r.summary}")
    counts = {v: sum(r.verdict == v for r in results) for v in ("holds", "conditional", "refuted", "error")}
    lines.append(
        f"{len(results)} claims: {counts['holds']} hold, {counts['conditional']} conditional, "
        f"{counts['refuted']} refuted, {counts['error']} errors"
    )
    emit(payload, args.json, "\n".join(lines))
    return 1 if counts["error"] else 0


def _handle_mutants(claims: list[str] | None, args: argparse.Namespace, progress: object) -> int:
    """``--mutants``: one row per mutant; exit 1 when a mutant does not flip or a check raised."""
    from optheory.verification.registry import run_mutants

    rows = run_mutants(claims, args.source, progress=progress)  # type: ignore[arg-type]
    payload = [{k: r.as_dict()[k] for k in ("id", "mutant", "verdict", "mutant_verdict", "flipped",
                                            "expect", "change", "error")} for r in rows]
    width = max((len(r.id) for r in rows), default=10)
    lines = [f"{'claim':{width}s}  {'verdict':11s}  {'mutant':11s}  flipped  changed"]
    for r in rows:
        change = ", ".join(f"{k}={v}" for k, v in r.change.items())
        lines.append(f"{r.id:{width}s}  {r.verdict:11s}  {r.mutant_verdict:11s}  "
                     f"{'yes' if r.flipped else 'NO':7s}  {change}")
    flipped = sum(r.flipped for r in rows)
    lines.append(f"{len(rows)} mutants of {len({r.id for r in rows})} claims: {flipped} flipped, "
                 f"{len(rows) - flipped} did not")
    emit(payload, args.json, "\n".join(lines))
    return 0 if flipped == len(rows) else 1
