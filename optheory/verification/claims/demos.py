r"""Claims about the textbook's 2-D demos and the seed's exercise code (section "Momentum";
seed 001_439b5f8932771f95, exercise 2; section "RMSProp")."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from optheory.analysis.rates import spectral_radius
from optheory.numeric.problems import EigenQuadratic, textbook_2d
from optheory.numeric.run import TEXTBOOK_START, run, train_2d
from optheory.symbolic.linear import BETA, ETA, LAM, method_step
from optheory.verification.claims._util import agree, exact, require
from optheory.verification.registry import Verdict, claim

TEXTBOOK = "textbook"
SEED_001 = "seed 001_439b5f8932771f95"


def _dist(traj) -> float:  # type: ignore[no-untyped-def]
    return float(np.linalg.norm(traj.x[-1]))


@claim(
    "momentum.demo-gd",
    source=TEXTBOOK,
    section="Momentum, An Ill-conditioned Problem",
    statement=r"f = 0.1x_1^2 + 2x_2^2,\ x_0 = (-5,-2):\ \eta = 0.4 \text{ slow in } x_1;\ "
    r"\eta = 0.6 \text{ diverges in } x_2",
)
def demo_gd() -> Verdict:
    lams = np.asarray(textbook_2d().eigenvalues, dtype=float)
    steps = 20
    runs = {eta: train_2d("gd", steps, eta=eta) for eta in (0.4, 0.6)}
    # per-coordinate factors |1 - eta lam| = spectral radius of GD on each eigenvalue
    factors = {eta: spectral_radius("gd", eta, lams) for eta in runs}
    x0 = np.abs(np.asarray(TEXTBOOK_START, dtype=float))
    for eta, traj in runs.items():
        # axis-aligned GD multiplies each coordinate by 1 - eta lam: 20 float64 products,
        # relative rounding ~20 ulps
        agree(f"|x_20| of GD at eta = {eta}", np.abs(traj.x[-1]), factors[eta] ** steps * x0, 1e-12,
              relative=True)
    slow, fast = factors[0.4], factors[0.6]
    # the claim: at 0.4 both coordinates converge and x1 is the slow one; at 0.6 x2 diverges
    holds = bool(np.all(slow < 1) and slow[0] > slow[1] and fast[1] > 1)
    (x1_04, x2_04), (x1_06, x2_06) = (tuple(float(v) for v in runs[e].x[-1]) for e in (0.4, 0.6))
    return Verdict(
        "holds" if holds else "refuted",
        {
            "eta_0.4_final": [x1_04, x2_04],
            "eta_0.6_final": [x1_06, x2_06],
            "line_eta_0.4": runs[0.4].line(),
            "line_eta_0.6": runs[0.6].line(),
            "factors_eta_0.4": slow.tolist(),
            "factors_eta_0.6": fast.tolist(),
        },
        f"{runs[0.4].line()} | {runs[0.6].line()} (x2 factor |1 - 0.6*{lams[1]:g}| = "
        f"{fast[1]:.1f} > 1)",
        None if holds else rf"\text{{per-coordinate factors }} |1-\eta\lambda_i|:\ "
        rf"\eta = 0.4: {np.round(slow, 3).tolist()},\ \eta = 0.6: {np.round(fast, 3).tolist()}",
    )


@claim(
    "momentum.demo-momentum",
    source=TEXTBOOK,
    section="Momentum, The Momentum Method",
    statement=r"\eta = 0.6:\ \beta = 0.5 \text{ converges};\ \beta = 0.25 \text{ barely converges, "
    r"better than GD}",
)
def demo_momentum() -> Verdict:
    problem = textbook_2d()
    lams = np.asarray(problem.eigenvalues, dtype=float)
    eta = 0.6
    good = train_2d("momentum", eta=eta, beta=0.5)
    barely = train_2d("momentum", eta=eta, beta=0.25)
    gd = train_2d("gd", eta=eta)
    # derived: the worst spectral radius over the two eigenvalues decides convergence and speed
    rho = {
        "beta_0.5": float(np.max(spectral_radius("momentum", eta, lams, 0.5))),
        "beta_0.25": float(np.max(spectral_radius("momentum", eta, lams, 0.25))),
        "gd": float(np.max(spectral_radius("gd", eta, lams))),
    }
    long_good = run("momentum", problem, np.asarray(TEXTBOOK_START), 400, eta=eta, beta=0.5)
    long_barely = run("momentum", problem, np.asarray(TEXTBOOK_START), 400, eta=eta, beta=0.25)
    # the distance after 400 steps is at most a modest multiple (transients, non-normal R) of
    # rho^400 |x0|; both rho < 1 here, so both runs must be near 0 while GD grows
    require(_dist(long_good) < 1e-6 if rho["beta_0.5"] < 1 else _dist(long_good) > 1,
            f"momentum beta=0.5: |x_400| = {_dist(long_good):.3g}, rho = {rho['beta_0.5']:.4f}")
    require(_dist(long_barely) < 1e-3 if rho["beta_0.25"] < 1 else _dist(long_barely) > 1,
            f"momentum beta=0.25: |x_400| = {_dist(long_barely):.3g}, rho = {rho['beta_0.25']:.4f}")
    require((_dist(barely) > _dist(good)) == (rho["beta_0.25"] > rho["beta_0.5"])
            and (_dist(barely) < _dist(gd)) == (rho["beta_0.25"] < rho["gd"]),
            f"distances after 20 steps {_dist(good):.3g}, {_dist(barely):.3g}, GD {_dist(gd):.3g} "
            f"against radii {rho}")
    holds = rho["beta_0.5"] < 1 and rho["beta_0.5"] < rho["beta_0.25"] < min(1.0, rho["gd"])
    return Verdict(
        "holds" if holds else "refuted",
        {
            "line_beta_0.5": good.line(),
            "line_beta_0.25": barely.line(),
            "line_gd": gd.line(),
            "spectral_radius": rho,
            "distance_after_400_beta_0.5": _dist(long_good),
            "distance_after_400_beta_0.25": _dist(long_barely),
        },
        f"{good.line()} | {barely.line()} (spectral radii {rho['beta_0.5']:.3f}, "
        f"{rho['beta_0.25']:.3f}, GD {rho['gd']:.3f})",
        None if holds else rf"\rho_{{\beta=0.5}} = {rho['beta_0.5']:.3f},\ \rho_{{\beta=0.25}} = "
        rf"{rho['beta_0.25']:.3f},\ \rho_{{GD}} = {rho['gd']:.3f}",
    )


@claim(
    "rmsprop.demo",
    source=TEXTBOOK,
    section="RMSProp, Implementation from Scratch",
    statement=r"\eta = 0.4:\ \text{RMSProp does not slow down late the way Adagrad does}",
)
def rmsprop_demo() -> Verdict:
    rms = train_2d("rmsprop", eta=0.4, gamma=0.9)
    ada = train_2d("adagrad", eta=0.4)
    # effective per-coordinate step eta / sqrt(s + eps) at the last step
    def last_steps(method: str, **hyper: Any) -> list[float]:
        traj = run(method, textbook_2d(), np.array([-5.0, -2.0]), 20, **hyper)
        dx = np.abs(np.diff(traj.x, axis=0))
        return [float(v) for v in dx[-1]]

    rms_dist, ada_dist = _dist(rms), _dist(ada)
    holds = rms_dist < 0.1 * ada_dist
    return Verdict(
        "holds" if holds else "refuted",
        {
            "line_rmsprop": rms.line(),
            "line_adagrad": ada.line(),
            "last_step_rmsprop": last_steps("rmsprop", eta=0.4, gamma=0.9),
            "last_step_adagrad": last_steps("adagrad", eta=0.4),
        },
        f"{rms.line()} vs Adagrad {ada.line()}",
        None if holds else r"\text{see evidence}",
    )


def _seed_exercise_code(lambdas: np.ndarray, eta: float, beta: float, epochs: int) -> np.ndarray:
    """The seed's exercise-2 loop as written: ``v = beta v + lam x; x -= x - eta v``."""
    x = np.ones_like(lambdas)
    v = np.zeros_like(lambdas)
    out = [x.copy()]
    for _ in range(epochs):
        v = beta * v + lambdas * x
        x -= x - eta * v  # the seed's line: leaves x = eta * v
        out.append(x.copy())
    return np.array(out)


