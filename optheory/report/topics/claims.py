"""Report topic: the textbook's claims and what the verifier found.

Runs every registered claim (:func:`optheory.verification.verify`) and shows
each statement as its source writes it, the verdict, the corrected statement
and one line of evidence.  The verification table of this page checks that
every claim's check *ran*; a "refuted" verdict is a finding about the source,
not a failed check.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from optheory.report.document import (
    Block,
    Heading,
    InlineMath,
    Math,
    Page,
    Table,
    Text,
    Verification,
    VerificationRow,
)

__all__ = ["build", "latex_cell", "plain_text", "statement_block"]

_VERDICTS = ("holds", "conditional", "refuted", "error")
_COMMAND = re.compile(r"\\([A-Za-z]+)")


def plain_text(text: str) -> str:
    """``text`` made safe as prose: no LaTeX commands, marks or unescaped dollars.

    Evidence lines are written for terminals (``x**2``, ``|g|``, sometimes a
    LaTeX fragment); here ``**`` becomes ``^``, backticks become quotes,
    ``\\cmd`` loses its backslash and ``$`` becomes a fullwidth dollar sign.
    """
    out = _COMMAND.sub(r"\1", text).replace("\\", "/")
    out = out.replace("**", "^").replace("`", "'")
    # a fullwidth dollar: document.check_prose currently refuses even an escaped "\$"
    return out.replace("$", "\uff04")


def _as_code(latex: str) -> str:
    # shown as source: backslashes dropped so that no LaTeX command reaches the reader
    source = _COMMAND.sub(r"\1", latex).replace("\\", " ").replace("`", "'").strip()
    return f"`{source}`" if source else "-"


def _converts(latex: str) -> bool:
    from optheory.report.mathml import latex_to_mathml

    try:
        latex_to_mathml(latex, "block")
        InlineMath(latex)
    except ValueError:
        return False
    return True


def latex_cell(latex: str | None) -> Any:
    """An :class:`InlineMath` cell if ``latex`` converts to MathML, else its source as code."""
    if latex is None or not latex.strip():
        return "-"
    return InlineMath(latex) if _converts(latex) else _as_code(latex)


def statement_block(latex: str, label: str) -> Block:
    """A displayed formula if ``latex`` converts to MathML, else a paragraph with its source."""
    if latex.strip() and _converts(latex):
        return Math(latex, label=label)
    return Text(f"{label}: {_as_code(latex)}", values={"formula": latex}, inputs={"label": label})


def build() -> Page:
    from optheory.verification import verify
    from optheory.verification.sources import source_title

    results = verify()
    counts = Counter(r.verdict for r in results)
    by_verdict: dict[str, list[str]] = {v: [r.id for r in results if r.verdict == v]
                                        for v in _VERDICTS}
    sources = sorted({r.source for r in results})

    def ids(names: list[str]) -> str:
        return ", ".join(f"`{n}`" for n in names) if names else "none"

    findings = (
        f"{len(results)} statements were checked: {counts.get('holds', 0)} hold, "
        f"{counts.get('conditional', 0)} hold only under conditions their source does not "
        f"state, and {counts.get('refuted', 0)} are refuted"
        + (f"; {counts['error']} checks failed to run" if counts.get("error") else "")
        + "."
    )
    blocks: list[Block] = [
        Text(
            "Each statement is kept as its source writes it. Its check derives the truth "
            "with sympy and runs the optimizers where that applies; the verdict is whatever "
            "the check returns. A refuted or conditional statement comes with a corrected "
            "one.\n\n" + findings,
            values={"counts": dict(counts), "total": len(results)},
        ),
        Text(f"Refuted: {ids(by_verdict['refuted'])}.\n\n"
             f"Conditional: {ids(by_verdict['conditional'])}."
             + (f"\n\nChecks that raised: {ids(by_verdict['error'])}."
                if by_verdict["error"] else "")),
        Table(
            ("source", *_VERDICTS[:3], "total"),
            tuple(
                (plain_text(f"{source_title(src)} [{src}]"),
                 *(sum(1 for r in results if r.source == src and r.verdict == v)
                   for v in _VERDICTS[:3]),
                 sum(1 for r in results if r.source == src))
                for src in sources
            ),
            caption="Verdicts by source.",
        ),
    ]

    blocks.append(Heading("All claims"))
    rows = []
    for r in results:
        evidence = r.summary if r.error is None else f"check raised: {r.error}"
        rows.append((f"`{r.id}`", plain_text(f"{source_title(r.source)}, {r.section}"), r.verdict,
                     plain_text(evidence)))
    blocks.append(Table(
        ("id", "source, section", "verdict", "evidence"), tuple(rows),
        caption="Every claim with its verdict and one line of evidence.",
    ))

    # statements and corrections as displayed formulas (wide ones scroll instead of
    # stretching a table)
    blocks.append(Heading("Statements and corrections"))
    for src in sources:
        blocks.append(Heading(plain_text(source_title(src)), 3))
        blocks.append(Text(plain_text(f"Source id: {src}.")))
        for r in (x for x in results if x.source == src):
            blocks.append(Text(f"`{r.id}` ({plain_text(r.section)}): **{r.verdict}**",
                               inputs={"section": r.section}))
            blocks.append(statement_block(r.statement, "as stated"))
            if r.corrected:
                blocks.append(statement_block(r.corrected, "corrected"))

    checks = tuple(
        VerificationRow(
            f"`{r.id}` check ran",
            r.verdict if r.error is None else "-",
            f"{len(r.evidence)} evidence items" if r.error is None else plain_text(r.error),
            "no error",
            r.error is None,
        )
        for r in results
    )
    blocks += [
        Heading("Verification"),
        Text(
            "Here a row passes when the claim's check ran to completion and returned a "
            "verdict. The verdict itself (holds, conditional, refuted) is the finding and is "
            "shown in the derived column: a refuted claim is a passing check."
        ),
        Verification(checks, caption="Every check ran."),
    ]
    return Page("claims", "Textbook claims", tuple(blocks),
                summary="What the verifier found in the statements of the textbook and the seeds.")
