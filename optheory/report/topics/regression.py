"""Report topic: the chapter's data set, whose least-squares loss is a quadratic."""

from __future__ import annotations

import os

import numpy as np
import sympy as sp

from optheory.report.document import (
    Block,
    Figure,
    Heading,
    Math,
    Page,
    Table,
    Text,
    Verification,
    VerificationRow,
)
from optheory.reproducible import gap_text

#: The textbook's minibatch settings (batch size 10) for SGD and momentum.
_MINIBATCH = (
    ("gd", {"eta": 0.05}),
    ("momentum", {"eta": 0.02, "beta": 0.5}),
    ("momentum", {"eta": 0.01, "beta": 0.9}),
    ("momentum", {"eta": 0.005, "beta": 0.9}),
)
_FULL = (("gd", {"eta": 0.5}), ("momentum", {"eta": 0.2, "beta": 0.5}))


def _label(method: str, hyper: dict[str, float]) -> str:
    return method + ", " + ", ".join(f"{k} = {v:g}" for k, v in hyper.items())


def build() -> Page:
    from optheory.analysis.regression import (
        predicted_mean_path,
        predicted_rate,
        regression_data,
        train,
    )
    from optheory.figures import loss_curves
    from optheory.symbolic.linear import iteration_matrix, method_update

    path = os.environ.get("OPTHEORY_AIRFOIL") or None
    data = regression_data(path)
    H = data.hessian()
    lam = np.linalg.eigvalsh(H)
    rng = np.random.default_rng(0)  # the textbook's start: w ~ N(0, 0.01^2), b = 0
    theta0 = np.concatenate([rng.normal(0.0, 0.01, data.dim - 1), [0.0]])
    R = iteration_matrix(*method_update("momentum"))

    full_curves: dict[str, np.ndarray] = {}
    rows: list[VerificationRow] = []
    steps = 60
    for method, hyper in _FULL:
        predicted = data.loss(predicted_mean_path(data, method, steps, theta0, **hyper))
        measured = train(data, method, batch=data.n, epochs=steps, hyper=hyper, start=theta0,
                         evals_per_epoch=1).loss[:, 0, 0]
        gap = float(np.max(np.abs(predicted - measured)))
        label = _label(method, hyper)
        full_curves[f"{label}: predicted"] = predicted - data.min_loss()
        full_curves[f"{label}: measured"] = measured - data.min_loss()
        # the same float64 recursion in two bases: only rounding separates them
        rows.append(VerificationRow(f"full-batch loss path, {label}", "eigen-prediction",
                                    f"max gap {gap_text(gap, 1e-12)}", "1e-12", gap < 1e-12))

    table_rows = []
    for method, hyper in _MINIBATCH:
        run = train(data, method, batch=10, epochs=1, hyper=hyper, start=theta0, replace=True,
                    replicas=400, seed=3, evals_per_epoch=1)
        predicted = predicted_mean_path(data, method, run.steps_per_epoch, theta0, **hyper)[-1]
        final = run.theta[0]
        se = final.std(axis=0, ddof=1) / np.sqrt(final.shape[0])
        z = float(np.max(np.abs(final.mean(axis=0) - predicted) / se))
        rate = predicted_rate(data, method, **hyper)
        label = _label(method, hyper)
        table_rows.append((label, rate, float(data.loss(predicted)),
                           float(np.mean(data.loss(final))), z))
        # 4.5 standard errors over 6 coordinates: a false alarm has probability < 1e-4
        rows.append(VerificationRow(f"mean of 400 minibatch runs after one epoch, {label}",
                                    "eigen-prediction", f"{z:.2f} standard errors", "4.5",
                                    z < 4.5))

    fig = loss_curves(np.arange(steps + 1), full_curves, xlabel="step",
                      ylabel="loss minus minimum", title="full-batch training on the data set")
    source = ("the chapter's airfoil self-noise data (SHA-1 checked)" if path
              else "a synthetic stand-in of the same shape (no data path was given)")
    blocks: list[Block] = [
        Text(
            f"The data: {source}, normalised as the textbook does, first {data.n} rows, "
            f"{data.dim - 1} features plus a bias. "
            "The mean loss $\\frac{1}{2n}\\lVert A\\theta - y\\rVert^2$ "
            "is the quadratic $\\tfrac12 \\theta^\\top H \\theta + c^\\top \\theta + b$ with "
            "$H = A^\\top A / n$, so the theory of the other pages applies unchanged.",
            values={"rows": data.n, "features": data.dim - 1},
        ),
        Heading("Curvatures"),
        Table(("eigenvalue of H", "value"),
              tuple((f"lambda_{i + 1}", float(v)) for i, v in enumerate(lam)),
              caption=f"Condition number {lam.max() / lam.min():.4g}."),
        Heading("Predictions from the eigenvalues"),
        Text(
            "In the eigenbasis of $H$ each coordinate follows the method's iteration matrix, "
            "derived by sympy from the update rule:"
        ),
        Math.from_sympy(R.subs({s: sp.Symbol("lambda") for s in R.free_symbols
                                 if s.name == "lam"}), lhs="R"),
        Math("(v_i, z_i)_t = R(\\eta, \\beta, \\lambda_i)^t\\,(0, z_i(0))",
             label="exact full-batch path; the expected path of minibatch SGD with replacement"),
        Text(
            "Minibatch gradients drawn with replacement are unbiased and independent of the "
            "past, so by linearity the mean iterate follows the full-batch recursion exactly; "
            "the mean loss is larger by the iterate's spread (Jensen)."
        ),
        Figure("full-batch", fig, "Predicted (from the eigenvalues) and measured loss paths."),
        Table(
            ("setting (batch 10)", "predicted rate", "loss of the predicted mean",
             "measured mean loss", "mean gap in standard errors"),
            tuple(table_rows),
            caption="One epoch of the textbook's minibatch settings, 400 sampling streams.",
        ),
        Verification(tuple(rows), caption="Eigen-predictions against runs of the optimizers."),
    ]
    title = "The chapter's data set as a quadratic"
    return Page("regression", title, tuple(blocks),
                summary="Least-squares on the airfoil data: loss paths predicted from eig(X^T X/n).")