@claim(
    "answers.ex2-code",
    source=SEED_001,
    section="Momentum, exercise 2 (seed's code)",
    statement=r"\texttt{v = beta*v + lambdas*x;\ x -= x - eta*v} \text{ implements momentum}",
)
def answers_ex2_code() -> Verdict:
    # derived: one step of the seed's line against one step of momentum, symbolically
    x, v = sp.symbols("x v", real=True)
    v_next = BETA * v + LAM * x
    seed_x = sp.expand(x - (x - ETA * v_next))  # x -= x - eta*v
    step, _ = method_step("momentum")
    _, mom_x = step((v, x), lambda point: LAM * point)
    mom_x = sp.expand(mom_x)
    difference = sp.expand(seed_x - mom_x)
    lambdas = np.array([2.0 ** -i for i in range(5)])
    eta, beta, epochs = 0.1, 0.9, 10
    seed = _seed_exercise_code(lambdas, eta, beta, epochs)
    problem = EigenQuadratic(lambdas)
    real = run("momentum", problem, np.ones(5), epochs, eta=eta, beta=beta).x
    gap = float(np.max(np.abs(seed - real)))
    first_seed = seed[1].tolist()
    first_real = real[1].tolist()
    at = {x: 1, v: 0, ETA: exact(eta), BETA: exact(beta)}
    # one step from x = 1, v = 0: a multiply and a subtraction in float64, an ulp of 1
    for name, measured, expr in (("seed code", first_seed, seed_x), ("momentum", first_real, mom_x)):
        derived = [float(expr.subs({**at, LAM: exact(lam)})) for lam in lambdas]
        agree(f"first step of the {name}", measured, derived, 1e-15)
    if difference == 0:
        agree("the seed's loop against momentum", gap, 0.0, 1e-12)
        return Verdict("holds", {"max_gap": gap}, "the seed's loop equals momentum")
    return Verdict(
        "refuted",
        {
            "seed_update_x": str(seed_x),
            "momentum_update_x": str(mom_x),
            "lambdas": lambdas.tolist(),
            "eta": eta, "beta": beta,
            "step1_seed_code": first_seed,
            "step1_momentum": first_real,
            "max_gap_over_10_steps": gap,
        },
        f"x -= x - eta*v sets x = {seed_x} instead of {mom_x}: after one step x1 = "
        f"{first_seed[0]:.3g}, momentum gives {first_real[0]:.3g}",
        r"\texttt{x -= eta*v}\ \ (x_t = x_{t-1} - \eta v_t)",
    )
