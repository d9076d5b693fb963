r"""Claims of seed 004 (Su Jianlin): the ODE / error-control view of RMSprop.

Derivations come from :mod:`optheory.symbolic.ode`; the witnesses run the
project's gradient descent and RMSProp on a quartic and on the textbook's
quadratic, and compare with the flows of :mod:`optheory.numeric.ode`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from optheory.numeric.ode import (
    convergence_order,
    discretisation_errors,
    error_controlled_euler,
    gradient_flow,
)
from optheory.numeric.problems import textbook_2d
from optheory.numeric.run import run
from optheory.symbolic.ode import (
    EPS,
    GAMMA,
    GAMMA_TILDE,
    LAMBDA,
    THETA,
    direction_check,
    error_control_step,
    euler_local_error,
    per_coordinate_counterexample,
    rmsprop_from_error_control,
    rmsprop_update,
)
from optheory.verification.claims._util import agree, number, require
from optheory.verification.registry import Mutant, Verdict, claim

SEED_004 = "seed 004_11e1fadf9774a2ad"
_X0 = np.array([-5.0, -2.0])


class _Quartic:
    r"""The 1-D objective :math:`L(\theta) = \theta^4/4 + \theta^2/2` (a non-quadratic test case)."""

    backend = "numpy"
    device = "cpu"
    dtype = "float64"
    dim = 1

    @staticmethod
    def expression() -> sp.Expr:
        return THETA**4 / 4 + THETA**2 / 2

    def f(self, x: Any) -> np.ndarray:
        x = np.asarray(x)
        return np.asarray((x**4 / 4 + x**2 / 2).sum(-1))

    def grad(self, x: Any) -> np.ndarray:
        x = np.asarray(x)
        return np.asarray(x**3 + x)


def _angles(steps: np.ndarray, grads: np.ndarray) -> np.ndarray:
    """Angle (degrees) between each 2-D step and the negative gradient (atan2: full precision)."""
    cross = steps[..., 0] * grads[..., 1] - steps[..., 1] * grads[..., 0]
    dot = -(steps * grads).sum(-1)
    return np.asarray(np.degrees(np.arctan2(np.abs(cross), dot)))


@claim(
    "ode.euler",
    source=SEED_004,
    section="极小值点和ODE / 变学习率思想 (eqs. 4-8)",
    statement=r"\theta_{n+1} = \theta_n - \gamma L'(\theta_n) \text{ is the Euler scheme of } "
    r"\dot\theta = -L'(\theta):\ \theta_{t+\gamma} = \theta_t - \gamma L'(\theta_t) + "
    r"\mathcal{O}(\gamma^2)",
    mutants=[Mutant(r"\theta_{n+1} = \theta_n - \gamma L'(\theta_n) \text{ is the Euler scheme of } "
                    r"\dot\theta = -L'(\theta):\ \theta_{t+\gamma} = \theta_t - \gamma L'(\theta_t) + "
                    r"\mathcal{O}(\gamma^3)", {"stated_order": 3}, "fails")],
)
def ode_euler(stated_order: int = 2) -> Verdict:
    """The stated order of the local error of one Euler step against the Taylor derivation."""
    local = euler_local_error(3)
    problem = _Quartic()
    L = sp.Function("L")
    theta0 = 1.0
    coefficient = local.leading.subs(L(THETA), problem.expression()).doit().subs(THETA, theta0)
    coefficient = sp.nsimplify(sp.simplify(coefficient / GAMMA**local.order))
    hs = [0.04, 0.02, 0.01, 0.005]
    errors = []
    for h in hs:
        step = run("gd", problem, [theta0], 1, eta=h).x[1, 0]
        exact = float(gradient_flow(problem.grad, [theta0], h)[0])
        errors.append(abs(step - exact))
    local_order = convergence_order(hs, errors)
    scaled = [e / h**local.order for e, h in zip(errors, hs, strict=True)]
    g_hs, g_err = discretisation_errors("gradient", problem.grad, [theta0], 1.0, [20, 40, 80, 160])
    global_order = convergence_order(g_hs.tolist(), g_err.tolist())
    # error / h^2 -> the derived coefficient as h -> 0; at h = 0.005 the O(h^3) term is ~ 1%,
    # and over h = 0.04 .. 0.005 it moves the fitted orders by a few percent
    agree("fitted local order of GD against the flow", local_order, local.order, 0.1)
    agree("local error / gamma^2 at gamma = 0.005", scaled[-1], float(coefficient), 0.05,
          relative=True)
    agree("fitted global order of GD against the flow", global_order, local.order - 1, 0.1)
    ok = local.order == stated_order
    return Verdict(
        "holds" if ok else "refuted",
        {
            "leading_local_error": str(local.leading),
            "local_order": local.order,
            "stated_order": stated_order,
            "objective": str(problem.expression()),
            "theta0": theta0,
            "derived_coefficient_of_gamma^2": number(coefficient),
            "step_sizes": hs,
            "measured_local_errors": errors,
            "error_over_gamma^2": scaled,
            "fitted_local_order": local_order,
            "fitted_global_order": global_order,
        },
        f"Taylor: flow - Euler step = {local.leading} + O(gamma^3); GD on theta^4/4 + theta^2/2 "
        f"from 1: local order {local_order:.3f}, error/gamma^2 -> {scaled[-1]:.3f} (derived "
        f"{coefficient}); global order {global_order:.3f}"
        + ("" if ok else f"; the statement's order is {stated_order}"),
        None if ok else rf"\text{{flow minus Euler step}} = {sp.latex(local.leading)} + "
        rf"\mathcal{{O}}(\gamma^{{{local.order + 1}}})",
    )


@claim(
    "ode.error-control",
    source=SEED_004,
    section="变学习率思想 (eqs. 9-11)",
    statement=r"\gamma|L'(\theta_t)| = \tilde\gamma \Rightarrow \gamma = "
    r"\frac{\tilde\gamma}{|L'(\theta_t)|},\ \theta_{t+\tilde\gamma/|L'(\theta_t)|} = \theta_t - "
    r"\tilde\gamma\,\operatorname{sign}[L'(\theta_t)]",
    mutants=[Mutant(r"\gamma|L'(\theta_t)| = \tilde\gamma \Rightarrow \gamma = "
                    r"\tilde\gamma\,|L'(\theta_t)|,\ \theta_{t+\gamma} = \theta_t - "
                    r"\tilde\gamma\,|L'(\theta_t)|\, L'(\theta_t)", {"step_power": 1}, "fails")],
)
def ode_error_control(step_power: int = -1) -> Verdict:
    """The stated step size ``gamma~ |L'|^step_power`` and its update against the derivation."""
    ctrl = error_control_step()
    g = sp.Symbol("g", real=True, nonzero=True)
    stated_step = GAMMA_TILDE * sp.Abs(g) ** step_power
    step_ok = sp.simplify(ctrl.step_size - stated_step) == 0
    update_ok = sp.simplify(ctrl.update - (THETA - stated_step * g)) == 0
    gt = 0.1
    times, thetas = error_controlled_euler(_Quartic().grad, [2.0], gt, 10)
    moved = np.abs(np.diff(thetas[:, 0]))
    # the seed's step is RMSProp with no smoothing and no eps: |step| = eta in each coordinate
    traj = run("rmsprop", textbook_2d(), _X0, 10, eta=gt, gamma=0.0, eps=0.0).x
    per_coord = np.abs(np.diff(traj, axis=0))
    # one subtraction of 0.1 from numbers below 5: exact up to an ulp of 5
    tol = 1e-14
    ok = step_ok and update_ok
    if ok:
        agree("error-controlled Euler moves on the quartic", moved, gt, tol)
        agree("RMSProp (gamma = 0, eps = 0) moves per coordinate", per_coord, gt, tol)
    return Verdict(
        "holds" if ok else "refuted",
        {
            "derived_step_size": str(ctrl.step_size),
            "derived_update": str(ctrl.update),
            "stated_step_size": str(stated_step),
            "gamma_tilde": gt,
            "quartic_moves": moved.tolist(),
            "quartic_flow_time_advances": np.diff(times).tolist(),
            "rmsprop_gamma_0_eps_0_moves": per_coord.tolist(),
            "tolerance": tol,
        },
        (f"solve gamma |g| = gamma~: gamma = {ctrl.step_size}, update {ctrl.update}; every step "
         f"moves each coordinate by {gt} (quartic and 0.1x1^2+2x2^2) while flow time advances by "
         f"gamma~/|g|") if ok else
        f"solve gamma |g| = gamma~: gamma = {ctrl.step_size}, not {stated_step}",
        None if ok else rf"\gamma = {sp.latex(ctrl.step_size)},\ \theta \leftarrow "
        rf"{sp.latex(ctrl.update)}",
    )


