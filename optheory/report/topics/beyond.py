"""Report topic: beyond quadratics, worst cases over smooth strongly convex functions.

The exact quadratic worst case (:mod:`optheory.pep.quadratic`) beside PEPit's
worst case over :math:`F(\\mu, L)` and over PEPit's quadratic class
(:mod:`optheory.pep.compare`) for gradient descent, heavy ball and Nesterov at
their derived quadratic-optimal tunings (:mod:`optheory.pep.tables`, shared with
the claims), and the Lessard-Recht-Packard function on which heavy ball cycles
(:mod:`optheory.analysis.lrp`).  SDP values are printed to 3 significant
digits (solver accuracy is far finer, so the bytes do not depend on the CPU);
no timings are printed.
"""

from __future__ import annotations

from typing import Any

from optheory.report.document import Block, Heading, Page, Table, Text, Verification
from optheory.report.topics._common import row as _row

__all__ = ["build"]

_NAMES = {"gd": "gradient descent", "momentum": "heavy ball", "nesterov": "Nesterov"}


def _g(value: float | None, rel: float = 0.0) -> str:
    """3 significant digits, fewer where the value's accuracy ``rel`` could change them."""
    from optheory.pep.compare import accuracy_text

    return "solver inaccurate" if value is None else accuracy_text(value, rel)


def _sdp(h: Any, field: str) -> str:
    from optheory.pep.compare import value_accuracy

    value = getattr(h, field)
    return _g(value, value_accuracy(h, field) if value is not None else 0.0)


def _table(mu: int, L: int) -> tuple[Table, list[Any], dict[str, Any]]:
    from optheory.pep.compare import ACCURACY
    from optheory.pep.tables import TABLE_METHODS, side_by_side

    tol = max(ACCURACY.values())
    rows: list[tuple[Any, ...]] = []
    checks: list[Any] = []
    values: dict[str, Any] = {}
    for method in TABLE_METHODS:
        r = side_by_side(method, mu, L)
        values[f"{method}_L{L}"] = r.to_json()
        for h in r.horizons:
            rows.append(
                (
                    _NAMES[method],
                    _g(r.params["eta"]),
                    _g(r.params["beta"]),
                    _g(r.rate_quadratic),
                    h.N,
                    _g(h.quadratic),
                    _sdp(h, "worst_case"),
                    _sdp(h, "quadratic_class"),
                )
            )
            scale = max(1.0, h.quadratic)
            if h.worst_case is not None:
                checks.append(
                    _row(
                        f"{method}, F({mu}, {L}), N = {h.N}: PEPit over F(mu, L) >= exact quadratic",
                        _g(h.quadratic),
                        _sdp(h, "worst_case"),
                        f"{tol:.0e} relative",
                        h.worst_case >= h.quadratic - tol * scale,
                    )
                )
            if h.quadratic_class is not None:
                checks.append(
                    _row(
                        f"{method}, F({mu}, {L}), N = {h.N}: PEPit quadratic class = exact quadratic",
                        _g(h.quadratic),
                        _sdp(h, "quadratic_class"),
                        f"{tol:.0e} relative",
                        abs(h.quadratic_class - h.quadratic) <= tol * scale,
                    )
                )
        rows.append((_NAMES[method], "", "", "", "verdict", r.verdict, "", ""))
    table = Table(
        (
            "method",
            "eta",
            "beta",
            "quadratic rate",
            "N",
            "exact on quadratics",
            "PEPit over F(mu, L)",
            "PEPit quadratic class",
        ),
        tuple(rows),
        caption=f"Worst case of the squared distance ratio over F({mu}, {L}) at the derived "
        "quadratic-optimal tunings.",
    )
    return table, checks, values


