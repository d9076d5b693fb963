r"""Claims about the textbook's 2-D demos and the seed's exercise code (section "Momentum";
seed 001_439b5f8932771f95, exercise 2; section "RMSProp")."""

from __future__ import annotations

from typing import Any

import numpy as np

from optheory.numeric.problems import EigenQuadratic, textbook_2d
from optheory.numeric.run import run, train_2d
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
    slow = train_2d("gd", eta=0.4)
    fast = train_2d("gd", eta=0.6)
    x1_04, x2_04 = (float(v) for v in slow.x[-1])
    x1_06, x2_06 = (float(v) for v in fast.x[-1])
    # per-coordinate factors |1 - eta lam| on lam = 0.2 and 4
    factors = {eta: (abs(1 - eta * 0.2), abs(1 - eta * 4)) for eta in (0.4, 0.6)}
    holds = abs(x1_04) > 0.5 and abs(x2_04) < 1e-3 and abs(x2_06) > 1e3 and abs(x1_06) < abs(x1_04)
    return Verdict(
        "holds" if holds else "refuted",
        {
            "eta_0.4_final": [x1_04, x2_04],
            "eta_0.6_final": [x1_06, x2_06],
            "line_eta_0.4": slow.line(),
            "line_eta_0.6": fast.line(),
            "factors_eta_0.4": factors[0.4],
            "factors_eta_0.6": factors[0.6],
        },
        f"{slow.line()} | {fast.line()} (x2 factor |1 - 0.6*4| = {factors[0.6][1]:.1f} > 1)",
        None if holds else r"\text{see evidence}",
    )


@claim(
    "momentum.demo-momentum",
    source=TEXTBOOK,
    section="Momentum, The Momentum Method",
    statement=r"\eta = 0.6:\ \beta = 0.5 \text{ converges};\ \beta = 0.25 \text{ barely converges, "
    r"better than GD}",
)
def demo_momentum() -> Verdict:
    good = train_2d("momentum", eta=0.6, beta=0.5)
    barely = train_2d("momentum", eta=0.6, beta=0.25)
    gd = train_2d("gd", eta=0.6)
    # long runs decide convergence: the spectral radius is < 1 for both (region 0 < eta lam < 2 + 2 beta)
    problem = textbook_2d()
    long_good = run("momentum", problem, np.array([-5.0, -2.0]), 400, eta=0.6, beta=0.5)
    long_barely = run("momentum", problem, np.array([-5.0, -2.0]), 400, eta=0.6, beta=0.25)
    holds = (
        _dist(long_good) < 1e-8 and _dist(long_barely) < 1e-6
        and _dist(barely) > _dist(good) and _dist(barely) < _dist(gd)
    )
    return Verdict(
        "holds" if holds else "refuted",
        {
            "line_beta_0.5": good.line(),
            "line_beta_0.25": barely.line(),
            "line_gd": gd.line(),
            "distance_after_400_beta_0.5": _dist(long_good),
            "distance_after_400_beta_0.25": _dist(long_barely),
        },
        f"{good.line()} | {barely.line()}",
        None if holds else r"\text{see evidence}",
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
    lambdas = np.array([2.0 ** -i for i in range(5)])
    eta, beta, epochs = 0.1, 0.9, 10
    seed = _seed_exercise_code(lambdas, eta, beta, epochs)
    problem = EigenQuadratic(lambdas)
    real = run("momentum", problem, np.ones(5), epochs, eta=eta, beta=beta).x
    gap = float(np.max(np.abs(seed - real)))
    # after one step: seed gives x = eta * lam, momentum gives x = 1 - eta * lam
    first_seed = seed[1].tolist()
    first_real = real[1].tolist()
    if gap < 1e-12:
        return Verdict("holds", {"max_gap": gap}, "the seed's loop equals momentum")
    return Verdict(
        "refuted",
        {
            "lambdas": lambdas.tolist(),
            "eta": eta, "beta": beta,
            "step1_seed_code": first_seed,
            "step1_momentum": first_real,
            "max_gap_over_10_steps": gap,
        },
        f"x -= x - eta*v sets x = eta*v: after one step x1 = {first_seed[0]:.3g}, momentum gives "
        f"{first_real[0]:.3g}",
        r"\texttt{x -= eta*v}\ \ (x_t = x_{t-1} - \eta v_t)",
    )
