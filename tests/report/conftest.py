"""A small demo topic for the report tests (registered only here, never in the package).

The page derives gradient descent's contraction factor on one eigenvalue with
sympy, runs gradient descent to measure it, and holds every block type: prose
with inline maths, derivation steps, two figures, a table, a verification table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from optheory.report import (
    Figure,
    Heading,
    InlineMath,
    Math,
    Page,
    Table,
    Text,
    Verification,
    VerificationRow,
)


def _measured_rate(eta_lam: float, steps: int = 30) -> float:
    """|x_T / x_0|^(1/T) of gradient descent on f(x) = x^2 / 2 (lam = 1)."""
    x = 1.0
    for _ in range(steps):
        x = x - eta_lam * x
    return abs(x) ** (1.0 / steps)


def quadratics_page() -> Page:
    from optheory.figures import contour_trajectories, rate_curves, textbook_contour_grid

    eta, lam, x = sp.symbols("eta lambda x_t", positive=True)
    step = sp.expand(x - eta * sp.diff(lam * x**2 / 2, x))
    factor = sp.factor(step / x)
    region = sp.solve_univariate_inequality(sp.Abs(factor.subs(lam, 1)) < 1, eta, relational=False)
    edge = float(region.sup)

    grid = np.linspace(0.05, 2.2, 44)
    measured = np.array([_measured_rate(float(v)) for v in grid])
    derived_fn = sp.lambdify(eta, sp.Abs(factor.subs(lam, 1)), "numpy")
    rates = rate_curves(
        grid, {"derived": derived_fn(grid), "measured": measured}, reference=1.0,
        title="gradient descent on one eigenvalue",
    )

    def f(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
        return 0.1 * x1**2 + 2 * x2**2

    path = np.empty((21, 2))
    path[0] = (-5.0, -2.0)
    for t in range(20):
        x1, x2 = path[t]
        path[t + 1] = (x1 - 0.4 * 0.2 * x1, x2 - 0.4 * 4 * x2)
    contour = contour_trajectories(textbook_contour_grid(f), {"GD, eta = 0.4": path},
                                   "textbook demo")

    largest_stable = float(grid[measured < 1].max())
    return Page(
        slug="quadratics",
        title="Quadratics",
        summary="Gradient descent on $f(x) = \\frac{\\lambda}{2} x^2$.",
        blocks=(
            Heading("Derivation"),
            Text("One eigen-direction: $x_{t+1} = x_t - \\eta \\nabla f(x_t)$.\n\n"
                 "- the update is linear\n- it contracts by a constant factor"),
            Math.from_sympy(step, "update", lhs="x_{t+1}"),
            Math.from_sympy(factor, "contraction factor", lhs="q(\\eta, \\lambda)"),
            Math(f"0 < \\eta \\lambda < {sp.latex(region.sup)}", "stability region"),
            Figure("rates", rates, "Derived and measured contraction factor."),
            Figure("contour", contour, "Iterates on $f = 0.1 x_1^2 + 2 x_2^2$."),
            Table(("$\\eta\\lambda$", "rate"), [(float(v), float(r)) for v, r in
                                                zip(grid[:3], measured[:3], strict=True)],
                  caption="First measured rates"),
            Verification((
                VerificationRow(
                    "edge of stability $\\eta\\lambda$", InlineMath.from_sympy(region.sup),
                    largest_stable, 0.051, abs(largest_stable - edge) <= 0.051,
                ),
                VerificationRow("a deliberately failing row", 1, 2, "0", False),
            )),
        ),
    )


@pytest.fixture(scope="session")
def demo_page() -> Page:
    return quadratics_page()


@pytest.fixture
def demo_registry() -> dict[str, Callable[[], Page]]:
    """A fresh registry (building the page again each time, as a real run does)."""
    return {"quadratics": quadratics_page}


@dataclass(frozen=True)
class BuiltReport:
    """The full report built once per test process: its folder and the pages it rendered."""

    path: Path
    pages: dict[str, Page]


@pytest.fixture(scope="session")
def full_report(tmp_path_factory: pytest.TempPathFactory) -> BuiltReport:
    """Build every topic of the package once, as `make report` does, and keep the pages.

    The byte-for-byte test compares the folder with ``reports/``; the topic tests read the
    pages instead of deriving them again.  Under pytest-xdist a session fixture is built
    once per worker that uses it: every user lives in ``test_topics_pages.py`` and the
    Makefile distributes by module (``--dist loadfile``), so it is built once per pass.
    """
    from optheory.report.build import TOPICS, build_report
    from optheory.report.topics import TOPIC_MODULES
    from tests.conftest import require_airfoil

    pages: dict[str, Page] = {}

    def recording(name: str) -> Callable[[], Page]:
        def build() -> Page:
            pages[name] = TOPICS[name]()
            return pages[name]

        return build

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OPTHEORY_AIRFOIL", require_airfoil())
        out = build_report(tmp_path_factory.mktemp("full") / "reports",
                           registry={name: recording(name) for name in TOPIC_MODULES},
                           progress=False)
    return BuiltReport(out, pages)
