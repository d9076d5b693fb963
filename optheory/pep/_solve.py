"""Solve a cvxpy problem with CLARABEL first and SCS as the fallback."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from typing import Any

from optheory._extras import require

__all__ = ["SOLVERS", "cvxpy", "quiet_stdout", "solve_with_fallback"]

#: the solvers tried, in order: CLARABEL (interior point, about 1e-9 relative)
#: and SCS (first order, about 1e-5 relative; it also finishes where CLARABEL
#: stops with a numerical error)
SOLVERS: tuple[str, ...] = ("CLARABEL", "SCS")

_SOLVER_OPTIONS: dict[str, dict[str, Any]] = {
    "CLARABEL": {},
    "SCS": {"eps_abs": 1e-8, "eps_rel": 1e-8, "max_iters": 50_000},
}


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Send file descriptor 1 to /dev/null while a solver runs.

    SCS prints some failures from C straight to the process's stdout, which
    would corrupt a ``--json`` answer; Python's ``sys.stdout`` is flushed first.
    """
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):
        yield
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
        finally:
            os.close(devnull)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def cvxpy(purpose: str) -> Any:
    """Import cvxpy or raise a one-line error naming the ``pep`` extra."""
    return require("cvxpy", "pep", purpose=purpose)


def solve_with_fallback(
    problem: Any, solver: str | None = None, *, order: tuple[str, ...] = SOLVERS,
    options: dict[str, dict[str, Any]] | None = None,
) -> tuple[str, str]:
    """Solve ``problem``; return ``(solver, status)``.

    CLARABEL is tried first; when it raises a solver error or ends in a status
    other than ``optimal`` / ``infeasible`` / ``unbounded``, SCS is tried.
    ``solver`` pins one of :data:`SOLVERS`; ``order`` and ``options`` (solver
    name -> keyword arguments) change the defaults.  Status ``"error"`` when
    every solver failed.
    """
    cp = cvxpy("a worst-case SDP")
    order = order if solver is None else (solver,)
    settings = {**_SOLVER_OPTIONS, **(options or {})}
    status = "error"
    logger = logging.getLogger("__cvxpy__")
    for name in order:
        level = logger.level
        try:
            # cvxpy warns and logs about inaccurate or failed solves; the status says so already
            logger.setLevel(logging.CRITICAL)
            with warnings.catch_warnings(), quiet_stdout():
                warnings.simplefilter("ignore")
                problem.solve(solver=name, **settings[name])
        except cp.error.SolverError:
            status = "error"
            continue
        finally:
            logger.setLevel(level)
        status = str(problem.status)
        if status in ("optimal", "infeasible", "unbounded"):
            return name, status
    return order[-1], status
