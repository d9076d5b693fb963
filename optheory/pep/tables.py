r"""The side-by-side comparisons that the report page and the claims registry share.

Gradient descent, heavy ball (textbook momentum) and Nesterov at their derived
quadratic-optimal tunings on :math:`F(1, 25)` and :math:`F(1, 100)`, horizons
:data:`TABLE_STEPS`; each comparison is solved once per process (the report's
page and its claims read the same numbers).
"""

from __future__ import annotations

from functools import cache

from optheory.pep.compare import RateComparison, compare_rates, step_factor

__all__ = ["TABLE_CLASSES", "TABLE_METHODS", "TABLE_STEPS", "per_step_factor", "side_by_side"]

#: the methods of the table, at their derived minimax tunings
TABLE_METHODS: tuple[str, ...] = ("gd", "momentum", "nesterov")
#: the classes F(mu, L) of the table
TABLE_CLASSES: tuple[tuple[int, int], ...] = ((1, 25), (1, 100))
#: the horizons (small: each is an SDP solve per class; N = 10 keeps the report quick)
TABLE_STEPS: tuple[int, ...] = (5, 10)


@cache
def side_by_side(method: str, mu: int, L: int) -> RateComparison:
    """:func:`~optheory.pep.compare.compare_rates` at the derived tuning, cached per process."""
    return compare_rates(method, mu, L, TABLE_STEPS)


def per_step_factor(result: RateComparison, field: str) -> tuple[float, float] | None:
    r"""Per-step factor of the distance between the first and the last horizon.

    ``field`` is ``"quadratic"`` (exact) or ``"worst_case"`` (PEPit over F); returns
    ``(q, rel)`` (see :func:`optheory.pep.compare.step_factor`), ``None`` when a value
    failed its guard.
    """
    return step_factor(result.horizons[0], result.horizons[-1], field)
