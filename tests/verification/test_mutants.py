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
from optheory.verification.registry import (
    Mutant,
    flips,
    registered_claims,
    run_mutants,
)


@pytest.fixture(scope="module")
def rows() -> list:
    return run_mutants()


def test_every_claim_declares_a_mutant() -> None:
    table = registered_claims()
    assert len(table) >= 45
    assert [cid for cid, c in table.items() if not c.mutants] == []


def test_mutant_statements_differ_from_the_claims() -> None:
    for cid, c in registered_claims().items():
        for m in c.mutants:
            assert m.statement != c.statement, cid


@pytest.mark.slow
def test_every_mutant_flips(rows: list) -> None:
    assert {r.id for r in rows} == set(registered_claims())
    errors = [(r.id, r.error) for r in rows if r.error]
    assert errors == []
    not_flipped = [(r.id, r.change, r.verdict, r.mutant_verdict) for r in rows if not r.flipped]
    assert not_flipped == []
    for r in rows:
        if r.expect == "holds":
            assert r.verdict in ("refuted", "conditional") and r.mutant_verdict == "holds", r.id
        else:
            assert r.mutant_verdict in ("refuted", "conditional"), r.id


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