@claim(
    "ode.rmsprop",
    source=SEED_004,
    section="滑动平均处理 (eqs. 12-13)",
    statement=r"G_{n+1} = \lambda G_n + (1-\lambda)|L'(\theta_n)|^2,\ \gamma = "
    r"\frac{\tilde\gamma}{\sqrt{G_{n+1}+\epsilon}},\ \theta_{n+1} = \theta_n - \gamma "
    r"L'(\theta_n) \text{ is RMSprop}",
    mutants=[Mutant(r"G_{n+1} = \lambda G_n + |L'(\theta_n)|^2,\ \gamma = "
                    r"\frac{\tilde\gamma}{\sqrt{G_{n+1}+\epsilon}},\ \theta_{n+1} = \theta_n - \gamma "
                    r"L'(\theta_n) \text{ is RMSprop}", {"new_weight": sp.Integer(1)}, "fails")],
)
def ode_rmsprop(new_weight: sp.Expr = 1 - LAMBDA) -> Verdict:
    """The seed's map with ``G_(n+1) = lambda G_n + new_weight |L'|^2`` against RMSProp."""
    d = rmsprop_from_error_control()
    difference, matches = list(d.difference), d.matches
    if sp.simplify(new_weight - (1 - LAMBDA)) != 0:
        # the stated map built as the derivation builds it, with the stated weight
        g, big_g, q = sp.Symbol("g", real=True, nonzero=True), sp.Symbol("G", nonnegative=True), \
            sp.Symbol("q", positive=True)
        step_of_q = error_control_step().step_size.subs(sp.Abs(g), sp.sqrt(q))
        g_next = LAMBDA * big_g + new_weight * g**2
        seed = (THETA - step_of_q.subs(q, g_next + EPS) * g, g_next)
        textbook = rmsprop_update(THETA, big_g, g, GAMMA_TILDE, LAMBDA, EPS)
        difference = [sp.simplify(a - b) for a, b in zip(seed, textbook, strict=True)]
        matches = all(x == 0 for x in difference)
    weight = sp.lambdify(LAMBDA, new_weight)
    lam, gt, eps, steps = 0.9, 0.1, 1e-6, 50
    problem = textbook_2d()
    theta, big_g = _X0.copy(), np.zeros(2)
    seed_xs = [theta.copy()]
    for _ in range(steps):
        grad = np.asarray(problem.grad(theta))
        big_g = lam * big_g + float(weight(lam)) * grad * grad
        theta = theta - gt / np.sqrt(big_g + eps) * grad
        seed_xs.append(theta.copy())
    ours = run("rmsprop", problem, _X0, steps, eta=gt, gamma=lam, eps=eps).x
    gap = float(np.max(np.abs(np.array(seed_xs) - ours)))
    # same operations in the same order: identical up to an ulp
    tol = 1e-14
    ok = matches
    if ok:
        agree("the seed's eq. (12)-(13) loop against RMSProp", gap, 0.0, tol)
    else:
        require(gap > tol, f"the derived maps differ but the runs agree to {gap:.2g}")
    return Verdict(
        "holds" if ok else "refuted",
        {
            "difference_seed_minus_textbook": [str(x) for x in difference],
            "unsmoothed_limit": str(d.unsmoothed_limit),
            "lambda": lam, "gamma_tilde": gt, "eps": eps, "steps": steps,
            "max_gap_seed_eq15_vs_rmsprop": gap,
            "tolerance": tol,
        },
        f"with lambda -> gamma, gamma~ -> eta, G -> s the seed's map minus RMSProp's simplifies to "
        f"{difference}; lambda = eps = 0 gives {d.unsmoothed_limit}; runs "
        + (f"agree within {tol:g}" if ok else f"differ by up to {gap:.3g}"),
        None if ok else rf"\text{{seed's map minus RMSProp's}} = "
        rf"{sp.latex(sp.Matrix(difference))}",
    )


