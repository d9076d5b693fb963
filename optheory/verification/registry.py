"""The claims registry: textbook statements, each with a check computed at run time.

A claim couples a statement *as its source writes it* with a function that
derives the truth symbolically and runs the real optimizers where that
applies.  The verdict is whatever the check returns; nothing is typed in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from optheory.verification.sources import resolve_source, source_title

__all__ = [
    "Claim",
    "ClaimResult",
    "Verdict",
    "claim",
    "registered_claims",
    "run_claims",
]

VerdictName = Literal["holds", "conditional", "refuted"]


@dataclass(frozen=True)
class Verdict:
    """What a check found.

    Attributes
    ----------
    verdict : {"holds", "conditional", "refuted"}
        "conditional" means the statement holds only under conditions the
        source does not state; ``corrected`` then states them.
    evidence : dict
        Numbers behind the verdict (derived values, measured values, tolerances,
        counterexamples).
    summary : str
        One line of evidence for tables.
    corrected : str or None
        LaTeX of the corrected statement for "refuted" and "conditional".
    """

    verdict: VerdictName
    evidence: dict[str, Any]
    summary: str
    corrected: str | None = None

    def __post_init__(self) -> None:
        if self.verdict not in ("holds", "conditional", "refuted"):
            raise ValueError(f"verdict must be holds, conditional or refuted, got {self.verdict!r}")
        if self.verdict != "holds" and not self.corrected:
            raise ValueError("a refuted or conditional verdict needs the corrected statement")


@dataclass(frozen=True)
class Claim:
    """A statement from a source document and the function that checks it."""

    id: str
    source: str
    section: str
    statement: str
    check: Callable[[], Verdict] = field(repr=False)


@dataclass(frozen=True)
class ClaimResult:
    """The outcome of running one claim's check.

    Attributes
    ----------
    id, source, section, statement : str
        The claim as registered; ``statement`` is the source's formula (LaTeX).
    verdict : {"holds", "conditional", "refuted", "error"}
        Computed by the check; "error" when the check itself raised (for
        instance a numeric witness that disagrees with its derivation).
    corrected : str or None
        LaTeX of the corrected statement (refuted / conditional).
    evidence : dict
        The numbers behind the verdict (derived, measured, tolerances,
        counterexamples), JSON-friendly.
    summary : str
        One line of evidence.
    seconds : float
        Time the check took (not part of :meth:`as_dict`, which is deterministic).
    error : str or None
        The exception, when ``verdict == "error"``.
    """

    id: str
    source: str
    section: str
    statement: str
    verdict: str
    corrected: str | None
    evidence: dict[str, Any]
    summary: str
    seconds: float
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "source_title": source_title(self.source),
            "section": self.section,
            "statement": self.statement,
            "verdict": self.verdict,
            "corrected": self.corrected,
            "evidence": self.evidence,
            "summary": self.summary,
            "error": self.error,
        }


_REGISTRY: dict[str, Claim] = {}


def claim(
    id: str, *, source: str, section: str, statement: str
) -> Callable[[Callable[[], Verdict]], Callable[[], Verdict]]:
    """Register the decorated function as the check of claim ``id``."""

    def decorate(check: Callable[[], Verdict]) -> Callable[[], Verdict]:
        if id in _REGISTRY:
            raise RuntimeError(f"claim {id!r} registered twice")
        _REGISTRY[id] = Claim(id, source, section, statement, check)
        return check

    return decorate


def registered_claims() -> dict[str, Claim]:
    """All claims, loading the modules that define them."""
    from optheory.verification import claims  # noqa: F401  (registers on import)

    return dict(_REGISTRY)


def run_claims(
    ids: Iterable[str] | None = None,
    source: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[ClaimResult]:
    """Run the checks of the selected claims, in registry order.

    Raises
    ------
    ValueError
        An unknown claim id or source (the message lists the valid ones).
    """
    table = registered_claims()
    selected = list(table.values())
    if ids is not None:
        wanted = list(ids)
        unknown = [i for i in wanted if i not in table]
        if unknown:
            raise ValueError(
                f"unknown claim id {unknown[0]!r}; valid ids: {', '.join(table)}"
            )
        selected = [table[i] for i in wanted]
    if source is not None:
        source = resolve_source(source, sorted({c.source for c in table.values()}))
        selected = [c for c in selected if c.source == source]
    results = []
    for item in selected:
        if progress is not None:
            progress(item.id)
        start = time.perf_counter()
        try:
            v = item.check()
        except Exception as exc:  # a failing check is reported, not raised
            results.append(
                ClaimResult(item.id, item.source, item.section, item.statement, "error", None,
                            {}, f"check raised {type(exc).__name__}", time.perf_counter() - start,
                            f"{type(exc).__name__}: {exc}")
            )
            continue
        results.append(
            ClaimResult(item.id, item.source, item.section, item.statement, v.verdict,
                        v.corrected, v.evidence, v.summary, time.perf_counter() - start)
        )
    return results