def _lrp_blocks(factor: tuple[float, float] | None) -> list[Block]:
    from optheory.analysis.lrp import heavy_ball_cycle

    cycle = heavy_ball_cycle()
    if cycle is None:  # pragma: no cover - the scan finds the cycle (tests/analysis)
        return [Text("No start of the scan falls into a cycle.")]
    points = ", ".join(str(p) for p in cycle.exact_points)
    starts = cycle.converging_starts + cycle.cycling_starts
    grows = (
        f"Over F(1, 25) the worst case of heavy ball at this tuning grows by a factor {_g(*factor)} "
        "per step (the table)."
        if factor is not None and factor[0] >= 1
        else "Over F(1, 25) the worst case of heavy ball at this tuning does not grow in the table."
    )
    return [
        Heading("Heavy ball does not converge on every function of F(1, 25)"),
        Text(
            grows + " A function that shows it: the piecewise quadratic of Lessard, Recht and "
            "Packard (2016), 1-strongly convex and 25-smooth. Heavy ball with the same "
            f"parameters, started at {cycle.start}, falls into a cycle of period {cycle.period}; "
            f"sympy solves the cycle's equations exactly: the points are {points}, each inside "
            f"the piece the run visits. Of {starts} starts on a grid, {cycle.cycling_starts} "
            "end in a cycle.",
            values={
                "factor": None if factor is None else float(_g(*factor)),
                "start": cycle.start,
                "period": cycle.period,
                "points": [str(p) for p in cycle.exact_points],
                "cycling": cycle.cycling_starts,
                "starts": starts,
            },
            inputs={"mu": 1, "L": 25, "year": 2016},
        ),
    ]


def _map_blocks() -> list[Block]:
    """The map of the quadratic region against the certified region over F(mu, L).

    Added with the IQC certificate and the worst-case maps (issue 13, items 3 and 4).
    """
    return []


def build() -> Page:
    from optheory.pep.pepit_problem import MAX_STEPS
    from optheory.pep.tables import TABLE_CLASSES, TABLE_STEPS, per_step_factor, side_by_side

    blocks: list[Block] = [
        Heading("Worst cases over smooth strongly convex functions"),
        Text(
            "Every rate elsewhere in this report holds on quadratics. Here the measure is the "
            "worst case of the squared distance ratio after N steps, "
            "||x_N - x*||^2 / ||x_0 - x*||^2, from the method's own start (momentum buffers at "
            "zero), over three classes. On the quadratics with curvatures in [mu, L] it is exact: "
            "the x component of R(lambda)^N applied to the start is a polynomial in lambda, "
            "maximised in closed form (no SDP). Over all L-smooth mu-strongly convex functions "
            "F(mu, L) it is a performance estimation problem solved with PEPit, built from the "
            "same step rule that the symbolic engine differentiates, scaled to L = 1 and solved "
            "with CLARABEL (SCS as fallback). PEPit's own quadratic class is solved as a check "
            "of the solver: quadratics belong to F(mu, L), so PEPit's value there must be at "
            "least the exact one, and on its quadratic class it must equal it; a value that "
            f"fails is shown as solver inaccurate and not used. Horizons N are at most {MAX_STEPS}.",
            values={"max_steps": MAX_STEPS},
        ),
    ]
    checks: list[Any] = []
    values: dict[str, Any] = {}
    for mu, L in TABLE_CLASSES:
        table, rows, vals = _table(mu, L)
        blocks += [Heading(f"F({mu}, {L})", level=3), table]
        checks += rows
        values.update(vals)
    hb = side_by_side("momentum", 1, 25)
    factor = per_step_factor(hb, "worst_case")
    blocks += [
        Text(
            "The verdict rows compare the two horizons "
            f"N = {TABLE_STEPS[0]} and N = {TABLE_STEPS[-1]}: the per-step factor of the "
            "distance is the ratio of the worst cases to the power 1 / (2 (N2 - N1)).",
            values={"steps": list(TABLE_STEPS)},
        ),
    ]
    blocks += _lrp_blocks(factor)
    blocks += _map_blocks()
    blocks += [
        Heading("Verification"),
        Verification(
            tuple(checks),
            caption="The guards of every solve: PEPit against the exact quadratic worst case.",
        ),
    ]
    return Page(
        "beyond",
        "Beyond quadratics",
        tuple(blocks),
        summary="Worst cases over smooth strongly convex functions (PEPit) beside the "
        "exact quadratic theory; heavy ball's non-convergence and the LRP cycle.",
    )
