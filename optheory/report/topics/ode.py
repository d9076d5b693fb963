"""Report topic: the ODE view of gradient methods.

Derivations from :mod:`optheory.symbolic.ode` (Euler's local error, error
control turning the Euler step into a sign step, smoothing it into RMSProp,
the scalar-norm and per-coordinate generalisations, the heavy-ball ODE as
momentum); flows and schemes from :mod:`optheory.numeric.ode`
(``solve_ivp`` with DOP853 against the discrete methods).  Source: seed 004
(Su Jianlin, the ODE view of optimizers) and the textbook's update rules.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from optheory.numeric import ode as ode_num
from optheory.report.document import (
    Block,
    Figure,
    Heading,
    InlineMath,
    Math,
    Page,
    Text,
    Verification,
    VerificationRow,
)
from optheory.report.topics._common import row as _row
from optheory.report.topics._common import tex as _tex
from optheory.reproducible import gap_text

__all__ = ["build"]

_SEED = 0
# order-of-accuracy study: a rotated 2-D quadratic, final time 2, N = 25 .. 400 steps
_ORDER_STEPS = (25, 50, 100, 200, 400)
_ORDER_T = 2.0
_ORDER_PARAMS: dict[str, dict[str, float]] = {
    "gradient": {},
    "rmsprop": {"c": 1.0, "eps": 0.5},
    "heavy_ball": {"a": 1.5},
}


def build() -> Page:
    from optheory.symbolic import ode as so

    blocks: list[Block] = []
    rows: list[VerificationRow] = []
    # ---- 1. Euler
    local = so.euler_local_error(3)
    blocks += [
        Heading("Gradient descent is Euler's method for the gradient flow"),
        Text(
            "The gradient flow is $\\dot\\theta = -L'(\\theta)$. sympy expands the exact "
            "solution over one step $\\gamma$, replacing each time derivative by the chain "
            "rule, and subtracts the Euler step:"
        ),
        Math(f"\\theta(t + \\gamma) = {_tex(local.expansion)} + O(\\gamma^4)",
             label="Taylor expansion of the flow"),
        Math(f"\\theta_{{n+1}} = {_tex(local.euler_step)}", label="Euler step = gradient descent"),
        Math(f"\\theta(t + \\gamma) - \\theta_{{n+1}} = {_tex(local.leading)} + O(\\gamma^3)",
             label=f"local error, order {local.order}"),
        Text(
            f"The local error is of order {local.order}, so over a fixed time $T$ (that is "
            f"$T/\\gamma$ steps) the global error is of order {local.order - 1}: gradient "
            "descent is a first-order method for the flow."
        ),
    ]
    rows += _euler_rows(so)

    # ---- 2. error control
    control = so.error_control_step()
    g = sp.Symbol("g", real=True, nonzero=True)
    smooth = so.rmsprop_from_error_control()
    blocks += [
        Heading("Error control gives sign descent, smoothing gives RMSProp"),
        Text("Asking every step to move by the same amount, $\\gamma |g| = \\tilde\\gamma$ "
             "with $g = L'(\\theta_n)$, sympy solves for the step and substitutes:"),
        Math(f"\\gamma = {_tex(control.step_size)}, \\quad \\theta_{{n+1}} = {_tex(control.update)}",
             label="error-controlled step"),
        Text("The iterate moves by $\\tilde\\gamma$ in the direction of $-\\mathrm{sign}(g)$ "
             "while the flow time advances by $\\gamma$. Replacing $|g|^2$ by a leaky average "
             "$G$ of squared gradients (smoothing $\\lambda$) plus $\\epsilon$:"),
        Math(f"\\theta_{{n+1}} = {_tex(smooth.seed_map[0])}, \\quad "
             f"G_{{n+1}} = {_tex(smooth.seed_map[1])}", label="smoothed error control (seed 004)"),
        Math(f"\\theta_{{n+1}} = {_tex(smooth.textbook_map[0])}, \\quad "
             f"G_{{n+1}} = {_tex(smooth.textbook_map[1])}",
             label="textbook RMSProp with $\\gamma \\to \\lambda$, $\\eta \\to \\tilde\\gamma$, "
                   "$s \\to G$"),
        Math(f"\\text{{difference}} = ({_tex(smooth.difference[0])}, {_tex(smooth.difference[1])})"
             f", \\quad \\lambda = \\epsilon = 0: \\ \\theta_{{n+1}} = {_tex(smooth.unsmoothed_limit)}",
             label="the two coincide; without smoothing the sign step returns"),
    ]
    rows += _control_rows(so, control, smooth, g)

    # ---- 3. (14) vs (15)
    check = so.direction_check(2)
    g_ce, step_ce, minor_ce = so.per_coordinate_counterexample()
    blocks += [
        Heading("One step size or one per coordinate"),
        Text("In several dimensions the seed offers two rules: (14) normalises by the squared "
             "gradient norm (one scalar $G$), (15) by each squared coordinate (a vector $G$). "
             "A step keeps the gradient's direction if and only if every $2 \\times 2$ minor of "
             "(step, gradient) vanishes:", inputs={"equations": [14, 15]}),
        Math(f"(14): \\ {_tex(check.scalar_minors[0])}, \\qquad (15): \\ "
             f"{_tex(check.vector_minors[0])}", label="minors, derived for symbolic $g$ and $G$"),
        Math(f"g = {_tex(sp.Matrix(g_ce).T)}, \\quad \\Delta\\theta = {_tex(sp.Matrix(step_ce).T)},"
             f" \\quad \\text{{minor}} = {_tex(minor_ce)}",
             label="smallest integer counterexample for (15) ($G = 0$, $\\lambda = 1/2$)"),
    ]
    rows += _direction_rows(so, check)

    # ---- 4. heavy ball
    semi = so.heavy_ball_momentum_map("semi-implicit")
    explicit = so.heavy_ball_momentum_map("explicit")
    assert semi.solution is not None and semi.inverse is not None
    blocks += [
        Heading("The heavy-ball ODE is momentum"),
        Text("The ODE $\\ddot\\theta + a \\dot\\theta = -\\nabla L$ as a first-order system, "
             "velocity first then position (semi-implicit Euler, step $h$), is matched with "
             "momentum $m \\leftarrow \\beta m + g$, $x \\leftarrow x - \\eta m$ and $v = -c\\,m$. "
             "sympy solves the matching equations identically in $(\\theta, m, g)$:"),
        Math(", \\quad ".join(f"{_tex(k)} = {_tex(v)}" for k, v in semi.solution.items()),
             label="semi-implicit Euler"),
        Math(", \\quad ".join(f"{_tex(k)} = {_tex(v)}" for k, v in semi.inverse.items()),
             label="inverse map"),
        Text("So momentum with $(\\eta, \\beta)$ integrates the heavy-ball ODE with step "
             "$h = \\sqrt{\\eta}$ and friction $a = (1 - \\beta)/\\sqrt{\\eta}$. The explicit "
             "scheme (position updated with the old velocity) "
             + ("has no exact match." if explicit.solution is None else "also matches.")),
    ]
    rows += _heavy_ball_rows(semi)

    # ---- figures
    blocks += _figures(rows)

    blocks += [
        Heading("Verification"),
        Text(f"Flows are integrated with scipy's {ode_num.METHOD} at rtol "
             f"${sp.latex(sp.Float(ode_num.RTOL, 2))}$, atol ${sp.latex(sp.Float(ode_num.ATOL, 2))}$; "
             "discrete methods are the project's optimizers or the matching schemes.",
             inputs={"rtol": ode_num.RTOL, "atol": ode_num.ATOL}),
        Verification(tuple(rows), caption="Derived against measured."),
    ]
    return Page("ode", "The ODE view", tuple(blocks),
                summary="Gradient descent as Euler's method, error control, RMSProp as smoothed "
                        "sign descent, and momentum as the heavy-ball ODE.")


def _euler_rows(so: Any) -> list[VerificationRow]:
    from optheory.numeric.ode import gd_euler, gradient_flow

    theta = so.THETA
    # a non-quadratic loss L = theta^4/4 + theta^2/2, L' = theta^3 + theta
    grad_expr = theta**3 + theta
    local = so.euler_local_error(3, rhs=-grad_expr)
    coeff = local.leading / so.GAMMA**local.order
    theta0 = sp.Integer(1)
    c_der = float(coeff.subs(theta, theta0))
    grad_fn = sp.lambdify(theta, grad_expr, "numpy")

    def grad(x: np.ndarray) -> np.ndarray:
        return np.asarray(grad_fn(x), dtype=float)

    def c_of(h: float) -> float:
        step = gd_euler(grad, [1.0], h, 1)[-1, 0]
        exact = gradient_flow(grad, [1.0], h)[0]
        return float((exact - step) / h**2)

    h = 2e-3
    # c(h) = c0 + c1 h + O(h^2): Richardson extrapolation 2 c(h/2) - c(h) leaves O(h^2) ~ 1e-5;
    # the flow is accurate to ~1e-10 absolute, i.e. 1e-10 / (1e-3)^2 = 1e-4 in c: tolerance 1e-3
    c_meas = 2 * c_of(h / 2) - c_of(h)
    return [_row(
        "local Euler error / $\\gamma^2$ at $\\theta = 1$ for $L = \\theta^4/4 + \\theta^2/2$",
        InlineMath(f"{_tex(coeff)}\\big|_{{\\theta=1}} = {_tex(coeff.subs(theta, theta0))}"),
        c_meas, 1e-3, abs(c_meas - c_der) < 1e-3)]


def _control_rows(so: Any, control: Any, smooth: Any, g: sp.Symbol) -> list[VerificationRow]:
    from optheory.numeric.ode import error_controlled_euler, rmsprop_euler
    from optheory.numeric.problems import EigenQuadratic
    from optheory.numeric.run import run

    rows = []
    gt = 0.05
    grad_fn = sp.lambdify(so.THETA, so.THETA**3 + so.THETA, "numpy")

    def grad(x: np.ndarray) -> np.ndarray:
        return np.asarray(grad_fn(x), dtype=float)

    times, xs = error_controlled_euler(grad, [2.0], gt, 30)
    moves = np.abs(np.diff(xs[:, 0]))
    dev = float(np.max(np.abs(moves - gt)))
    # one subtraction of O(2) numbers per step: rounding ~4e-16
    rows.append(_row("error-controlled Euler moves by exactly $\\tilde\\gamma$ (1-D, 30 steps)",
                     InlineMath(f"|\\Delta\\theta| = {_tex(sp.Abs(control.update - so.THETA))}"),
                     f"max deviation {gap_text(dev, 1e-14)}", 1e-14, dev < 1e-14))
    dt = np.diff(times)
    g_prev = np.abs(grad(xs[:-1, 0]))
    adv = float(np.max(np.abs(dt - gt / g_prev)))
    step_fn = sp.lambdify((g, sp.Symbol("gamma_tilde", positive=True)), control.time_advance,
                          "numpy")
    want = np.asarray(step_fn(grad(xs[:-1, 0]), gt), dtype=float)
    gap = float(np.max(np.abs(dt - want)))
    rows.append(_row("the flow time advances by $\\gamma = \\tilde\\gamma / |g|$ per step",
                     InlineMath(_tex(control.time_advance)), f"max gap {gap_text(gap, 1e-14)}", 1e-14,
                     gap < 1e-14 and adv < 1e-14))

    # seed's smoothed scheme == textbook RMSProp, numerically
    problem = EigenQuadratic([1.0, 4.0], basis="random", seed=3)
    h, c, eps, n = 0.05, 1.0, 0.5, 200
    xs_seed, _ = rmsprop_euler(problem.grad, [1.0, -0.5], h, n, c=c, eps=eps)
    xs_rms = run("rmsprop", problem, [1.0, -0.5], n, eta=h, gamma=1 - c * h, eps=eps).x
    gap = float(np.max(np.abs(xs_seed - xs_rms)))
    # G + ch(g^2 - G) and gamma G + (1 - gamma) g^2 round differently: ~1e-16 per step
    rows.append(_row("smoothed error control = RMSProp (200 steps, rotated 2-D problem)",
                     "difference " + ", ".join(str(d) for d in smooth.difference),
                     f"max gap {gap_text(gap, 1e-12)}", 1e-12, smooth.matches and gap < 1e-12))
    return rows


def _direction_rows(so: Any, check: Any) -> list[VerificationRow]:
    rng = np.random.default_rng(_SEED)
    g = rng.standard_normal((200, 5))
    big_g = rng.uniform(0.0, 2.0, (200, 5))
    lam, eps, gt = 0.5, 1e-3, 0.1
    # the rules as defined in optheory.symbolic.ode, compiled for 5-D arrays
    gs = sp.symbols("g1:6", real=True)
    accs = sp.symbols("G1:6", nonnegative=True)
    s14, _ = so.scalar_norm_update(list(gs), sum(accs), lam, eps, gt)
    s15, _ = so.per_coordinate_update(list(gs), list(accs), lam, eps, gt)
    f14 = sp.lambdify((*gs, *accs), s14, "numpy")
    f15 = sp.lambdify((*gs, *accs), s15, "numpy")
    args = (*g.T, *big_g.T)
    step14 = np.stack([np.broadcast_to(v, (g.shape[0],)) for v in f14(*args)], axis=1)
    step15 = np.stack([np.broadcast_to(v, (g.shape[0],)) for v in f15(*args)], axis=1)

    def cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.asarray(np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1)
                                                   * np.linalg.norm(b, axis=1)))

    c14 = cos(step14, -g)
    c15 = cos(step15, -g)
    dev14 = float(np.max(np.abs(c14 - 1)))
    # cosine of parallel float64 vectors: ~1e-16 rounding
    return [
        _row("rule (14) keeps the direction: cos(step, $-g$) for 200 random 5-D gradients",
             "minor " + _tex(check.scalar_minors[0]), f"max |cos - 1| {gap_text(dev14, 1e-14)}", 1e-14,
             check.scalar_keeps_direction and dev14 < 1e-14),
        _row("rule (15) turns the step: smallest cos(step, $-g$) over the same gradients",
             "minor not identically 0", f"{float(np.min(c15)):.4f}", "< 0.999",
             (not check.vector_keeps_direction) and float(np.min(c15)) < 0.999),
    ]


def _heavy_ball_rows(semi: Any) -> list[VerificationRow]:
    from optheory.numeric.ode import heavy_ball_euler
    from optheory.numeric.problems import EigenQuadratic
    from optheory.numeric.run import run
    from optheory.symbolic.ode import BETA, ETA, A, H

    problem = EigenQuadratic([1.0, 4.0], basis="random", seed=3)
    h, a, n = 0.1, 1.5, 200
    values = {H: sp.Rational(str(h)), A: sp.Rational(str(a))}
    eta = float(semi.solution[ETA].subs(values))
    beta = float(semi.solution[BETA].subs(values))
    xs_ode, _ = heavy_ball_euler(problem.grad, [1.0, -0.5], h, n, a=a)
    xs_mom = run("momentum", problem, [1.0, -0.5], n, eta=eta, beta=beta).x
    gap = float(np.max(np.abs(xs_ode - xs_mom)))
    # the two recurrences are algebraically equal (v = -m/h); rounding ~1e-16 per step
    return [_row(f"semi-implicit Euler ($h = {h:g}$, $a = {a:g}$) = momentum with the derived "
                 "$(\\eta, \\beta)$, 200 steps",
                 InlineMath(f"\\eta = {eta:g}, \\ \\beta = {beta:g}"), f"max gap {gap_text(gap, 1e-12)}",
                 1e-12, gap < 1e-12)]


def _figures(rows: list[VerificationRow]) -> list[Block]:
    from optheory.figures import convergence_order as order_figure
    from optheory.figures import ode_vs_discrete
    from optheory.numeric.ode import (
        convergence_order,
        discretisation_errors,
        gradient_flow,
        heavy_ball_flow,
    )
    from optheory.numeric.problems import EigenQuadratic
    from optheory.numeric.run import run
    from optheory.symbolic.ode import BETA, ETA, A, H, euler_local_error, heavy_ball_momentum_map

    blocks: list[Block] = [Heading("Discrete iterates and their flows")]
    lam, h, a, n = 1.0, 0.3, 1.0, 30
    scalar = EigenQuadratic([lam])

    def grad(x: np.ndarray) -> np.ndarray:
        return lam * np.asarray(x, dtype=float)

    semi = heavy_ball_momentum_map("semi-implicit")
    assert semi.solution is not None
    values = {H: sp.Rational(str(h)), A: sp.Rational(str(a))}
    eta_m = float(semi.solution[ETA].subs(values))
    beta_m = float(semi.solution[BETA].subs(values))
    t = h * np.arange(n + 1)
    gd = run("gd", scalar, [1.0], n, eta=h).x[:, 0]
    mom = run("momentum", scalar, [1.0], n, eta=eta_m, beta=beta_m).x[:, 0]
    fine = np.linspace(0.0, t[-1], 121)
    flow = np.concatenate([[1.0], gradient_flow(grad, [1.0], fine[1:])[:, 0]])
    heavy = np.array([1.0] + [heavy_ball_flow(grad, [1.0], s, a=a)[0][0] for s in fine[1:]])
    fig = ode_vs_discrete(
        t, {f"GD, eta = {h:g}": gd, f"momentum, eta = {eta_m:g}, beta = {beta_m:g}": mom},
        {"gradient flow": flow, f"heavy-ball flow, a = {a:g}": heavy}, t_continuous=fine,
        xlabel="time $t = kh$", title="$L = \\theta^2/2$, $\\theta_0 = 1$")
    blocks.append(Figure(
        "flows", fig,
        f"Gradient descent with step {h:g} against the gradient flow, and momentum with the "
        f"derived $(\\eta, \\beta)$ for $h = {h:g}$, $a = {a:g}$ against the heavy-ball flow; "
        "iterate $k$ is drawn at time $kh$."))

    problem = EigenQuadratic([1.0, 4.0], basis="random", seed=3)
    x0 = [1.0, -0.5]
    order_expected = euler_local_error().order - 1
    titles = {"gradient": "gradient descent vs gradient flow",
              "rmsprop": "RMSProp vs RMSProp flow (c = 1, eps = 0.5)",
              "heavy_ball": "semi-implicit Euler vs heavy-ball flow (a = 1.5)"}
    for system, params in _ORDER_PARAMS.items():
        hs, errs = discretisation_errors(system, problem.grad, x0, _ORDER_T, _ORDER_STEPS,
                                         **params)
        slope = convergence_order(list(hs), list(errs))
        blocks.append(Figure(
            f"order-{system.replace('_', '-')}",
            order_figure(hs, errs, slope, title=titles[system]),
            f"Global error at $T = {_ORDER_T:g}$ against the step $h = T/N$, "
            f"N = {', '.join(str(s) for s in _ORDER_STEPS)}; fitted slope {slope:.3f}."))
        # errors are C h + O(h^2) with h <= 0.08: the O(h) relative correction moves the
        # fitted slope by a few hundredths at most, so 0.05 separates order 1 from order 2
        rows.append(_row(f"global order of {titles[system]}",
                         InlineMath(f"{euler_local_error().order} - 1 = {order_expected}"),
                         slope, 0.05, abs(slope - order_expected) < 0.05))
    return blocks
