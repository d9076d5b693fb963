"""Report topic: exact quadratics, eigen-coordinates and decoupling."""

from __future__ import annotations

import numpy as np
import sympy as sp

from optheory.report.document import (
    Block,
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
from optheory.report.topics._common import contour_grid, torch_or_none, verdict_phrase
from optheory.reproducible import gap_text
from optheory.symbolic._exact import to_exact

#: how the page reports a claim's computed verdict
_VERDICT_WORDS = {"holds": "it holds", "conditional": "it holds only under unstated conditions",
                  "refuted": "refuted"}

_Q = [[3, 1], [1, 2]]
_C = [1, -2]
_B = 4


def build() -> Page:
    from optheory.figures import contour_trajectories
    from optheory.numeric.problems import EigenQuadratic, textbook_2d, textbook_2d_rotated
    from optheory.numeric.run import TEXTBOOK_START, run
    from optheory.symbolic.quadratic import (
        completed_square,
        eigen_form,
        general_minimizer_identity,
        quadratic_minimizer,
    )

    residual, general_ok = general_minimizer_identity()
    forms = completed_square(_Q, _C, _B)
    x_star, h_min = quadratic_minimizer(_Q, _C, _B)
    # the rotated problem's Hessian, derived from its formula
    x1s, x2s = sp.symbols("x1 x2", real=True)
    rot_hessian = sp.hessian(sp.Rational(1, 10) * (x1s + x2s) ** 2 + 2 * (x1s - x2s) ** 2, (x1s, x2s))
    rot_hessian_text = "[" + ", ".join(
        "[" + ", ".join(f"{float(v):g}" for v in rot_hessian.row(i)) + "]" for i in range(2)) + "]"
    rot = eigen_form([[float(v) for v in rot_hessian.row(i)] for i in range(2)])
    r = forms.variables - x_star

    # numeric witnesses
    problem = EigenQuadratic.from_matrix(np.array(_Q, float), np.array(_C, float), float(_B))
    eta = 1.0 / float(np.max(problem.eigenvalues))
    traj = run("gd", problem, np.zeros(2), 400, eta=eta)
    gd_gap = float(np.max(np.abs(traj.x[-1] - np.array(x_star, dtype=float).ravel())))
    f_gap = abs(float(traj.loss[-1]) - float(h_min))
    tb_rot = textbook_2d_rotated()
    rot_eigs = sorted(rot.Lambda.diagonal(), key=float)
    eig_gap = float(np.max(np.abs(np.sort(np.asarray(tb_rot.eigenvalues))
                                  - np.array([float(v) for v in rot_eigs]))))
    torch_gap = _torch_gap(problem)

    axis = textbook_2d()
    axis_eigs = sorted((to_exact(float(v), "eigenvalue") for v in np.asarray(axis.eigenvalues)),
                       key=float)
    scales = {sp.nsimplify(r / a) for r, a in zip(rot_eigs, axis_eigs, strict=True)}
    scale_text = (
        f"{_times(next(iter(scales)))} those of" if len(scales) == 1
        else "not a multiple of those of"
    )
    x0 = np.array(TEXTBOOK_START)
    paths = {
        "GD, eta = 0.4, axis-aligned": run("gd", axis, x0, 20, eta=0.4).x,
        "GD, eta = 0.2, rotated": run("gd", tb_rot, x0, 20, eta=0.2).x,
    }
    grid = contour_grid(axis)
    fig_axis = contour_trajectories(grid, {k: v for k, v in paths.items() if "axis" in k},
                                    r"$f = 0.1 x_1^2 + 2 x_2^2$")
    grid_rot = contour_grid(tb_rot)
    fig_rot = contour_trajectories(grid_rot, {k: v for k, v in paths.items() if "rotated" in k},
                                   r"$f = 0.1 (x_1 + x_2)^2 + 2 (x_1 - x_2)^2$")

    blocks: list[Block] = [
        Heading("The minimizer for every dimension"),
        Text(
            "For $h(x) = \\tfrac12 x^\\top Q x + c^\\top x + b$ with $Q$ symmetric positive "
            "definite, sympy expands $h(x^\\star + d) - h^\\star - \\tfrac12 d^\\top Q d$ with "
            "matrix symbols of arbitrary size $n$, using only $Q^\\top = Q$ and "
            "$Q Q^{-1} = I$. The residual is:"
        ),
        Math(sp.latex(residual) if residual != 0 else "0", label="residual for general n"),
        Text(
            ("so $x^\\star = -Q^{-1}c$ and $h^\\star = b - \\tfrac12 c^\\top Q^{-1} c$ "
             "(claim `momentum.minimizer`: "
             + verdict_phrase("momentum.minimizer", _VERDICT_WORDS) + "). "
             if general_ok else
             "which is not zero, so $-Q^{-1}c$ is not the minimizer for every $n$. ")
            + "The textbook (section Momentum, quadratic convex functions) writes the completed "
            "square with $x - Q^{-1}c$ (claim `momentum.completed-square`: "
            + verdict_phrase("momentum.completed-square", _VERDICT_WORDS)
            + ") and the gradient as $Q(x - Q^{-1}c)$ (claim `momentum.gradient`: "
            + verdict_phrase("momentum.gradient", _VERDICT_WORDS) + "); see the claims page."
        ),
        Heading("A concrete example, exactly"),
        Math.from_sympy(forms.h, lhs="h(x)"),
        Math.from_sympy(forms.gradient.T, lhs="\\nabla h(x)^\\top"),
        Math.from_sympy(x_star.T, lhs="(x^\\star)^\\top"),
        Math.from_sympy(h_min, lhs="h^\\star"),
        Math(
            "h(x) = \\tfrac12 " + sp.latex(r.T) + sp.latex(sp.Matrix(_Q)) + sp.latex(r)
            + " + " + sp.latex(h_min),
            label="completed square (expands back to h)",
        ),
        Heading("Eigen-coordinates of the rotated textbook problem"),
        Text(
            "For $f = 0.1 (x_1 + x_2)^2 + 2 (x_1 - x_2)^2$ the Hessian is "
            f"$Q = {rot_hessian_text}$. sympy finds $Q = O^\\top \\Lambda O$ with",
            values={"hessian": rot_hessian_text}, inputs={"objective": [0.1, 2]},
        ),
        Math.from_sympy(rot.O, lhs="O"),
        Math.from_sympy(rot.Lambda, lhs="\\Lambda"),
        Math.from_sympy(rot.h_in_z, lhs="f"),
        Text(
            f"The rotated problem has eigenvalues {_listed(rot_eigs)}, {scale_text} "
            f"$0.1 x_1^2 + 2 x_2^2$ ({_listed(axis_eigs)}, from its eigen-decomposed "
            "definition): the textbook's rotation also changes the curvature, which matters "
            "for step sizes.",
            values={"rotated": [str(v) for v in rot_eigs], "axis": [str(v) for v in axis_eigs]},
            inputs={"objective": [0.1, 2]},
        ),
        Figure("contour-axis", fig_axis, "Gradient descent on the axis-aligned problem."),
        Figure("contour-rotated", fig_rot, "Gradient descent on the rotated problem."),
        Table(
            ("quantity", "exact", "float64"),
            (
                ("x1*", InlineMath.from_sympy(x_star[0]), float(x_star[0])),
                ("x2*", InlineMath.from_sympy(x_star[1]), float(x_star[1])),
                ("h*", InlineMath.from_sympy(h_min), float(h_min)),
            ),
            caption="The example's minimizer, exact and rounded.",
        ),
        Verification(
            (
                VerificationRow("general-n identity residual is zero", "0", str(residual), "exact",
                                bool(general_ok)),
                VerificationRow("completed square and gradient identities", "identity",
                                "expanded difference 0" if forms.identity_holds else "nonzero",
                                "exact", forms.identity_holds),
                # GD at eta = 1/lambda_max contracts by 1 - lambda_min/lambda_max ~ 0.55 a step
                VerificationRow("GD converges to the derived minimizer", str(list(x_star)),
                                f"gap {gap_text(gd_gap, 1e-12)}", "1e-12", gd_gap < 1e-12),
                VerificationRow("loss at the GD limit equals the derived minimum", str(h_min),
                                f"gap {gap_text(f_gap, 1e-12)}", "1e-12", f_gap < 1e-12),
                # eigh is backward stable: errors ~ 8 * eps * ||Q||
                VerificationRow("eigenvalues of the rotated problem",
                                ", ".join(str(v) for v in rot_eigs),
                                f"numpy eigh gap {gap_text(eig_gap, 1e-13)}", "1e-13", eig_gap < 1e-13),
                VerificationRow("numpy and torch gradients agree", "equal",
                                "torch missing" if torch_gap is None else f"gap {gap_text(torch_gap, 1e-12)}",
                                "1e-12", torch_gap is not None and torch_gap < 1e-12),
            ),
            caption="Derived against measured.",
        ),
    ]
    return Page("quadratics", "Quadratics and eigen-coordinates", tuple(blocks),
                summary="Exact minimizers, completed squares and eigen-coordinates.")


def _torch_gap(problem: object) -> float | None:
    torch = torch_or_none()
    if torch is None:  # pragma: no cover
        return None
    x = np.random.default_rng(0).standard_normal((8, 2))
    pt = problem.with_backend("torch")  # type: ignore[attr-defined]
    a = problem.grad(x)  # type: ignore[attr-defined]
    b = pt.grad(torch.tensor(x)).numpy()
    return float(np.max(np.abs(a - b)))


def _listed(values: list[sp.Expr]) -> str:
    """Exact values as decimals where they have short ones: ``[2/5, 8]`` -> "0.4 and 8"."""
    words = [f"{float(v):g}" for v in values]
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


def _times(factor: sp.Expr) -> str:
    """A common ratio of eigenvalues in words: 2 -> "twice"."""
    if factor == 2:
        return "twice"
    return "equal to" if factor == 1 else f"{factor} times"
