"""``optheory verify``: claim selection from the shell (and ``verify`` from Python)."""

from __future__ import annotations

import json

import pytest

from optheory.cli import main
from optheory.verification import verify

FAST = ("momentum.region", "rmsprop.half-life")  # each runs in well under a second


def test_repeated_claim_runs_once_in_given_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--claim", FAST[1], "--claim", FAST[0], "--claim", FAST[1],
                 "--json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == [FAST[1], FAST[0]]


def test_list_respects_claim_and_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--list", "--claim", FAST[0], "--claim", FAST[0], "--json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == [FAST[0]]
    assert main(["verify", "--list", "--source", "textbook", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["source"] for r in rows} == {"textbook"}


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["verify", "--list", "--claim", "no.such"], "unknown claim id 'no.such'"),
        (["verify", "--list", "--source", "nowhere"], "unknown source 'nowhere'"),
    ],
)
def test_list_bad_selection(argv: list[str], fragment: str,
                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1


def test_verify_takes_one_id_as_a_string() -> None:
    # a str used to be iterated character by character ("unknown claim id 'm'")
    assert [r.id for r in verify(FAST[0])] == [FAST[0]]
    assert [r.id for r in verify([FAST[0], FAST[0]])] == [FAST[0]]


def test_table_for_readers(capsys: pytest.CaptureFixture[str]) -> None:
    from optheory.verification.sources import SOURCES

    assert main(["verify", "--claim", FAST[0], "--claim", FAST[1]]) == 0
    text = capsys.readouterr().out
    assert "statement" in text.splitlines()[0] and "correction" in text.splitlines()[0]
    assert "momentum converges when" in text  # the statement, shortened, without LaTeX
    assert SOURCES["textbook"].title in text
    rows = json.loads((main(["verify", "--claim", FAST[1], "--json"]), capsys.readouterr().out)[1])
    assert rows[0]["source"] == "textbook" and rows[0]["source_title"] == SOURCES["textbook"].title


def test_verdict_and_source_filters(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--claim", FAST[0], "--claim", FAST[1], "--verdict", "refuted",
                 "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == [FAST[1]] and rows[0]["verdict"] == "refuted"
    assert main(["verify", "--list", "--source", "003", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["source"] for r in rows} == {"seed 003_59c5c62d60be4dbd"}
    assert all("Pytorch" in r["source_title"] for r in rows)
    assert main(["verify", "--list", "--verdict", "holds"]) == 2
    assert "--verdict needs the checks to run" in capsys.readouterr().err


def test_every_source_has_a_title() -> None:
    from optheory.verification.registry import registered_claims
    from optheory.verification.sources import SOURCES

    used = {c.source for c in registered_claims().values()}
    assert used <= set(SOURCES)
    for source in SOURCES.values():
        assert source.title and source.kind and not source.title.startswith("seed ")
