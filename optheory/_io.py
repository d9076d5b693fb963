"""Crash-safe file and directory output.

A file is written to a temporary sibling and renamed over the target, so a
reader sees either the old content or the new one, never a prefix of it. A
whole directory (a report) is built in a temporary sibling folder and swapped in
at the end; if building fails the temporary folder is removed and the previous
directory is left untouched.

Every failure to write raises :class:`ValueError` with one line naming the path,
so the CLI can print it as is.

Directory swaps are serialized by an exclusive ``flock`` on the parent folder,
so concurrent builds into one target never see each other's half-done renames.
Temporary and backup folders carry the builder's process id
(``.tmp-<name>-<pid>-XXXX``, ``.old-<name>-<pid>-XXXX``); the next build removes
those whose process is gone (killed with SIGKILL, power loss), restoring a
backup when the target itself is missing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "atomic_write_bytes",
    "atomic_write_files",
    "atomic_write_text",
    "replace_directory_atomically",
    "staged_directory",
]

T = TypeVar("T")


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _cannot_write(path: Path, exc: OSError) -> ValueError:
    return ValueError(f"cannot write {str(path)!r}: {_reason(exc)}; choose a writable path")


def _prepare_parent(path: Path) -> Path:
    """Create the parent folder of ``path`` (and its ancestors); return it."""
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ValueError(
            f"cannot write {str(path)!r}: {str(parent)!r} exists and is not a directory; "
            "choose a writable path"
        ) from None
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    return parent


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return the path.

    The bytes go to a temporary file in the same folder, are flushed to disk,
    and the file is renamed over ``path`` (``os.replace``, atomic on POSIX).
    Missing parent folders are created.

    Parameters
    ----------
    path
        Destination file.
    data
        Content.

    Returns
    -------
    pathlib.Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    ValueError
        If the file cannot be written (one line naming the path); no temporary
        file is left behind.
    """
    target = Path(path)
    if target.is_dir():
        raise ValueError(f"cannot write {str(target)!r}: it is a directory; choose a file path")
    parent = _prepare_parent(target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".tmp-{target.name}-", dir=parent)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise _cannot_write(target, exc) from None
        raise
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`).

    Line endings are written exactly as given (no platform translation), so
    identical strings give identical files.
    """
    return atomic_write_bytes(path, text.encode(encoding))


def atomic_write_files(
    files: Mapping[Any, bytes],
    on_ready: Callable[[list[Path]], None] | None = None,
) -> list[Path]:
    """Write several files all or nothing; return their paths.

    Every file is first written (and flushed) to a temporary sibling; only
    when all are complete are they renamed over their targets.  If any write
    fails (a full disk, no permission), every temporary file is removed and
    no target has changed.  ``on_ready(paths)`` runs between the two phases;
    if it raises, nothing is renamed either.

    Raises
    ------
    ValueError
        One line naming the path that could not be written.
    """
    staged: list[tuple[Path, Path]] = []
    created: list[Path] = []
    try:
        for path, data in files.items():
            target = Path(path)
            if target.is_dir():
                raise ValueError(
                    f"cannot write {str(target)!r}: it is a directory; choose a file path"
                )
            created += _missing_ancestors(target)
            parent = _prepare_parent(target)
            try:
                fd, tmp_name = tempfile.mkstemp(prefix=f".tmp-{target.name}-", dir=parent)
            except OSError as exc:
                raise _cannot_write(target, exc) from None
            staged.append((Path(tmp_name), target))
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(tmp_name, 0o644)
            except OSError as exc:
                raise _cannot_write(target, exc) from None
        if on_ready is not None:
            on_ready([target for _, target in staged])
        for tmp, target in staged:
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise _cannot_write(target, exc) from None
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
        for folder in reversed(created):  # only the folders this call made, if still empty
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return [target for _, target in staged]


def _missing_ancestors(path: Path) -> list[Path]:
    """The ancestors of ``path`` that do not exist yet, outermost first."""
    missing = []
    for folder in path.parents:
        try:
            if folder.exists():
                break
        except OSError:
            break
        missing.append(folder)
    return list(reversed(missing))


def _remove_tree(path: Path) -> None:
    """Remove a folder, or a symlink without following it."""
    if path.is_symlink() or path.is_file():
        with contextlib.suppress(OSError):
            path.unlink()
        return
    shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``folder`` (POSIX; a no-op where unsupported)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _clean_stale(parent: Path, name: str) -> None:
    """Remove what dead builders of ``parent/name`` left; restore a lost target.

    Must be called with the parent folder locked.
    """
    final = parent / name
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return
    backups: list[Path] = []
    for entry in entries:
        for kind in (".tmp-", ".old-"):
            prefix = f"{kind}{name}-"
            if not entry.name.startswith(prefix):
                continue
            pid_text = entry.name[len(prefix):].split("-", 1)[0]
            if not pid_text.isdigit() or _pid_alive(int(pid_text)):
                continue
            path = Path(entry.path)
            if kind == ".old-":
                backups.append(path)
            elif entry.is_dir(follow_symlinks=False):
                _remove_tree(path)
    for backup in backups:
        if not final.exists() and not final.is_symlink():
            with contextlib.suppress(OSError):
                os.rename(backup, final)  # the builder died between its two renames
                continue
        _remove_tree(backup)


@contextlib.contextmanager
def staged_directory(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Build a directory in a temporary sibling and swap it in on success.

    Usage::

        with staged_directory("reports") as build:
            (build / "index.html").write_text(...)

    On normal exit the staged folder replaces ``target``: the old ``target``
    is renamed to a backup, the new folder is renamed to ``target``, and the
    backup is removed; if the second rename fails the backup is restored. On
    any exception (including ``KeyboardInterrupt``) the staged folder is
    removed and ``target`` keeps its previous content.

    Parameters
    ----------
    target
        The directory to create or replace.

    Yields
    ------
    pathlib.Path
        The empty staging folder (``<parent>/.tmp-<name>-XXXX``).

    Raises
    ------
    ValueError
        If ``target`` exists and is not a directory, or its parent cannot be
        created or written (one line naming the path).
    """
    final = Path(target).absolute()
    if final.name in ("", ".", ".."):
        raise ValueError(f"cannot write {str(target)!r}: give a named directory")
    try:
        _check_directory_target(final)
        parent = _prepare_parent(final)
        with _locked(parent):
            _clean_stale(parent, final.name)
            staging = Path(
                tempfile.mkdtemp(prefix=f".tmp-{final.name}-{os.getpid()}-", dir=parent)
            )
    except OSError as exc:
        raise _cannot_write(final, exc) from None
    try:
        yield staging
        # mkdtemp creates 0o700; a report folder should be readable like any other.
        os.chmod(staging, 0o755)
        with _locked(parent):
            _check_directory_target(final)
            _swap_in(staging, final)
    except OSError as exc:
        _remove_tree(staging)
        where = Path(exc.filename) if isinstance(exc.filename, str) else final
        if staging in where.parents or where == staging:
            where = final
        raise _cannot_write(where, exc) from None
    except BaseException:
        _remove_tree(staging)
        raise


def _check_directory_target(final: Path) -> None:
    if final.exists() and not final.is_dir():
        raise ValueError(
            f"cannot write {str(final)!r}: it exists and is not a directory; "
            "choose a directory path"
        )


def _swap_in(staging: Path, final: Path) -> None:
    """Rename ``staging`` to ``final``, keeping the old ``final`` until it succeeds."""
    backup: Path | None = None
    if final.exists() or final.is_symlink():
        backup = Path(
            tempfile.mkdtemp(prefix=f".old-{final.name}-{os.getpid()}-", dir=final.parent)
        )
        backup.rmdir()  # only the unique name is wanted
        os.rename(final, backup)
    try:
        os.rename(staging, final)
    except BaseException:
        if backup is not None:
            os.rename(backup, final)
        raise
    if backup is not None:
        _remove_tree(backup)


def replace_directory_atomically(
    build: Callable[[Path], T], target: str | os.PathLike[str]
) -> T:
    """Call ``build(staging_dir)`` and swap the result in as ``target``.

    A functional form of :func:`staged_directory`: ``build`` fills the empty
    staging folder it is given; its return value is returned once the folder
    has replaced ``target``. If ``build`` raises, ``target`` is untouched and
    no staging folder is left.

    Raises
    ------
    ValueError
        If ``target`` cannot be written (one line naming the path).
    """
    with staged_directory(target) as staging:
        result = build(staging)
    return result
