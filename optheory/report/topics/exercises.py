"""Report topic: answers to the exercises of the textbook's optimization chapter.

Every answer is computed at build time by :func:`optheory.exercises.answer`
(sympy derivations and optimizer runs); this page shows its text, its
derivation steps and, to keep the page a reasonable size, at most
:data:`MAX_FIGURES` of its figures, taken in turn from the sections.  Sections
without answers are listed as missing.
"""

from __future__ import annotations

import os
from typing import Any

from optheory.report.document import (
    Block,
    Figure,
    Heading,
    Page,
    Table,
    Text,
    Verification,
    VerificationRow,
    split_inline,
)
from optheory.report.topics.claims import plain_text, statement_block

__all__ = ["MAX_FIGURES", "build", "safe_text"]

#: figures shown on the page at most (one per exercise, sections in turn)
MAX_FIGURES = 12


def safe_text(text: str, values: dict[str, Any] | None = None,
              inputs: dict[str, Any] | None = None) -> Text:
    """A :class:`Text` of ``text`` if its prose and inline maths render, else a plain version.

    ``values`` and ``inputs`` travel with the block (the number-in-text check).
    """
    from optheory.report.mathml import latex_to_mathml

    carried = {"values": dict(values or {}), "inputs": dict(inputs or {})}
    try:
        block = Text(text, **carried)
        for kind, content in split_inline(text):
            if kind == "math":
                latex_to_mathml(content)
        return block
    except ValueError:
        return Text(plain_text(text), **carried)


def _figure_choice(answers: list[Any]) -> dict[tuple[str, int], str]:
    """(section, number) -> figure name: one per exercise, round-robin over sections."""
    queues: dict[str, list[tuple[int, str]]] = {}
    for a in answers:
        if a.figures:
            queues.setdefault(a.section, []).append((a.number, sorted(a.figures)[0]))
    chosen: dict[tuple[str, int], str] = {}
    while len(chosen) < MAX_FIGURES and any(queues.values()):
        for section, queue in queues.items():
            if queue and len(chosen) < MAX_FIGURES:
                number, name = queue.pop(0)
                chosen[(section, number)] = name
    return chosen


def build() -> Page:
    from optheory.exercises import SECTIONS, answer, available

    listed = available()
    answers: list[Any] = []
    failures: dict[tuple[str, int], str] = {}
    for section, number, _title in listed:
        try:
            answers.append(answer(section, number, figures=True,
                                  data_path=os.environ.get("OPTHEORY_AIRFOIL") or None))
        except Exception as exc:  # a failing answer is reported on the page, not raised
            failures[(section, number)] = f"{type(exc).__name__}: {exc}"
    chosen = _figure_choice(answers)
    answered_sections = {s for s, _, _ in listed}
    missing_sections = [s for s in SECTIONS if s not in answered_sections]
    gaps = []
    for section in SECTIONS:
        numbers = sorted(n for s, n, _ in listed if s == section)
        if numbers:
            holes = sorted(set(range(1, numbers[-1] + 1)) - set(numbers))
            gaps += [f"{section} {n}" for n in holes]

    blocks: list[Block] = [
        Text(
            f"{len(answers)} exercises are answered"
            + (f" ({len(failures)} more failed to compute)" if failures else "")
            + ". Each answer is computed when the page is built: sympy derives what can be "
            "derived and the project's optimizers run the experiments. Exercises on the "
            "chapter's regression data use a synthetic least-squares problem of the same "
            "shape unless a data path is given (the notes say so). At most "
            f"{MAX_FIGURES} figures are shown, one per exercise, sections in turn.",
            values={"answered": len(answers), "failed": len(failures)},
            inputs={"max_figures": MAX_FIGURES},
        ),
        Text(
            "Missing: "
            + ("sections " + ", ".join(missing_sections) if missing_sections else "no section")
            + (("; exercises " + ", ".join(gaps)) if gaps else "")
            + ".",
            inputs={"gaps": gaps},
        ),
        Table(
            ("section", "answered"),
            tuple((s, ", ".join(str(n) for s2, n, _ in listed if s2 == s) or "-")
                  for s in SECTIONS),
            caption="Answered exercises by section (English edition numbering).",
        ),
    ]

    for section in SECTIONS:
        in_section = [a for a in answers if a.section == section]
        failed = [n for (s, n) in failures if s == section]
        if not in_section and not failed:
            continue
        blocks.append(Heading(f"Section {section}"))
        for a in in_section:
            blocks.append(Heading(f"Exercise {a.number}: {plain_text(a.title)}", 3))
            blocks.append(safe_text(a.answer, a.numbers, a.inputs))
            for k, latex in enumerate(a.derivation):
                blocks.append(statement_block(latex, f"derivation step {k + 1}"))
            if a.note:
                blocks.append(safe_text(f"Note: {a.note}", a.numbers, a.inputs))
            name = chosen.get((a.section, a.number))
            if name is not None:
                slug = f"{a.section}-{a.number}-{name}".replace("_", "-").lower()
                blocks.append(Figure(slug, a.figures[name],
                                     f"Exercise {a.section} {a.number}: {plain_text(name)}."))
        for n in failed:
            blocks.append(Heading(f"Exercise {n}", 3))
            blocks.append(Text(f"The answer failed to compute: {plain_text(failures[(section, n)])}"))

    rows = [
        VerificationRow(
            f"{a.section} {a.number}: answer computed",
            f"{len(a.derivation)} derivation steps", f"{len(a.numbers)} numbers", "no error",
            bool(a.answer.strip()),
        )
        for a in answers
    ] + [
        VerificationRow(f"{s} {n}: answer computed", "-", plain_text(err), "no error", False)
        for (s, n), err in failures.items()
    ]
    if not rows:
        rows = [VerificationRow("exercise answers available", "-", "none registered", "-", False)]
    blocks += [
        Heading("Verification"),
        Text("A row passes when the answer was computed without error and is not empty; the "
             "derived and measured numbers of each answer are in its text above."),
        Verification(tuple(rows), caption="Every answer was computed."),
    ]
    return Page("exercises", "Exercises", tuple(blocks),
                summary="Answers to the chapter's exercises, computed when the report is built.")
