"""The ``optheory`` command line.

Exit codes: 0 success; 1 a check failed; 2 bad usage or bad input (one-line
message on stderr, never a traceback).

Each subcommand lives in its own module exposing ``register(subparsers)``;
:data:`SUBCOMMANDS` lists them in the order ``--help`` shows them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

from optheory import __version__
from optheory._extras import MissingExtraError
from optheory.cli._common import StdoutError

__all__ = ["main", "build_parser", "SUBCOMMANDS"]

SUBCOMMANDS: tuple[str, ...] = (
    "minimize", "run", "tune", "region", "regime", "radius", "average", "sweep", "verify",
    "exercise", "report", "compare", "worst_case_map",
)

EPILOG = """exit codes:
  0  success
  1  a check failed
  2  bad usage or bad input
"""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line and exit with code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n(see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="optheory",
        description="Derive and check the convergence theory of gradient optimizers.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"optheory {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"optheory.cli.{name}")
        module.register(subparsers)
    return parser


_NEGATIVE_VALUE = re.compile(r"^-[\d.]")
#: A value starting with a minus sign that is no option: ``-x**2``, ``-2*x`` (not ``-h``).
_DASHED_VALUE = re.compile(r"^-(?!-)[^=\s]{2,}")


def _value_options(parser: argparse.ArgumentParser) -> set[str]:
    """The ``--long`` option strings that take a value, in ``parser`` and its subcommands."""
    found: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _value_options(sub)
        elif action.nargs != 0:
            found.update(o for o in action.option_strings if o.startswith("--"))
    return found


def _attach_negative_values(argv: list[str], value_options: set[str] | None = None) -> list[str]:
    """Turn ``--x0 -5,-2`` into ``--x0=-5,-2`` so negative values are not read as options.

    Also ``--f -x**2`` becomes ``--f=-x**2`` when ``--f`` is among ``value_options``.
    """
    out: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        nxt = argv[i + 1] if i + 1 < len(argv) else ""
        if (token.startswith("--") and "=" not in token and nxt
                and (_NEGATIVE_VALUE.match(nxt)
                     or (value_options is not None and token in value_options
                         and _DASHED_VALUE.match(nxt)))):
            out.append(f"{token}={argv[i + 1]}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


class _Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like Ctrl-C so that cleanup (staged folders) runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise _Terminated(signum)


#: Signals that end a command with cleanup (SIGINT already raises KeyboardInterrupt).
_CLEANUP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into :class:`_Terminated` while the block runs."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = {sig: signal.signal(sig, _on_signal) for sig in _CLEANUP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _silence_stdout() -> None:
    """Point fd 1 at /dev/null so that the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def _os_error_line(exc: OSError) -> str:
    reason = exc.strerror or type(exc).__name__
    if exc.filename is not None:
        return f"cannot access {str(exc.filename)!r}: {reason}"
    return reason


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    raw = list(argv) if argv is not None else sys.argv[1:]
    args = parser.parse_args(_attach_negative_values(raw, _value_options(parser)))
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    if sys.stdout is None:
        print(f"optheory {args.command}: error: standard output is closed; "
              "redirect it to a file or a pipe", file=sys.stderr)
        return 2
    try:
        with _sigterm_as_interrupt():
            code = int(args.handler(args))
            _flush_stdout()
            return code
    except (ValueError, MissingExtraError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"optheory {args.command}: error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except StdoutError as exc:
        _silence_stdout()
        print(f"optheory {args.command}: error: cannot write to standard output: {exc}",
              file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"optheory {args.command}: error: {_os_error_line(exc)}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"optheory {args.command}: error: out of memory; lower the problem size or "
              "--max-memory", file=sys.stderr)
        return 2
    except _Terminated as exc:
        hup = getattr(signal, "SIGHUP", None)
        print("optheory: hung up" if exc.signum == hup else "optheory: terminated",
              file=sys.stderr)
        return 128 + int(exc.signum)
    except KeyboardInterrupt:
        print("optheory: interrupted", file=sys.stderr)
        return 130


def _flush_stdout() -> None:
    """Flush stdout inside the error handling, so a failing device is a one-line error."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise StdoutError(exc.strerror or str(exc)) from None


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
