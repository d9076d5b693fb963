"""Mutation tests of the claims registry: a changed statement must change the verdict.

Every claim declares mutants (its statement with one thing changed).  A true
statement's perturbation must come out refuted or conditional; a refuted or
conditional statement's correction, fed back as the statement, must hold.  A
verdict typed into a check instead of computed from the statement cannot pass.
"""

from __future__ import annotations

import json

import pytest

from optheory.cli import main
from optheory.verification.registry import Mutant, flips, registered_claims
from optheory.verification.text_numbers import collect_values, unexplained_numbers


@pytest.fixture(scope="module")
def outcomes() -> dict:
    """Every claim's check run as stated (index -1) and with each mutant's change (0, 1, ...)."""
    out = {}
    for cid, c in registered_claims().items():
        for i, change in [(-1, {})] + list(enumerate(m.change for m in c.mutants)):
            try:
                out[cid, i] = c.check(**change)
            except Exception as exc:  # reported by the test, with the claim
                out[cid, i] = exc
    return out


def test_every_claim_declares_a_mutant() -> None:
    table = registered_claims()
    assert len(table) >= 45
    assert [cid for cid, c in table.items() if not c.mutants] == []


def test_mutant_statements_differ_from_the_claims() -> None:
    for cid, c in registered_claims().items():
        for m in c.mutants:
            assert m.statement != c.statement, cid


@pytest.mark.slow
def test_every_mutant_flips(outcomes: dict) -> None:
    errors = [(key, str(v)) for key, v in outcomes.items() if isinstance(v, Exception)]
    assert errors == []
    not_flipped = []
    for cid, c in registered_claims().items():
        base = outcomes[cid, -1].verdict
        for i, m in enumerate(c.mutants):
            got = outcomes[cid, i].verdict
            if not flips(base, got, m.expect):
                not_flipped.append((cid, m.change, base, got))
            if m.expect == "holds":
                assert base in ("refuted", "conditional") and got == "holds", cid
            else:
                assert got in ("refuted", "conditional"), cid
    assert not_flipped == []


@pytest.mark.slow
def test_every_number_in_summaries_comes_from_a_value(outcomes: dict) -> None:
    # the number-in-text check over every claim's summary and corrected statement, as stated
    # and under each mutant (the alternative sentences): each printed number is one of the
    # evidence values or an input of the (mutated) statement
    bad = []
    for cid, c in registered_claims().items():
        statements = [c.statement] + [m.statement for m in c.mutants]
        for i in [-1, *range(len(c.mutants))]:
            v = outcomes[cid, i]
            if isinstance(v, Exception):
                continue
            values = collect_values(v.evidence)
            inputs = collect_values(statements[i + 1])
            for name, text in (("summary", v.summary), ("corrected", v.corrected or "")):
                miss = unexplained_numbers(text, values, inputs)
                if miss:
                    bad.append((cid, i, name, miss))
    assert bad == []


def test_evidence_is_readable(outcomes: dict) -> None:
    # evidence is for reading: no formula longer than a line (120 characters)
    long = []
    for (cid, i), v in outcomes.items():
        if isinstance(v, Exception):
            continue
        stack = [v.evidence]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list):
                if all(isinstance(x, str) for x in item) and item:
                    long += [(cid, i, x) for x in item if len(x) > 120]
                else:
                    stack.extend(item)
            elif isinstance(item, str) and len(item) > 120:
                long.append((cid, i, item[:80]))
    assert long == []


def test_flip_rule() -> None:
    assert flips("holds", "refuted", "fails") and flips("holds", "conditional", "fails")
    assert flips("refuted", "holds", "holds") and flips("conditional", "holds", "holds")
    assert flips("conditional", "refuted", "fails")
    # same verdict, wrong direction, or an error: no flip
    assert not flips("holds", "holds", "fails")
    assert not flips("conditional", "conditional", "fails")
    assert not flips("refuted", "conditional", "holds")
    assert not flips("holds", "error", "fails") and not flips("error", "holds", "holds")


def test_mutant_needs_a_change_and_a_direction() -> None:
    with pytest.raises(ValueError, match="expect"):
        Mutant("s", {"a": 1}, "maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="change"):
        Mutant("s", {}, "fails")


def test_a_typed_in_verdict_is_caught() -> None:
    # a check that ignores its input (a typed-in verdict) does not flip
    from optheory.verification import registry

    def typed_in(stated: int = 1) -> registry.Verdict:
        return registry.Verdict("holds", {}, "always holds")

    claim = registry.Claim("fake.typed-in", "test", "none", "s", typed_in,
                           (Mutant("s'", {"stated": 2}, "fails"),))
    base = registry._run_one(claim)
    mutant = registry._run_one(claim, {"stated": 2})
    assert not flips(base.verdict, mutant.verdict, "fails")


def test_cli_mutants_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--mutants", "--claim", "momentum.gd-in-z", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out) == 2
    for row in out:
        assert {"id", "mutant", "verdict", "mutant_verdict", "flipped"} <= set(row)
        assert row["id"] == "momentum.gd-in-z" and row["verdict"] == "conditional"
        assert row["flipped"] is True
    assert {row["mutant_verdict"] for row in out} == {"holds", "refuted"}
    assert any(r"\eta\Lambda" in row["mutant"] for row in out)


def test_cli_mutants_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--mutants", "--claim", "adam.example"]) == 0
    text = capsys.readouterr().out
    assert "adam.example" in text and "holds" in text and "refuted" in text
    assert "1 mutants of 1 claims: 1 flipped, 0 did not" in text


def test_cli_mutants_respects_verdict_filter(capsys: pytest.CaptureFixture[str]) -> None:
    # adam.example holds: asking for refuted claims leaves no mutant rows
    assert main(["verify", "--mutants", "--claim", "adam.example", "--verdict", "refuted",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
