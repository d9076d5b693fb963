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
    "Mutant",
    "MutantResult",
    "Verdict",
    "claim",
    "registered_claims",
    "run_claims",
    "run_mutants",
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
class Mutant:
    """The claim's statement with one thing changed, and the verdict it must get.

    The check of a claim takes the statement's content as keyword arguments
    (their defaults are what the source writes); ``change`` overrides one of
    them, so the same derivation and witnesses judge the mutated statement.

    Attributes
    ----------
    statement : str
        LaTeX of the mutated statement.
    change : dict
        Keyword arguments passed to the claim's check.
    expect : {"holds", "fails"}
        "holds": the mutant is the correction of a refuted or conditional
        statement, fed back as the statement; "fails": a perturbation of a true
        statement (or of a correction), which must come out refuted or
        conditional.
    """

    statement: str
    change: dict[str, Any]
    expect: Literal["holds", "fails"]

    def __post_init__(self) -> None:
        if self.expect not in ("holds", "fails"):
            raise ValueError(f"expect must be 'holds' or 'fails', got {self.expect!r}")
        if not self.change:
            raise ValueError("a mutant must change at least one input of the check")


@dataclass(frozen=True)
class Claim:
    """A statement from a source document and the function that checks it."""

    id: str
    source: str
    section: str
    statement: str
    check: Callable[..., Verdict] = field(repr=False)
    mutants: tuple[Mutant, ...] = ()


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


@dataclass(frozen=True)
class MutantResult:
    """The verdict of one mutant next to the claim's own verdict.

    ``flipped`` is true when the mutant's verdict differs from the claim's and
    goes the declared way (``expect``): "holds" for a correction, "refuted" or
    "conditional" for a perturbation.
    """

    id: str
    mutant: str
    change: dict[str, str]
    expect: str
    verdict: str
    mutant_verdict: str
    flipped: bool
    summary: str
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "mutant": self.mutant,
            "change": self.change,
            "expect": self.expect,
            "verdict": self.verdict,
            "mutant_verdict": self.mutant_verdict,
            "flipped": self.flipped,
            "summary": self.summary,
            "error": self.error,
        }


_REGISTRY: dict[str, Claim] = {}


def claim(
    id: str, *, source: str, section: str, statement: str, mutants: Iterable[Mutant] = ()
) -> Callable[[Callable[..., Verdict]], Callable[..., Verdict]]:
    """Register the decorated function as the check of claim ``id``.

    ``mutants`` are changed statements whose verdicts must flip (see
    :class:`Mutant`); their ``change`` keys must be keyword arguments of the check.
    """
    muts = tuple(mutants)

    def decorate(check: Callable[..., Verdict]) -> Callable[..., Verdict]:
        if id in _REGISTRY:
            raise RuntimeError(f"claim {id!r} registered twice")
        import inspect

        params = inspect.signature(check).parameters
        for m in muts:
            unknown = [k for k in m.change if k not in params]
            if unknown:
                raise RuntimeError(f"claim {id!r}: mutant changes {unknown}, not inputs of the check")
        _REGISTRY[id] = Claim(id, source, section, statement, check, muts)
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
    selected = _select(ids, source)
    results = []
    for item in selected:
        if progress is not None:
            progress(item.id)
        results.append(_run_one(item))
    return results


def _run_one(item: Claim, change: dict[str, Any] | None = None) -> ClaimResult:
    """Run one check (with the inputs ``change`` overridden); a raising check gives "error"."""
    statement = item.statement
    start = time.perf_counter()
    try:
        v = item.check(**(change or {}))
    except Exception as exc:  # a failing check is reported, not raised
        return ClaimResult(item.id, item.source, item.section, statement, "error", None,
                           {}, f"check raised {type(exc).__name__}", time.perf_counter() - start,
                           f"{type(exc).__name__}: {exc}")
    return ClaimResult(item.id, item.source, item.section, statement, v.verdict,
                       v.corrected, v.evidence, v.summary, time.perf_counter() - start)


def flips(verdict: str, mutant_verdict: str, expect: str) -> bool:
    """Whether a mutant's verdict changed the declared way."""
    if verdict == "error" or mutant_verdict == "error" or mutant_verdict == verdict:
        return False
    if expect == "holds":
        return mutant_verdict == "holds"
    return mutant_verdict in ("refuted", "conditional")


def run_mutants(
    ids: Iterable[str] | None = None,
    source: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[MutantResult]:
    """Run each selected claim and each of its mutants; one row per mutant.

    Raises
    ------
    ValueError
        An unknown claim id or source.
    """
    rows = []
    for item in _select(ids, source):
        if progress is not None:
            progress(item.id)
        base = _run_one(item)
        for m in item.mutants:
            out = _run_one(item, m.change)
            rows.append(MutantResult(
                item.id, m.statement, {k: str(v) for k, v in m.change.items()}, m.expect,
                base.verdict, out.verdict, flips(base.verdict, out.verdict, m.expect),
                out.error or out.summary, base.error or out.error,
            ))
    return rows


def _select(ids: Iterable[str] | None, source: str | None) -> list[Claim]:
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
    return selected
