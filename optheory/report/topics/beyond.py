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


#: the map: heavy ball on F(1, 25), a 12 x 10 grid of (eta, beta), worst case after 5 steps
_MAP_MU, _MAP_L, _MAP_STEPS = 1, 25, 5
_MAP_ETA = (0.005, 0.16, 12)
_MAP_BETA = (0.0, 0.9, 10)


def _quantised(result: Any) -> Any:
    """The map with its solver values rounded before plotting (the SVG must not depend on the CPU).

    Certificates come from a bisection with tolerance 1e-3 and worst cases are accurate to
    about 1e-8 relative: 2 decimals of the rate and 4 significant digits of the worst case
    are far coarser than any solver difference.
    """
    import dataclasses

    import numpy as np

    def sig4(a: Any) -> Any:
        a = np.asarray(a, dtype=float)
        out = a.copy()
        ok = np.isfinite(a) & (a != 0)
        mag = np.floor(np.log10(np.abs(a[ok])))
        out[ok] = np.round(a[ok] / 10.0 ** (mag - 3)) * 10.0 ** (mag - 3)
        return out

    return dataclasses.replace(
        result,
        certificate=np.round(np.asarray(result.certificate, dtype=float), 2),
        worst_case=sig4(result.worst_case),
        quadratic_rate=np.round(np.asarray(result.quadratic_rate, dtype=float), 6),
    )


def _map_blocks() -> list[Block]:
    """The map of the quadratic region against the certified region over F(mu, L)."""
    import numpy as np

    from optheory.figures import worst_case_map_plot
    from optheory.pep.maps import worst_case_map
    from optheory.report.document import Figure

    grid = {"eta": np.linspace(*_MAP_ETA), "beta": np.linspace(*_MAP_BETA)}
    result = worst_case_map("momentum", _MAP_MU, _MAP_L, grid, _MAP_STEPS, workers=1,
                            cache_dir=False, progress=False)
    quad = np.asarray(result.quadratic_rate, dtype=float) < 1
    cert = np.isfinite(np.asarray(result.certificate, dtype=float))
    worst = np.asarray(result.worst_case, dtype=float)
    # grew beyond the solver's accuracy: a boundary cell at exactly 1 does not count
    grows = quad & np.isfinite(worst) & (worst > 1 + result.worst_case_margin())
    n_cells, n_quad = int(quad.size), int(quad.sum())
    n_cert, n_grows = int((quad & cert).sum()), int(grows.sum())
    n_cert_outside = int((cert & ~quad).sum())
    subset = (
        "every certified cell also converges on quadratics"
        if n_cert_outside == 0
        else f"{n_cert_outside} certified cells lie outside the quadratic region (a defect)"
    )
    text = (
        f"Heavy ball over a grid of {n_cells} step sizes and momenta on F({_MAP_MU}, {_MAP_L}): "
        f"it converges on every quadratic with curvatures in [{_MAP_MU}, {_MAP_L}] in "
        f"{n_quad} cells, and the IQC analysis certifies a rate below 1 on every function of "
        f"F({_MAP_MU}, {_MAP_L}) in {n_cert} of them; {subset}. In {n_grows} cells of the "
        f"quadratic region the worst case over F({_MAP_MU}, {_MAP_L}) after {_MAP_STEPS} steps "
        "exceeds 1 (the distance grew)."
    )
    values = {"cells": n_cells, "quadratic": n_quad, "certified": n_cert, "grows": n_grows,
              "certified_outside": n_cert_outside}
    inputs = {"mu": _MAP_MU, "L": _MAP_L, "steps": _MAP_STEPS}
    return [
        Heading("Where heavy ball is certified"),
        Text(text, values=values, inputs=inputs),
        Figure(
            "worst-case-map",
            worst_case_map_plot(_quantised(result)),
            f"Heavy ball on F({_MAP_MU}, {_MAP_L}): colour = IQC-certified rate (grey: none), "
            "solid line = quadratic boundary, dashed line = worst case after "
            f"{_MAP_STEPS} steps equal to 1 (optheory.worst_case_map).",
        ),
    ]


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
