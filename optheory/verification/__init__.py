"""Verification of textbook claims: :func:`verify` runs the registry."""

from __future__ import annotations

from collections.abc import Iterable

from optheory._display import ClaimResults
from optheory.verification.registry import ClaimResult, registered_claims, run_claims

__all__ = ["ClaimResult", "ClaimResults", "registered_claims", "verify"]


def verify(ids: Iterable[str] | None = None, source: str | None = None) -> ClaimResults:
    """Run the claims (all, or the given ids / source) and return their results.

    The result is a ``list`` of :class:`ClaimResult` (a thin subclass that
    shows as a table of statement, verdict, correction and evidence in Jupyter).

    ``ids`` may be one id (a ``str``) or several; repeats run once, in the
    order first given.

    Raises
    ------
    ValueError
        An unknown claim id or source.
    """
    if ids is not None:
        ids = list(dict.fromkeys([ids] if isinstance(ids, str) else ids))
    return ClaimResults(run_claims(ids, source))
