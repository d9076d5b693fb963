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
