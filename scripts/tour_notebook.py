"""Write examples/tour.ipynb: the README's tour of the Python API as a notebook, executed.

Usage: ``python scripts/tour_notebook.py [--no-execute]``.  Needs the ``notebook``
extra (nbformat, nbclient, ipykernel).  tests/examples/test_tour.py executes the
committed notebook again and fails on any error.
"""

from __future__ import annotations

import argparse
from pathlib import Path

CELLS: list[tuple[str, str]] = [
    ("markdown", "# A tour of optheory\n\nThe README's tour of the Python API, run. Every "
                 "result below is derived by sympy from an update rule or measured by running "
                 "the optimizer; figures and results display themselves (no magic commands)."),
    ("code", "import numpy as np\nimport sympy as sp\nimport optheory as ot"),
    ("markdown", "## Exact quadratics\nThe minimizer comes from solving $\\nabla h = 0$ with sympy."),
    ("code", "x_star, h_min = ot.quadratic_minimizer([[2, 1], [1, 3]], [1, -1], 2)\n"
             "x_star, h_min"),
    ("markdown", "## Linear methods\nThe iteration matrix, the stability region and the "
                 "minimax tuning all come out of the update rule."),
    ("code", "R = ot.momentum_matrix()\nR"),
    ("code", "ot.stability_region(R)"),
    ("code", "ot.optimal_parameters(\"momentum\", 1, 25)"),
    ("code", "ot.spectral_radius(\"momentum\", [0.5, 1.0], 1.0, 0.5)"),
    ("code", "ot.plot_region(\"momentum\")"),
    ("markdown", "## Running the optimizers\nA trajectory shows a summary and a small plot; "
                 "`.plot()` returns a full matplotlib figure."),
    ("code", "t = ot.train_2d(\"momentum\", eta=0.6, beta=0.5)\nprint(t.line())\nt"),
    ("code", "t.plot()"),
    ("code", "p = ot.EigenQuadratic([0.2, 4.0])\n"
             "ot.run(\"rmsprop\", p, [-5.0, -2.0], 100, eta=[0.1, 0.2, 0.4], gamma=0.9)"),
    ("markdown", "## Sweeps\nA rate map over a grid, with the derived boundary "
                 "$\\rho = 1$ drawn from the closed-form rate."),
    ("code", "res = ot.sweep(\"momentum\", ot.EigenQuadratic(np.linspace(0.01, 1, 20)),\n"
             "               {\"eta\": np.linspace(0.02, 3, 40), "
             "\"beta\": np.linspace(0, 0.98, 40)}, 200)\nres.plot()"),
    ("markdown", "## Leaky averages"),
    ("code", "ot.effective_weight(sp.Symbol(\"beta\")), ot.half_life(0.9), "
             "ot.bias_correction(sp.Rational(9, 10), 2)"),
    ("markdown", "## Claims and exercises\n`ot.verify()` returns a list of results shown as a "
                 "table (here three claims; call it without arguments for all)."),
    ("code", "ot.verify([\"momentum.matrix\", \"momentum.region\", \"momentum.effective-weight\"])"),
    ("code", "ot.answer_exercise(\"momentum\", 3)"),
    ("markdown", "## The explorer\nThe report's interactive page, embedded (no server)."),
    ("code", "ot.explore(\"momentum\", eta=0.02, beta=0.9, lam_min=1, lam_max=100, steps=200)"),
]

OUT = Path(__file__).resolve().parent.parent / "examples" / "tour.ipynb"


def build() -> object:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    for kind, source in CELLS:
        cell = (nbformat.v4.new_code_cell(source) if kind == "code"
                else nbformat.v4.new_markdown_cell(source))
        nb.cells.append(cell)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


def main() -> int:
    import nbformat
    from nbclient import NotebookClient

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-execute", action="store_true", help="write without outputs")
    args = parser.parse_args()
    nb = build()
    if not args.no_execute:
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(OUT.parent)}}).execute()
        for cell in nb.cells:
            cell.get("metadata", {}).pop("execution", None)
    nbformat.write(nb, str(OUT))
    print(OUT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
