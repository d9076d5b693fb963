"""Helpers shared by the topic pages: symbol names for printing, rows, torch, contours."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from optheory.numeric.backend import import_torch, torch_available
from optheory.report.document import VerificationRow

__all__ = ["claim_results", "contour_grid", "named", "row", "tex", "torch_or_none",
           "verdict_phrase"]

#: the project's symbol names -> the names LaTeX should print
_PRINT_NAMES = {"lam": "lambda", "gamma_tilde": "gammatilde", "x0": "x_0", "sigma2": "sigma^2"}


def named(expr: Any, extra: dict[str, str] | None = None) -> Any:
    """``expr`` with the project's symbol names replaced by printable ones.

    ``lam`` becomes ``lambda`` (and ``lam_i`` becomes ``lambda_i``),
    ``gamma_tilde`` a gamma with a tilde, ``x0`` an indexed ``x_0``, ``sigma2`` a
    squared sigma; ``extra``
    adds page-specific renamings.  Anything without symbols is returned as is.
    """
    names = {**_PRINT_NAMES, **(extra or {})}
    if not hasattr(expr, "free_symbols") or not hasattr(expr, "xreplace"):
        return expr
    swap = {}
    for s in expr.free_symbols:
        if not isinstance(s, sp.Symbol):
            continue
        if s.name in names:
            swap[s] = sp.Symbol(names[s.name])
        elif s.name.startswith("lam_"):
            swap[s] = sp.Symbol("lambda_" + s.name[4:])
    return expr.xreplace(swap)


def tex(expr: Any, extra: dict[str, str] | None = None, order: str | None = None) -> str:
    """LaTeX of :func:`named` ``(expr)``."""
    return str(sp.latex(named(expr, extra), order=order))


def row(claim: str, derived: Any, measured: Any, tolerance: Any, verdict: Any) -> VerificationRow:
    """A verification row; numpy numbers and booleans become plain Python values."""

    def plain(v: Any) -> Any:
        return float(v) if isinstance(v, np.floating) else v

    return VerificationRow(claim, plain(derived), plain(measured), plain(tolerance), bool(verdict))


def torch_or_none() -> Any:
    """The torch module when it is installed, else None (pages then say "torch missing")."""
    return import_torch() if torch_available() else None


def contour_grid(problem: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The textbook's contour grid with ``problem.f`` evaluated on the stacked coordinates."""
    from optheory.figures import textbook_contour_grid

    def f(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.asarray(problem.f(np.stack([a, b], axis=-1)), dtype=float)

    return textbook_contour_grid(f)


#: claim results shared by the pages of one process (each check runs once per report)
_CLAIM_RESULTS: dict[str, Any] = {}


def claim_results(ids: list[str] | None = None) -> dict[str, Any]:
    """The registry's results for ``ids`` (all claims when None), each run once and cached."""
    from optheory.verification import registered_claims, verify

    wanted = list(registered_claims()) if ids is None else list(ids)
    missing = [i for i in wanted if i not in _CLAIM_RESULTS]
    if missing:
        for r in verify(missing):
            _CLAIM_RESULTS[r.id] = r
    return {i: _CLAIM_RESULTS[i] for i in wanted}


def verdict_phrase(claim_id: str, phrases: dict[str, str]) -> str:
    """The phrase for the verdict the registry computes for ``claim_id``.

    ``phrases`` maps each verdict ("holds", "conditional", "refuted") to the
    sentence fragment a page prints for it; a check that raised reads as
    "could not be checked (the check raised an error)".
    """
    verdict = claim_results([claim_id])[claim_id].verdict
    if verdict == "error":
        return f"could not be checked (the check of `{claim_id}` raised an error)"
    return phrases[verdict]
