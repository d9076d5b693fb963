"""Atomic file writes and atomic directory replacement (optheory/_io.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from optheory import _io
from optheory._io import (
    atomic_write_bytes,
    atomic_write_text,
    replace_directory_atomically,
    staged_directory,
)


def _siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def test_atomic_write_text_exact_bytes_and_replace(tmp_path):
    target = tmp_path / "sub" / "a.txt"
    atomic_write_text(target, "one\r\ntwo\n")
    # no newline translation: the bytes are exactly the encoded string
    assert target.read_bytes() == b"one\r\ntwo\n"
    atomic_write_text(target, "\u03b7\u03bb")
    assert target.read_text(encoding="utf-8") == "\u03b7\u03bb"
    assert _siblings(target) == ["a.txt"]  # no temporary file left


def test_atomic_write_bytes_under_a_file_is_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for target in (blocker / "a.bin", blocker / "deeper" / "a.bin"):
        with pytest.raises(ValueError, match="cannot write") as info:
            atomic_write_bytes(target, b"data")
        assert "\n" not in str(info.value)
    assert _siblings(blocker) == ["file"] and blocker.read_text() == "x"


def test_atomic_write_to_a_directory_is_refused(tmp_path):
    with pytest.raises(ValueError, match="is a directory"):
        atomic_write_text(tmp_path, "x")


def test_atomic_write_failure_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "a.txt"
    target.write_text("old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_io.os, "replace", broken_replace)
    with pytest.raises(ValueError, match="No space left on device"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert _siblings(target) == ["a.txt"]


def test_staged_directory_replaces_whole_folder(tmp_path):
    target = tmp_path / "reports"
    target.mkdir()
    (target / "stale.html").write_text("old")
    with staged_directory(target) as build:
        assert build.parent == target.parent and build.name.startswith(".tmp-reports-")
        assert (target / "stale.html").exists()  # the old report survives while building
        (build / "index.html").write_text("new")
    assert sorted(os.listdir(target)) == ["index.html"]
    assert (target / "index.html").read_text() == "new"
    assert _siblings(target) == ["reports"]  # no staging or backup folder left
    assert oct(target.stat().st_mode & 0o777) == oct(0o755)


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_staged_directory_failure_keeps_previous(tmp_path, error):
    target = tmp_path / "reports"
    target.mkdir()
    (target / "index.html").write_text("previous")
    with pytest.raises(type(error)):
        with staged_directory(target) as build:
            (build / "index.html").write_text("half")
            raise error
    assert (target / "index.html").read_text() == "previous"
    assert _siblings(target) == ["reports"]


def test_staged_directory_creates_missing_parents(tmp_path):
    target = tmp_path / "a" / "b" / "reports"
    result = replace_directory_atomically(lambda d: (d / "x").write_text("1") and "done", target)
    assert result == "done" and (target / "x").read_text() == "1"


def test_failed_swap_restores_the_backup(tmp_path, monkeypatch):
    target = tmp_path / "reports"
    target.mkdir()
    (target / "index.html").write_text("previous")
    real_rename = os.rename
    calls = []

    def flaky_rename(src, dst):
        calls.append((Path(src).name, Path(dst).name))
        # second rename (staging -> target) fails; the first (target -> backup)
        # and the restoring third one succeed
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        return real_rename(src, dst)

    monkeypatch.setattr(_io.os, "rename", flaky_rename)
    with pytest.raises(ValueError, match="Input/output error"):
        with staged_directory(target) as build:
            (build / "index.html").write_text("new")
    assert len(calls) == 3 and calls[2][1] == "reports"
    assert (target / "index.html").read_text() == "previous"
    assert _siblings(target) == ["reports"]


@pytest.mark.parametrize("make_target", ["under_file", "is_file"])
def test_unwritable_target_is_one_line_error(tmp_path, make_target):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    target = blocker / "reports" if make_target == "under_file" else blocker
    with pytest.raises(ValueError, match="cannot write") as info:
        with staged_directory(target):
            pytest.fail("the body must not run for an unwritable target")
    assert "\n" not in str(info.value)
    assert _siblings(blocker) == ["file"] and blocker.read_text() == "x"


def test_empty_name_is_refused(tmp_path):
    with pytest.raises(ValueError, match="named directory"):
        with staged_directory(Path("/")):
            pass
