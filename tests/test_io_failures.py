"""OS errors during writes are one-line errors; dead builders' leftovers are cleaned up."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from optheory import _io
from optheory._io import atomic_write_files, replace_directory_atomically, staged_directory
from optheory.cli import main


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _failing_fsync(code: int, after: int = 0):
    calls = {"n": 0}
    real = os.fsync

    def fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] > after:
            raise OSError(code, os.strerror(code))
        real(fd)

    return fsync


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EIO])
def test_atomic_write_files_is_all_or_nothing(tmp_path, monkeypatch, code):
    (tmp_path / "a.json").write_text("old a")
    # the second file fails: the first must not land either, no temporary file stays
    monkeypatch.setattr(_io.os, "fsync", _failing_fsync(code, after=1))
    with pytest.raises(ValueError) as info:
        atomic_write_files({tmp_path / "a.json": b"new a", tmp_path / "b.svg": b"new b"})
    message = str(info.value)
    assert "\n" not in message and "b.svg" in message and os.strerror(code) in message
    assert _listing(tmp_path) == ["a.json"] and (tmp_path / "a.json").read_text() == "old a"


def test_atomic_write_files_removes_the_folders_it_made(tmp_path, monkeypatch):
    monkeypatch.setattr(_io.os, "fsync", _failing_fsync(errno.ENOSPC))
    with pytest.raises(ValueError, match="No space left"):
        atomic_write_files({tmp_path / "new" / "deeper" / "a.json": b"x"})
    assert _listing(tmp_path) == []


def test_on_ready_failure_lands_nothing(tmp_path):
    def refuse(paths):
        raise OSError(errno.ENOSPC, "stdout is full")

    with pytest.raises(OSError):
        atomic_write_files({tmp_path / "a": b"1", tmp_path / "b": b"2"}, on_ready=refuse)
    assert _listing(tmp_path) == []


def test_exercise_out_on_a_full_disk_leaves_nothing(tmp_path, monkeypatch, capsys):
    out = tmp_path / "answers"
    out.mkdir()
    (out / "answer.json").write_text("previous")
    monkeypatch.setattr(_io.os, "fsync", _failing_fsync(errno.ENOSPC, after=1))
    assert main(["exercise", "momentum", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left on device" in err[0]
    assert _listing(out) == ["answer.json"] and (out / "answer.json").read_text() == "previous"


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS, errno.ENAMETOOLONG])
def test_staged_directory_os_errors_are_one_line(tmp_path, code):
    target = tmp_path / "rep"
    with pytest.raises(ValueError) as info:
        with staged_directory(target) as staging:
            (staging / "index.html").write_text("half")
            raise OSError(code, os.strerror(code), str(staging / "index.html"))
    message = str(info.value)
    assert "\n" not in message and os.strerror(code) in message and "rep" in message
    assert ".tmp-" not in message  # named by the target, not the staging folder
    assert _listing(tmp_path) == []


def test_report_data_unreadable_is_one_line(tmp_path, capsys):
    folder = tmp_path / "dir.dat"
    folder.mkdir()
    assert main(["report", "--out", str(tmp_path / "r"), "--data", str(folder)]) == 2
    assert "not a readable file" in capsys.readouterr().err


def test_os_error_anywhere_in_a_command_is_one_line(monkeypatch, capsys):
    import optheory.cli.minimize as minimize

    def broken(args):
        raise PermissionError(errno.EACCES, "Permission denied", "/root/secret")

    monkeypatch.setattr(minimize, "handle", broken)
    assert main(["minimize", "--Q", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["optheory minimize: error: cannot access '/root/secret': Permission denied"]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_staging_of_a_killed_builder_is_removed(tmp_path):
    dead = _dead_pid()
    stale = tmp_path / f".tmp-rep-{dead}-abcd"
    stale.mkdir()
    (stale / "index.html").write_text("half")
    alive = tmp_path / f".tmp-rep-{os.getpid()}-live"  # a concurrent live build: kept
    alive.mkdir()
    replace_directory_atomically(lambda d: (d / "index.html").write_text("new"), tmp_path / "rep")
    assert _listing(tmp_path) == sorted(["rep", alive.name])
    assert (tmp_path / "rep" / "index.html").read_text() == "new"


def test_backup_of_a_builder_killed_between_renames_is_restored(tmp_path):
    # killed after renaming rep -> .old-rep-PID-x and before renaming the new one in
    dead = _dead_pid()
    backup = tmp_path / f".old-rep-{dead}-wxyz"
    backup.mkdir()
    (backup / "index.html").write_text("previous")

    def build(d: Path) -> None:
        # while building, the lost target is back in place
        assert (tmp_path / "rep" / "index.html").read_text() == "previous"
        (d / "index.html").write_text("new")

    replace_directory_atomically(build, tmp_path / "rep")
    assert _listing(tmp_path) == ["rep"]


def test_replacing_a_symlink_leaves_no_backup_link(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "keep.txt").write_text("user data")
    link = tmp_path / "out"
    link.symlink_to(real, target_is_directory=True)
    replace_directory_atomically(lambda d: (d / "index.html").write_text("new"), link)
    assert _listing(tmp_path) == ["out", "real"]
    assert not link.is_symlink() and (link / "index.html").read_text() == "new"
    assert (real / "keep.txt").read_text() == "user data"  # the link's target is untouched


@pytest.mark.slow
def test_concurrent_builds_into_one_folder(tmp_path):
    # 6 processes x 40 swaps of one target through the library: no error, no leftovers
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from optheory._io import replace_directory_atomically
        target = Path({str(tmp_path / "rep")!r})
        for i in range(40):
            replace_directory_atomically(
                lambda d: (d / "index.html").write_text(sys.argv[1] + str(i)), target)
    """)
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(k)], stderr=subprocess.PIPE,
                         text=True)
        for k in range(6)
    ]
    errors = [p.communicate(timeout=240)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, errors
    assert _listing(tmp_path) == ["rep"]
    assert _listing(tmp_path / "rep") == ["index.html"]
