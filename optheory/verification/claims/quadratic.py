r"""Claims about the quadratic h(x) = 1/2 x^T Q x + c^T x + b (textbook section "Momentum",
subsection "Quadratic Convex Functions", and the seed's answer to exercise 3)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from optheory.numeric.problems import EigenQuadratic
from optheory.numeric.run import run
from optheory.symbolic.quadratic import (
    completed_square,
    eigen_form,
    general_minimizer_identity,
    quadratic_expression,
    quadratic_minimizer,
)
from optheory.verification.claims._util import agree, find_counterexample, number, require
from optheory.verification.registry import Mutant, Verdict, claim

TEXTBOOK = "textbook"
SEED_001 = "seed 001_439b5f8932771f95"
SECTION = "Momentum, Quadratic Convex Functions"

# A fixed non-diagonal SPD example with a non-zero linear term, exact rationals.
_Q = [[3, 1], [1, 2]]
_C = [1, -2]
_B = 4


@lru_cache(maxsize=1)
def _general_latex() -> dict[str, str]:
    r"""LaTeX of :math:`x^\star`, :math:`x - x^\star`, :math:`h^\star` and the gradient for a general Q, c.

    sympy derives the minimizer, minimum and gradient of a quadratic with a
    general symmetric 2x2 ``Q`` and general ``c``, ``b``; the coefficients
    relating them to :math:`Q^{-1}c` and :math:`c^\top Q^{-1}c` are read off and
    carried over to matrix symbols, which print the corrected statements.

    Raises
    ------
    RuntimeError
        The derived forms are not multiples of :math:`Q^{-1}c` (resp.
        :math:`c^\top Q^{-1}c`, :math:`Qx + c`) component by component.
    """
    q11, q12, q22, c1, c2, b = sp.symbols("q11 q12 q22 c1 c2 b", real=True)
    Qg, cg = sp.Matrix([[q11, q12], [q12, q22]]), sp.Matrix([c1, c2])
    forms = completed_square(Qg, cg, b)
    q_inv_c = Qg.inv() * cg
    ratios = {sp.simplify(forms.x_star[i] / q_inv_c[i]) for i in range(2)}
    require(len(ratios) == 1 and not next(iter(ratios)).free_symbols,
            f"x* = {list(forms.x_star)} is not a constant multiple of Q^-1 c")
    (alpha,) = ratios
    kappa = sp.simplify((forms.h_min - b) / (cg.T * q_inv_c)[0, 0])
    require(not kappa.free_symbols, f"h* - b = {forms.h_min - b} is not a multiple of c^T Q^-1 c")
    linear = (forms.gradient - (Qg * forms.variables + cg)).applyfunc(sp.expand)
    require(linear == sp.zeros(2, 1), f"the gradient {list(forms.gradient)} is not Q x + c")
    n = sp.Symbol("n", integer=True, positive=True)
    Q, c = sp.MatrixSymbol("Q", n, n), sp.MatrixSymbol("c", n, 1)
    x, O = sp.MatrixSymbol("x", n, 1), sp.MatrixSymbol("O", n, n)
    x_star = alpha * Q.I * c
    shift = sp.MatAdd(x, -x_star)
    return {
        "x_star": sp.latex(x_star),
        "shift": sp.latex(shift, order="none"),
        "h_star": sp.latex(b + kappa * sp.Symbol(r"c^\top Q^{-1} c"), order="none"),
        "gradient": sp.latex(sp.MatAdd(Q * x, c), order="none"),
        "gradient_centered": sp.latex(sp.MatMul(Q, shift), order="none"),
        "z": sp.latex(sp.MatMul(O, shift), order="none"),
    }


def _gd_limit(Q: list[list[int]], c: list[int], b: int) -> np.ndarray:
    """Where gradient descent (the real optimizer) ends up on h."""
    problem = EigenQuadratic.from_matrix(np.array(Q, float), np.array(c, float), float(b))
    eta = 1.0 / float(np.max(np.linalg.eigvalsh(np.array(Q, float))))
    traj = run("gd", problem, np.zeros(len(c)), 400, eta=eta)
    return np.asarray(traj.x[-1])


def _minimizer_check(x_sign: int, h_sign: int) -> Verdict:
    """The stated x* = x_sign Q^-1 c and h* = b + h_sign c^T Q^-1 c / 2 against the derivation."""
    residual, holds = general_minimizer_identity()
    x_star, h_min = quadratic_minimizer(_Q, _C, _B)
    Q, c = sp.Matrix(_Q), sp.Matrix(_C)
    stated_x = x_sign * Q.inv() * c
    stated_h = _B + h_sign * sp.Rational(1, 2) * (c.T * Q.inv() * c)[0, 0]
    measured = _gd_limit(_Q, _C, _B)
    # GD with eta = 1/lambda_max contracts by (1 - lambda_min/lambda_max) per step;
    # here that is ~0.55, so 400 steps leave an error far below 1e-12.
    tol = 1e-12
    gap = agree("GD's limit against the derived minimizer", measured,
                np.array(x_star, dtype=float).ravel(), tol)
    ok = holds and x_star == stated_x and h_min == stated_h
    return Verdict(
        "holds" if ok else "refuted",
        {
            "general_n_residual": str(residual),
            "example_Q": _Q, "example_c": _C, "example_b": _B,
            "derived_x_star": [number(v) for v in x_star],
            "derived_h_min": number(h_min),
            "stated_x_star": [number(v) for v in stated_x],
            "stated_h_min": number(stated_h),
            "gd_limit": measured.tolist(),
            "gd_gap": gap,
            "tolerance": 1e-12,
        },
        (f"sympy: h(x*+d) - h* - d^T Q d/2 = {residual} for all n; GD reaches x* within "
         f"{tol:g}" if ok else
         f"on the example the minimizer is {[number(v) for v in x_star]} with h* = {number(h_min)} "
         f"(GD reaches it within {tol:g}); the statement gives {[number(v) for v in stated_x]}, "
         f"{number(stated_h)}"),
        None if ok else rf"x^\star = {_general_latex()['x_star']},\ h^\star = {_general_latex()['h_star']}",
    )


@claim(
    "momentum.minimizer",
    source=TEXTBOOK,
    section=SECTION,
    statement=r"x^\star = -Q^{-1} c,\quad \min_x h(x) = b - \tfrac12 c^\top Q^{-1} c",
    mutants=[Mutant(r"x^\star = Q^{-1} c,\quad \min_x h(x) = b - \tfrac12 c^\top Q^{-1} c",
                    {"x_sign": 1}, "fails")],
)
def momentum_minimizer(x_sign: int = -1, h_sign: int = -1) -> Verdict:
    return _minimizer_check(x_sign, h_sign)


@claim(
    "answers.ex3",
    source=SEED_001,
    section="Momentum, exercise 3 (seed's answer)",
    statement=r"\operatorname{argmin} h = -Q^{-1} c,\quad \min h = b - \tfrac12 c^\top Q^{-1} c",
    mutants=[Mutant(r"\operatorname{argmin} h = -Q^{-1} c,\quad \min h = b + \tfrac12 c^\top "
                    r"Q^{-1} c", {"h_sign": 1}, "fails")],
)
def answers_ex3(x_sign: int = -1, h_sign: int = -1) -> Verdict:
    return _minimizer_check(x_sign, h_sign)


@claim(
    "momentum.completed-square",
    source=TEXTBOOK,
    section=SECTION,
    statement=r"h(x) = \tfrac12 (x - Q^{-1}c)^\top Q (x - Q^{-1}c) + b - \tfrac12 c^\top Q^{-1} c",
    mutants=[Mutant(r"h(x) = \tfrac12 (x + Q^{-1}c)^\top Q (x + Q^{-1}c) + b - \tfrac12 c^\top "
                    r"Q^{-1} c", {"shift_sign": 1}, "holds")],
)
def momentum_completed_square(shift_sign: int = -1) -> Verdict:
    """The stated form with the shift ``x + shift_sign Q^-1 c``."""
    forms = completed_square(_Q, _C, _B)
    h, x = quadratic_expression(_Q, _C, _B)
    Q, c = sp.Matrix(_Q), sp.Matrix(_C)
    shift = -shift_sign * Q.inv() * c
    stated = (sp.Rational(1, 2) * (x - shift).T * Q * (x - shift))[0, 0] + forms.h_min
    residual = sp.expand(h - stated)
    if residual == 0:
        return Verdict("holds", {"residual": "0"}, "h minus the stated form expands to 0")
    point = find_counterexample(
        lambda a, b_: residual.subs({x[0]: a, x[1]: b_}) == 0, [range(-2, 3), range(-2, 3)]
    )
    assert point is not None
    at = {x[0]: point[0], x[1]: point[1]}
    # numeric witness: the objective the optimizers use, at the counterexample
    problem = EigenQuadratic.from_matrix(np.array(_Q, float), np.array(_C, float), float(_B))
    f_at = float(problem.f(np.array(point, dtype=float)))
    # h* + (x - x*)^T Q (x - x*)/2 with x* from a float64 solve: a few ulps of 20
    agree("the problem's f at the counterexample", f_at, float(h.subs(at)), 1e-12)
    g = _general_latex()
    return Verdict(
        "refuted",
        {
            "residual": str(residual),
            "example_Q": _Q, "example_c": _C, "example_b": _B,
            "counterexample_x": list(point),
            "h_at_x": number(h.subs(at)),
            "numeric_f_at_x": f_at,
            "stated_at_x": number(stated.subs(at)),
            "derived_form_verified": forms.identity_holds,
        },
        f"sign error: at x={list(point)} h={h.subs(at)} but the stated form gives {stated.subs(at)}",
        rf"h(x) = \tfrac12 \left({g['shift']}\right)^\top Q \left({g['shift']}\right) + {g['h_star']}",
    )


@claim(
    "momentum.gradient",
    source=TEXTBOOK,
    section=SECTION,
    statement=r"\nabla h(x) = Q\,(x - Q^{-1} c)",
    mutants=[Mutant(r"\nabla h(x) = Q\,(x + Q^{-1} c)", {"shift_sign": 1}, "holds")],
)
def momentum_gradient(shift_sign: int = -1) -> Verdict:
    """The stated gradient ``Q (x + shift_sign Q^-1 c)``."""
    forms = completed_square(_Q, _C, _B)
    x = forms.variables
    Q, c = sp.Matrix(_Q), sp.Matrix(_C)
    stated = Q * (x + shift_sign * Q.inv() * c)
    residual = (forms.gradient - stated).applyfunc(sp.expand)
    if residual == sp.zeros(2, 1):
        return Verdict("holds", {"residual": "0"}, "gradient equals the stated form")
    # numeric witness: the gradient the optimizers use, at x = 0
    problem = EigenQuadratic.from_matrix(np.array(_Q, float), np.array(_C, float), float(_B))
    measured = problem.grad(np.zeros(2))
    derived_at_0 = np.array(forms.gradient.subs({x[0]: 0, x[1]: 0}), dtype=float).ravel()
    # Q (0 - x*) with x* from a float64 solve: a few ulps of |Q| |x*| ~ 5
    agree("the problem's gradient at 0", measured, derived_at_0, 1e-12)
    g = _general_latex()
    return Verdict(
        "refuted",
        {
            "derived_gradient": [str(g) for g in forms.gradient],
            "stated_gradient": [str(g) for g in stated.applyfunc(sp.expand)],
            "difference": [str(r) for r in residual],
            "numeric_grad_at_0": measured.tolist(),
            "stated_at_0": [number(v) for v in stated.subs({x[0]: 0, x[1]: 0})],
        },
        f"at x=0 the gradient is {measured.tolist()} (derived {derived_at_0.tolist()} = c) but "
        f"the stated form gives {[number(v) for v in stated.subs({x[0]: 0, x[1]: 0})]}",
        rf"\nabla h(x) = {g['gradient']} = {g['gradient_centered']} = Q\,(x - x^\star)",
    )


@claim(
    "momentum.eigen-change",
    source=TEXTBOOK,
    section=SECTION,
    statement=r"z = O(x - Q^{-1}c) \Rightarrow h = \tfrac12 z^\top \Lambda z + b',\ "
    r"b' = b - \tfrac12 c^\top Q^{-1} c",
    mutants=[Mutant(r"z = O(x + Q^{-1}c) \Rightarrow h = \tfrac12 z^\top \Lambda z + b',\ "
                    r"b' = b - \tfrac12 c^\top Q^{-1} c", {"shift_sign": 1}, "holds")],
)
def momentum_eigen_change(shift_sign: int = -1) -> Verdict:
    """The stated change of variables ``z = O (x + shift_sign Q^-1 c)``."""
    eig = eigen_form(_Q, _C, _B)
    h, x = quadratic_expression(_Q, _C, _B)
    Q, c = sp.Matrix(_Q), sp.Matrix(_C)
    x_star_exact, h_min = quadratic_minimizer(_Q, _C, _B)
    z_stated = eig.O * (x + shift_sign * Q.inv() * c)
    stated = (sp.Rational(1, 2) * z_stated.T * eig.Lambda * z_stated)[0, 0] + h_min
    residual = sp.simplify(sp.expand(h - stated))
    # numeric witness: the objective the optimizers use against the derived eigen form
    # h* + z^T Lambda z / 2 with z = O (x - x*), on the grid {-2..2}^2 (values <= 30: a few
    # ulps, ~1e-14; a wrong O, Lambda or x* moves h by O(1))
    problem = EigenQuadratic.from_matrix(np.array(_Q, float), np.array(_C, float), float(_B))
    O_num, lam_num = np.array(eig.O, dtype=float), np.diag(np.array(eig.Lambda, dtype=float))
    x_star_num = np.array(x_star_exact, dtype=float).ravel()
    grid = np.array([[a, b_] for a in range(-2, 3) for b_ in range(-2, 3)], dtype=float)
    z_num = (grid - x_star_num) @ O_num.T
    eigen_gap = agree("the problem's f against the derived eigen form on the grid",
                      problem.f(grid), 0.5 * (z_num**2 * lam_num).sum(-1) + float(h_min), 1e-12)
    if residual == 0:
        return Verdict("holds", {"residual": "0", "eigen_form_gap_on_grid": eigen_gap},
                       "the stated eigen form equals h")
    point = find_counterexample(
        lambda a, b_: sp.simplify(residual.subs({x[0]: a, x[1]: b_})) == 0,
        [range(-2, 3), range(-2, 3)],
    )
    assert point is not None
    at = {x[0]: point[0], x[1]: point[1]}
    require(eig.identity_holds, "the derived eigen form does not reproduce h")
    g = _general_latex()
    return Verdict(
        "refuted",
        {
            "counterexample_x": list(point),
            "h_at_x": number(sp.nsimplify(h.subs(at))),
            "stated_at_x": float(stated.subs(at)),
            "corrected_form_verified": eig.identity_holds,
            "eigen_form_gap_on_grid": eigen_gap,
            "eigen_form_tolerance": 1e-12,
        },
        f"with z = O(x - Q^-1 c), at x={list(point)}: h={h.subs(at)} but the form gives "
        f"{float(stated.subs(at)):.6g}; it holds with z = O(x + Q^-1 c)",
        rf"z = {g['z']} = O(x - x^\star) \Rightarrow h = \tfrac12 z^\top \Lambda z + b',\ "
        rf"b' = {g['h_star']}",
    )


_ETA = sp.Symbol("eta", positive=True)


@claim(
    "momentum.gd-in-z",
    source=TEXTBOOK,
    section=SECTION,
    statement=r"z_t = z_{t-1} - \Lambda z_{t-1} = (I - \Lambda) z_{t-1}",
    mutants=[
        Mutant(r"z_t = z_{t-1} - \eta\Lambda z_{t-1} = (I - \eta\Lambda) z_{t-1}",
               {"coefficient": _ETA}, "holds"),
        Mutant(r"z_t = z_{t-1} + \Lambda z_{t-1} = (I + \Lambda) z_{t-1}",
               {"coefficient": -1}, "fails"),
    ],
)
def momentum_gd_in_z(coefficient: sp.Expr | int = 1) -> Verdict:
    """The stated iteration ``z_t = (I - coefficient * Lambda) z_{t-1}`` against GD's.

    "conditional" when some step size eta > 0 makes the statement true,
    "refuted" when none does.
    """
    eta = _ETA
    eig = eigen_form(_Q, _C, _B)
    forms = completed_square(_Q, _C, _B)
    x = forms.variables
    x_next = x - eta * forms.gradient
    z_of = lambda v: eig.O * (v - forms.x_star)  # noqa: E731
    # z_{t} expressed through z_{t-1}: substitute x = O^T z + x*
    zs = sp.Matrix(sp.symbols("z1:3", real=True))
    sub = dict(zip(x, eig.O.T * zs + forms.x_star, strict=True))
    z_next = z_of(x_next).subs(sub).applyfunc(sp.simplify)
    derived = (z_next.jacobian(zs)).applyfunc(lambda e: sp.simplify(sp.radsimp(e)))
    # an int or a sympy expression from the claim's own statement or mutants (never text)
    coef = sp.Integer(coefficient) if isinstance(coefficient, int) else coefficient
    if not isinstance(coef, sp.Expr):
        raise TypeError(f"coefficient must be an int or a sympy expression, got {coefficient!r}")
    stated = sp.eye(2) - coef * eig.Lambda
    difference = (derived - stated).applyfunc(lambda e: sp.simplify(sp.radsimp(e)))
    solutions = [] if difference == sp.zeros(2, 2) else sp.solve(list(difference), eta, dict=True)
    # numeric witness: GD with eta = 0.1 on the rotated example, 5 steps, against both
    # iteration matrices carried back to x: x_t - x* = O^T M O (x_{t-1} - x*)
    eta_value, steps = sp.Rational(1, 10), 5
    problem = EigenQuadratic.from_matrix(np.array(_Q, float), np.array(_C, float), float(_B))
    x0 = np.array([1.0, -1.0])
    traj = run("gd", problem, x0, steps, eta=float(eta_value))
    x_star = np.array(forms.x_star, dtype=float).ravel()

    def predict(M: sp.Matrix) -> np.ndarray:
        step = np.array((eig.O.T * M.subs(eta, eta_value) * eig.O).evalf(30), dtype=float)
        return x_star + np.linalg.matrix_power(step, steps) @ (x0 - x_star)

    pred_eta = predict(derived)
    pred_stated = predict(stated)
    # 5 GD steps in float64 and a 2x2 matrix power: rounding of a few ulps of values <= 2
    tol = 1e-13
    err_eta = agree("GD iterate after 5 steps against (I - eta Lambda)^5", traj.x[-1], pred_eta, tol)
    err_stated = float(np.max(np.abs(traj.x[-1] - pred_stated)))
    z = np.asarray(problem.to_eigen(traj.x))
    # name the derived matrix when it is I - eta Lambda entry by entry (printed with symbols)
    generic = sp.Symbol("I") - eta * sp.Symbol("Lambda")
    is_generic = (derived - (sp.eye(2) - eta * eig.Lambda)).applyfunc(
        lambda e: sp.simplify(sp.radsimp(e))) == sp.zeros(2, 2)
    derived_text = str(generic) if is_generic else str(derived.tolist())
    derived_latex = sp.latex(generic, order="none") if is_generic else sp.latex(derived)
    stated_text = str(sp.Symbol("I") - coef * sp.Symbol("Lambda"))
    lams = [sp.nsimplify(eig.Lambda[i, i]) for i in range(2)]
    evidence = {
        "derived_iteration_matrix": derived_text,
        "Lambda_diagonal": [str(v) for v in lams],
        "derived_is_I_minus_eta_Lambda": bool(is_generic),
        "stated_iteration_matrix": stated_text,
        "equal_only_for": [str(sol[eta]) for sol in solutions],
        "eta": float(eta_value),
        "gd_z5_measured": z[-1].tolist(),
        "gd_x5_measured": traj.x[-1].tolist(),
        "error_vs_derived": err_eta,
        "error_vs_stated": err_stated,
        "tolerance": tol,
    }
    if difference == sp.zeros(2, 2):
        return Verdict("holds", evidence,
                       f"GD in z is z_t = ({derived_text}) z_(t-1), as stated (GD at eta="
                       f"{eta_value}: error below {tol:g})")
    if not solutions:
        return Verdict(
            "refuted",
            evidence,
            f"derived z_t = ({derived_text}) z_(t-1); no step size eta > 0 gives {stated_text} "
            f"(GD at eta={eta_value}: error below {tol:g} vs {err_stated:.2g})",
            rf"z_t = \left({derived_latex}\right) z_{{t-1}}",
        )
    return Verdict(
        "conditional",
        evidence,
        f"derived z_t = ({derived_text}) z_(t-1); the statement is the case eta = "
        f"{', '.join(str(sol[eta]) for sol in solutions)} (GD at eta={eta_value}: error "
        f"below {tol:g} vs {err_stated:.2g})",
        rf"z_t = \left({derived_latex}\right) z_{{t-1}}"
        rf"\ (\text{{the stated form is the case }} "
        rf"{', '.join(sp.latex(sp.Eq(eta, sol[eta])) for sol in solutions)})",
    )