@claim(
    "ode.scalar-vs-vector",
    source=SEED_004,
    section="高维情形分析 (eqs. 14-15)",
    statement=r"\text{(14) keeps the learning rate a scalar (the gradient's direction); (15) "
    r"gives each coordinate its own rate and changes the update direction}",
    mutants=[Mutant(r"\text{(14) keeps the learning rate a scalar (the gradient's direction); (15) "
                    r"gives each coordinate its own rate and keeps the update direction}",
                    {"vector_turns": False}, "fails")],
)
def ode_scalar_vs_vector(vector_turns: bool = True) -> Verdict:
    """(14) keeps the direction; (15) turns it (``vector_turns``, as stated) or keeps it."""
    check = direction_check(2)
    g_ce, step_ce, minor = per_coordinate_counterexample()
    lam, gt, eps, steps = 0.9, 0.1, 1e-6, 30
    problem = textbook_2d()
    # eq. (14): one step size from the gradient norm
    theta, big_g = _X0.copy(), 0.0
    xs14, gs14 = [theta.copy()], []
    for _ in range(steps):
        grad = np.asarray(problem.grad(theta))
        big_g = lam * big_g + (1 - lam) * float(grad @ grad)
        theta = theta - gt / np.sqrt(big_g + eps) * grad
        gs14.append(grad)
        xs14.append(theta.copy())
    angles14 = _angles(np.diff(np.array(xs14), axis=0), np.array(gs14))
    # eq. (15) is RMSProp: the real optimizer
    ours = run("rmsprop", problem, _X0, steps, eta=gt, gamma=lam, eps=eps).x
    grads15 = np.asarray(problem.grad(ours[:-1]))
    angles15 = _angles(np.diff(ours, axis=0), grads15)
    # parallel vectors in float64: the angle is rounding only (~1e-14 degrees)
    if check.scalar_keeps_direction:
        agree("angle between eq. (14)'s step and -g (degrees)", float(angles14.max()), 0.0, 1e-10)
    if not check.vector_keeps_direction:
        # on 0.1x1^2+2x2^2 the two gradient coordinates differ 20-fold: RMSProp's per-coordinate
        # scaling must turn the step visibly (degrees, not rounding)
        require(float(angles15.max()) > 1.0,
                f"RMSProp's steps stay within {float(angles15.max()):.2g} deg of -g")
    ok = check.scalar_keeps_direction and (not check.vector_keeps_direction) == vector_turns
    return Verdict(
        "holds" if ok else "refuted",
        {
            "scalar_minors": [str(m) for m in check.scalar_minors],
            # lambda = eps = 0 (no smoothing) keeps the minor on one line
            "vector_minors_at_lambda_0_eps_0": [str(sp.simplify(m.subs({LAMBDA: 0, EPS: 0})))
                                                for m in check.vector_minors],
            "counterexample_gradient": [number(v) for v in g_ce],
            "counterexample_step": [str(v) for v in step_ce],
            "counterexample_minor": str(minor),
            "max_angle_deg_eq14": float(angles14.max()),
            "max_angle_deg_eq15_rmsprop": float(angles15.max()),
            "first_angle_deg_eq15_rmsprop": float(angles15[0]),
            "angle_rounding_bound_deg": 1e-10,
        },
        f"2x2 minors of [step | g]: (14) "
        f"{'all 0' if check.scalar_keeps_direction else 'nonzero'}, (15) "
        f"{'all 0' if check.vector_keeps_direction else 'nonzero'}; e.g. g = "
        f"{[number(v) for v in g_ce]} gives step {[str(v) for v in step_ce]}; on 0.1x1^2+2x2^2 "
        f"RMSProp's steps turn up to {angles15.max():.1f} deg from -g, eq. (14)'s "
        + ("by less than 1e-10 deg" if angles14.max() < 1e-10 else f"by {angles14.max():.3g} deg")
        + ("" if ok else f"; the statement says (15) {'changes' if vector_turns else 'keeps'} "
                         f"the direction"),
        None if ok else rf"\text{{2x2 minors of [step | g]: (14) }} "
        rf"{', '.join(sp.latex(m) for m in check.scalar_minors)}\text{{; (15) }} "
        rf"{', '.join(sp.latex(m) for m in check.vector_minors)}",
    )
