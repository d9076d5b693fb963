"""``optheory verify``: run the textbook claims and print their verdicts."""

from __future__ import annotations

import argparse
import re
import sys

from optheory.cli._common import add_json_flag, emit

VERDICTS = ("holds", "conditional", "refuted", "error")
#: Width of the statement and correction columns of the table.
SHORT = 56


_TEXT_COMMAND = re.compile(r"\\(?:text|texttt|mathrm|operatorname|mathbf)\{([^{}]*)\}")
_COMMAND = re.compile(r"\\([A-Za-z]+)\s*")


def shorten(text: str | None, width: int = SHORT) -> str:
    """One line of at most ``width`` characters, LaTeX markup reduced to words."""
    if not text:
        return "-"
    plain = _TEXT_COMMAND.sub(r"\1", text)
    plain = _COMMAND.sub(lambda m: "" if m.group(1) in ("left", "right") else m.group(1) + " ", plain)
    flat = " ".join(plain.replace("{", "").replace("}", "").replace("\\", " ").split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."

EXAMPLE = """examples:
  optheory verify
  optheory verify --claim momentum.region --claim rmsprop.half-life
  optheory verify --source textbook --json
  optheory verify --verdict refuted
  optheory verify --source 003 --verdict conditional
  optheory verify --mutants --claim momentum.minimizer

The table shows each claim's statement (shortened), its verdict and the
corrected statement.  --source takes a source id or a seed's number (003);
--list prints every source's title.  --mutants runs each claim's mutants (its
statement with one thing changed) and shows whether the verdict flips.

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
    parser.add_argument("--source", metavar="NAME",
                        help="only claims from this source (id, or a seed number such as 003)")
    parser.add_argument("--verdict", choices=VERDICTS, metavar="VERDICT",
                        help="only claims with this verdict: " + ", ".join(VERDICTS))
    parser.add_argument("--list", action="store_true",
                        help="list claim ids (those selected by --claim/--source) and exit")
    parser.add_argument("--mutants", action="store_true",
                        help="also run each claim's mutants (the statement with one thing "
                             "changed) and show whether the verdict flips as expected")
    add_json_flag(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from optheory.verification.registry import registered_claims, run_claims
    from optheory.verification.sources import resolve_source, source_title

    if args.source is not None:
        args.source = resolve_source(args.source, sorted({c.source for c in registered_claims().values()}))
    if args.list and args.verdict is not None:
        raise ValueError("--verdict needs the checks to run; drop --list")
    claims = list(dict.fromkeys(args.claim)) if args.claim else None  # dedupe, keep order
    if args.list:
        table = registered_claims()
        if claims is not None:
            unknown = [i for i in claims if i not in table]
            if unknown:
                raise ValueError(f"unknown claim id {unknown[0]!r}; valid ids: {', '.join(table)}")
            table = {i: table[i] for i in claims}
        if args.source is not None:
            table = {i: c for i, c in table.items() if c.source == args.source}
        payload = [{"id": c.id, "source": c.source, "source_title": source_title(c.source),
                    "section": c.section, "statement": c.statement} for c in table.values()]
        lines = [f"{c.id:32s} {shorten(c.statement, 50):50s}  {c.section}" for c in table.values()]
        used = sorted({c.source for c in table.values()})
        lines += ["", "sources:", *(f"  {s}: {source_title(s)}" for s in used)]
        emit(payload, args.json, "\n".join(lines))
        return 0
    progress = None
    if sys.stderr.isatty() and not args.json:
        def progress(name: str) -> None:
            print(f"  checking {name} ...", file=sys.stderr)
    if args.mutants:
        return _handle_mutants(claims, args, progress)
    everything = run_claims(claims, args.source, progress=progress)
    results = [r for r in everything if args.verdict is None or r.verdict == args.verdict]
    payload = [r.as_dict() for r in results]
    width = max((len(r.id) for r in results), default=10)
    lines = [f"{'claim':{width}s}  {'verdict':11s}  {'statement':{SHORT}s}  correction"]
    for r in results:
        lines.append(f"{r.id:{width}s}  {r.verdict:11s}  {shorten(r.statement):{SHORT}s}  "
                     f"{shorten(r.corrected) if r.verdict != 'error' else r.error}")
    used = sorted({r.source for r in results})
    if used:
        lines += ["", "sources:", *(f"  {s}: {source_title(s)}" for s in used)]
    counts = {v: sum(r.verdict == v for r in results) for v in VERDICTS}
    lines.append(
        ("" if args.verdict is None else f"{args.verdict} only, of {len(everything)} run: ")
        + f"{len(results)} claims: {counts['holds']} hold, {counts['conditional']} conditional, "
        f"{counts['refuted']} refuted, {counts['error']} errors"
    )
    emit(payload, args.json, "\n".join(lines))
    return 1 if any(r.verdict == "error" for r in everything) else 0


def _handle_mutants(claims: list[str] | None, args: argparse.Namespace, progress: object) -> int:
    """``--mutants``: one row per mutant; exit 1 when a mutant does not flip or a check raised."""
    from optheory.verification.registry import run_mutants

    rows = run_mutants(claims, args.source, progress=progress)  # type: ignore[arg-type]
    if args.verdict is not None:  # claims whose own verdict is the one asked for
        rows = [r for r in rows if r.verdict == args.verdict]
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
