"""The ``optheory`` command line.

Exit codes: 0 success; 1 a check failed; 2 bad usage or bad input (one-line
message on stderr, never a traceback).

Each subcommand lives in its own module exposing ``register(subparsers)``;
:data:`SUBCOMMANDS` lists them in the order ``--help`` shows them.
"""

from __future__ import annotations

import argparse
import importlib
import re
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

from optheory import __version__

__all__ = ["main", "build_parser", "SUBCOMMANDS"]

SUBCOMMANDS: tuple[str, ...] = (
    "minimize", "run", "tune", "region", "regime", "radius", "average", "sweep", "verify",
    "exercise", "report",
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


def _attach_negative_values(argv: list[str]) -> list[str]:
    """Turn ``--x0 -5,-2`` into ``--x0=-5,-2`` so negative values are not read as options."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if (token.startswith("--") and "=" not in token and i + 1 < len(argv)
                and _NEGATIVE_VALUE.match(argv[i + 1])):
            out.append(f"{token}={argv[i + 1]}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that cleanup (staged folders) runs."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into :class:`_Terminated` while the block runs; restore the old handler."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    raw = list(argv) if argv is not None else sys.argv[1:]
    args = parser.parse_args(_attach_negative_values(raw))
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        with _sigterm_as_interrupt():
            return int(args.handler(args))
    except ValueError as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"optheory {args.command}: error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except _Terminated:
        print("optheory: terminated", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("optheory: interrupted", file=sys.stderr)
        return 130


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
