"""Topic pages read claim verdicts from the registry: a different verdict changes the prose."""

from __future__ import annotations

import pytest

from optheory.report.topics import _common
from optheory.verification.registry import ClaimResult


def _fake(claim_id: str, verdict: str) -> ClaimResult:
    return ClaimResult(claim_id, "test", "test", "s", verdict, None, {}, "fake", 0.0)


def _texts(page) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(getattr(b, "text", "") for b in page.blocks)


@pytest.fixture
def verdicts(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    table: dict[str, ClaimResult] = {}
    monkeypatch.setattr(_common, "_CLAIM_RESULTS", table)

    def set_(mapping: dict[str, str]) -> None:
        table.clear()
        table.update({k: _fake(k, v) for k, v in mapping.items()})

    return set_


def test_verdict_phrase_follows_the_registry(verdicts) -> None:  # type: ignore[no-untyped-def]
    phrases = {"holds": "H", "conditional": "C", "refuted": "R"}
    for v in ("holds", "conditional", "refuted"):
        verdicts({"rmsprop.half-life": v})
        assert _common.verdict_phrase("rmsprop.half-life", phrases) == v[0].upper()
    verdicts({"rmsprop.half-life": "error"})
    assert "could not be checked" in _common.verdict_phrase("rmsprop.half-life", phrases)


def test_leaky_page_reads_half_life_verdicts(verdicts) -> None:  # type: ignore[no-untyped-def]
    from optheory.report.topics import leaky

    verdicts({"rmsprop.half-life": "refuted", "adadelta.half-life": "refuted"})
    text = _texts(leaky.build())
    assert text.count("does not match the derived half-life") == 2
    verdicts({"rmsprop.half-life": "holds", "adadelta.half-life": "refuted"})
    text = _texts(leaky.build())
    assert "(RMSProp) matches the derived half-life" in text
    assert text.count("does not match the derived half-life") == 1


def test_quadratics_page_reads_verdicts(verdicts) -> None:  # type: ignore[no-untyped-def]
    from optheory.report.topics import quadratics

    ids = ("momentum.minimizer", "momentum.completed-square", "momentum.gradient")
    verdicts(dict(zip(ids, ("holds", "refuted", "refuted"), strict=True)))
    text = _texts(quadratics.build())
    assert "`momentum.completed-square`: refuted" in text
    assert "`momentum.gradient`: refuted" in text
    verdicts(dict(zip(ids, ("holds", "holds", "refuted"), strict=True)))
    text = _texts(quadratics.build())
    assert "`momentum.completed-square`: it holds" in text
    assert "the sign is wrong" not in text


def test_pages_run_each_claim_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import optheory.verification as verification

    calls: list[list[str]] = []
    real = verification.verify

    def counting(ids=None, source=None):  # type: ignore[no-untyped-def]
        calls.append(list(ids or []))
        return real(ids, source)

    monkeypatch.setattr(_common, "_CLAIM_RESULTS", {})
    monkeypatch.setattr(verification, "verify", counting)
    _common.claim_results(["adam.example"])
    _common.claim_results(["adam.example", "adam.example"])
    assert calls == [["adam.example"]]
