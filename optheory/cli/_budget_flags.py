"""``--max-memory`` / ``--max-seconds`` for the subcommands, and CLI wording of budget checks."""

from __future__ import annotations

import argparse
from typing import Any

from optheory._budget import DEFAULT_MAX_MEMORY, DEFAULT_MAX_SECONDS, format_bytes, parse_memory

__all__ = ["add_budget_flags", "budget_kwargs", "check_gradient_size", "cli_budget_wording"]


def add_budget_flags(
    parser: argparse.ArgumentParser, *, seconds: bool = True, memory: bool = True,
    what: str = "a run",
) -> None:
    """Add ``--max-memory SIZE`` and/or ``--max-seconds S`` to a subcommand."""
    if memory:
        parser.add_argument(
            "--max-memory", metavar="SIZE", default=None,
            help=f"memory budget for arrays, results included, e.g. 4GiB "
            f"(default {format_bytes(DEFAULT_MAX_MEMORY)})",
        )
    if seconds:
        parser.add_argument(
            "--max-seconds", metavar="S", default=None,
            help=f"refuse {what} estimated (before the work) to take longer "
            f"(default {DEFAULT_MAX_SECONDS:g})",
        )


def budget_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """``max_memory`` / ``max_seconds`` keyword arguments from the parsed flags."""
    from optheory.cli._common import parse_float

    out: dict[str, Any] = {}
    if getattr(args, "max_memory", None) is not None:
        out["max_memory"] = parse_memory(args.max_memory)
    if getattr(args, "max_seconds", None) is not None:
        value = parse_float(args.max_seconds, "--max-seconds")
        if value <= 0:
            raise ValueError(f"--max-seconds must be > 0, got {args.max_seconds!r}")
        out["max_seconds"] = value
    return out


def cli_budget_wording(message: str) -> str:
    """An API budget message in the command line's words (``max_memory=`` -> ``--max-memory``)."""
    message = message.replace(" (None for no limit)", "")
    return message.replace("max_memory", "--max-memory").replace("max_seconds", "--max-seconds")


def check_gradient_size(objective: Any, flag: str) -> None:
    """Refuse, naming ``flag``, an objective whose gradient exceeds the size budget."""
    from optheory.analysis.objective_problem import MAX_GRADIENT_NODES, gradient_size_estimate

    size = gradient_size_estimate(objective)
    if size > MAX_GRADIENT_NODES:
        raise ValueError(
            f"{flag} is too large to differentiate: its gradient would have about {size} "
            f"expression nodes ({objective.dim} variables), above the limit "
            f"{MAX_GRADIENT_NODES}; use fewer variables or a smaller expression"
        )
