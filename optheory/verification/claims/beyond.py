r"""Claims of the momentum material about acceleration in general (not only on quadratics).

The textbook's momentum section (as summarised in seed 001, "Basics") says
acceleration is a key reason momentum works "even for noise-free convex
problems" and that accelerated methods benefit most on ill-conditioned
problems.  The verdicts compare per-step worst-case factors of the distance
(:func:`optheory.pep.tables.per_step_factor`) of heavy ball (the textbook's
momentum) and gradient descent, both at their derived quadratic-optimal tunings,
over the quadratics (exact, :mod:`optheory.pep.quadratic`) or over the smooth
strongly convex functions :math:`F(1, 25)` and :math:`F(1, 100)` (PEPit,
:mod:`optheory.pep.compare`, guarded against the exact quadratic values).
"""

from __future__ import annotations

from typing import Any

from optheory.verification.claims._util import require
from optheory.verification.registry import Mutant, Verdict, claim

SEED_001 = "seed 001_439b5f8932771f95"
SEC_BASICS = "Momentum, Basics"
_FIELDS = {"smooth_strongly_convex": "worst_case", "quadratic": "quadratic"}
_WORDS = {"smooth_strongly_convex": "smooth strongly convex functions", "quadratic": "quadratics"}


def _factors(function_class: str) -> dict[str, dict[int, float]]:
    """Per-step worst-case factor of the distance, by method and L (mu = 1), at most 3 digits."""
    from optheory.pep.compare import accuracy_text
    from optheory.pep.tables import TABLE_CLASSES, per_step_factor, side_by_side

    out: dict[str, dict[int, float]] = {}
    for method in ("gd", "momentum"):
        out[method] = {}
        for mu, L in TABLE_CLASSES:
            factor = per_step_factor(side_by_side(method, mu, L), _FIELDS[function_class])
            require(factor is not None, f"{method} on F({mu}, {L}): the solver was inaccurate")
            assert factor is not None
            # printed digits that the solver's accuracy cannot change
            out[method][L] = float(accuracy_text(*factor))
    return out


def _evidence(f: dict[str, dict[int, float]], function_class: str) -> dict[str, Any]:
    from optheory.pep.tables import TABLE_CLASSES, TABLE_STEPS

    ev: dict[str, Any] = {
        "function_class": function_class,
        "horizons": list(TABLE_STEPS),
        "classes_mu_L": [list(c) for c in TABLE_CLASSES],
    }
    for method, by_l in f.items():
        for L, q in by_l.items():
            ev[f"{method}_factor_L{L}"] = q
    return ev


@claim(
    "momentum.acceleration-convex",
    source=SEED_001,
    section=SEC_BASICS,
    statement=r"\text{even for noise-free convex problems, acceleration is one of the key "
    r"reasons why momentum works}",
    mutants=[
        Mutant(
            r"\text{even for noise-free convex quadratic problems, acceleration is one of "
            r"the key reasons why momentum works}",
            {"function_class": "quadratic"},
            "holds",
        )
    ],
)
def acceleration_convex(function_class: str = "smooth_strongly_convex") -> Verdict:
    """Momentum's worst case contracts faster per step than gradient descent's on every class."""
    f = _factors(function_class)
    ev = _evidence(f, function_class)
    faster = {L: f["momentum"][L] < f["gd"][L] for L in f["gd"]}
    ev["momentum_faster"] = {str(L): v for L, v in faster.items()}
    parts = "; ".join(f"F(1, {L}): momentum {f['momentum'][L]} vs gd {f['gd'][L]}" for L in f["gd"])
    summary = f"per-step worst-case factor of the distance over {_WORDS[function_class]}: {parts}"
    if all(faster.values()):
        return Verdict("holds", ev, summary)
    grows = [L for L in f["gd"] if f["momentum"][L] >= 1]
    worst = max(f["momentum"].values())
    return Verdict(
        "refuted",
        ev,
        summary,
        r"\text{on convex quadratics; over smooth strongly convex functions heavy ball at its "
        r"quadratic-optimal tuning has no guarantee: its worst case "
        + (f"grows by up to {worst} per step" if grows else "contracts no faster than gd's")
        + r"}",
    )


@claim(
    "momentum.acceleration-ill-conditioned",
    source=SEED_001,
    section=SEC_BASICS,
    statement=r"\text{in ill-conditioned problems accelerated gradient methods such as momentum "
    r"enjoy additional benefits}",
    mutants=[
        Mutant(
            r"\text{in ill-conditioned quadratic problems accelerated gradient methods "
            r"such as momentum enjoy additional benefits}",
            {"function_class": "quadratic"},
            "holds",
        )
    ],
)
def acceleration_ill_conditioned(function_class: str = "smooth_strongly_convex") -> Verdict:
    """Momentum's advantage over gd (worst-case factor ratio) is larger at L/mu = 100 than at 25."""
    import math

    f = _factors(function_class)
    ev = _evidence(f, function_class)
    # the speed-up: gd steps per momentum step, log q_momentum / log q_gd (None without contraction)
    speedup: dict[int, float | None] = {}
    for L in f["gd"]:
        qm, qg = f["momentum"][L], f["gd"][L]
        speedup[L] = float(f"{math.log(qm) / math.log(qg):.3g}") if qm < 1 and qg < 1 else None
        ev[f"speedup_L{L}"] = speedup[L]
    low, high = sorted(speedup)
    a, b = speedup[low], speedup[high]
    if a is not None and b is not None and b > a > 1:
        return Verdict(
            "holds",
            ev,
            f"over {_WORDS[function_class]} momentum does the work of "
            f"{a} gd steps per step at L/mu = {low} and {b} at L/mu = {high}",
        )
    summary = (
        f"over {_WORDS[function_class]} heavy ball's worst-case factor per step is "
        f"{f['momentum'][low]} at L/mu = {low} and {f['momentum'][high]} at L/mu = {high} "
        f"(gd: {f['gd'][low]}, {f['gd'][high]})"
    )
    return Verdict(
        "refuted",
        ev,
        summary,
        r"\text{on ill-conditioned quadratics; over smooth strongly convex functions heavy ball at "
        r"its quadratic-optimal tuning has no worst-case contraction at either conditioning}",
    )
