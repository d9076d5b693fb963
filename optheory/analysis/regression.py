r"""The chapter's regression problem and a minibatch trainer for it.

The model is linear with a bias, :math:`\hat y = a^\top \theta` with
:math:`a = (x, 1)`, and the loss is the textbook's
:math:`L(\theta) = \frac{1}{2n} \sum_i (a_i^\top \theta - y_i)^2`, a quadratic
with Hessian :math:`A^\top A / n`.  The trainer runs the project's own
optimizers (:func:`optheory.numeric.optimizers.get_method`, textbook
arithmetic) on minibatch gradients, for K settings and R sampling streams at
once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from optheory._checks import check_choice, check_positive_int
from optheory.numeric.optimizers import batch_size, get_method
from optheory.numeric.trajectory import overflow_ok

__all__ = [
    "RegressionData",
    "TrainResult",
    "predicted_mean_path",
    "predicted_rate",
    "regression_data",
    "train",
]

#: Shape of the chapter's data after the textbook's loader (rows kept, features).
ROWS, FEATURES = 1500, 5
SYNTHETIC_SEED = 20_11


@dataclass(frozen=True)
class RegressionData:
    """Design matrix ``A`` (features plus a final column of ones) and labels ``y``."""

    A: np.ndarray
    y: np.ndarray
    source: str

    @property
    def n(self) -> int:
        return int(self.A.shape[0])

    @property
    def dim(self) -> int:
        return int(self.A.shape[1])

    def loss(self, theta: np.ndarray) -> np.ndarray:
        """Full-data loss for parameters of shape (..., dim)."""
        with overflow_ok():
            r = np.asarray(theta) @ self.A.T - self.y
            return np.asarray(0.5 * np.mean(r * r, axis=-1))

    def minimizer(self) -> np.ndarray:
        return np.asarray(np.linalg.lstsq(self.A, self.y, rcond=None)[0])

    def min_loss(self) -> float:
        return float(self.loss(self.minimizer()))

    def hessian(self) -> np.ndarray:
        return np.asarray(self.A.T @ self.A / self.n)

    def duplicated(self) -> RegressionData:
        """Every example twice (the "evil genie" of minibatch-sgd exercise 4)."""
        return RegressionData(
            np.concatenate([self.A, self.A]), np.concatenate([self.y, self.y]),
            self.source + " (duplicated)",
        )

    def describe(self) -> str:
        if self.source.startswith("airfoil"):
            return "the chapter's airfoil self-noise regression"
        return (
            "a synthetic stand-in for the chapter's airfoil regression (1500 x 5 standardised "
            "features, fixed seed)"
        )


def _standardise(M: np.ndarray) -> np.ndarray:
    return np.asarray((M - M.mean(axis=0)) / M.std(axis=0))


def _synthetic() -> RegressionData:
    rng = np.random.default_rng(SYNTHETIC_SEED)
    # Correlated features (condition number of the covariance ~ 20) and a
    # label that the features explain about half of, like the airfoil data.
    mix = np.tril(rng.uniform(-0.8, 0.8, (FEATURES, FEATURES))) + np.eye(FEATURES)
    X = rng.standard_normal((ROWS, FEATURES)) @ mix.T
    w = rng.uniform(-1.0, 1.0, FEATURES)
    signal = X @ w
    y = signal + signal.std() * rng.standard_normal(ROWS)
    Z = _standardise(np.column_stack([X, y]))
    return RegressionData(np.column_stack([Z[:, :-1], np.ones(ROWS)]), Z[:, -1], "synthetic")


def regression_data(data_path: str | None) -> RegressionData:
    """The airfoil regression read from ``data_path``, or the synthetic stand-in.

    Raises
    ------
    ValueError
        ``data_path`` given but unreadable or malformed (from
        :func:`optheory.data.load_airfoil`).
    """
    if data_path is None:
        return _synthetic()
    from optheory.data import load_airfoil

    X, y = load_airfoil(data_path)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float).ravel()
    return RegressionData(np.column_stack([X, np.ones(X.shape[0])]), y, "airfoil")


@dataclass(frozen=True)
class TrainResult:
    """Losses of K settings x R sampling streams at evaluation points."""

    examples: np.ndarray  # (T,) examples processed at each evaluation
    loss: np.ndarray  # (T, K, R)
    theta: np.ndarray  # (K, R, dim) final parameters
    steps_per_epoch: int
    seconds: float
    steps: np.ndarray  # (T,) the step after which each evaluation was taken (0: the start)

    @property
    def final(self) -> np.ndarray:
        """Final loss, shape (K, R)."""
        return np.asarray(self.loss[-1])


def _batches(n: int, batch: int, K: int, rng: np.random.Generator, replace: bool) -> list[Any]:
    if replace:
        draws = rng.integers(0, n, size=(K, n))
    else:
        draws = rng.permuted(np.tile(np.arange(n), (K, 1)), axis=1)
    return [draws[:, i : i + batch] for i in range(0, n, batch)]


def train(
    data: RegressionData,
    method: str,
    *,
    batch: int,
    epochs: int,
    hyper: Mapping[str, Any],
    replicas: int = 1,
    seed: int = 0,
    replace: bool = False,
    schedule: Callable[[int], float] | None = None,
    hyper_schedules: Mapping[str, Callable[[int], float]] | None = None,
    evals_per_epoch: int = 5,
    start: np.ndarray | None = None,
) -> TrainResult:
    r"""Minibatch training of the linear model with one of the project's optimizers.

    Parameters
    ----------
    data : RegressionData
    method : str
        A method of :mod:`optheory.numeric.optimizers` (textbook arithmetic).
    batch, epochs : int
        Minibatch size and number of passes; an epoch has ``ceil(n / batch)``
        steps (the last batch may be smaller).
    hyper : mapping
        Hyperparameters; 1-D sequences give K settings trained side by side.
    replicas : int
        R independent sampling streams per setting.
    seed : int
        Seeds the initialisation (the textbook's :math:`w \sim N(0, 0.01^2)`,
        :math:`b = 0`, shared by all runs) and the sampling.
    replace : bool
        Draw every example of a minibatch uniformly with replacement instead
        of going through a fresh permutation each epoch.
    schedule : callable, optional
        ``schedule(t)`` multiplies ``eta`` at step ``t`` (from 1).
    hyper_schedules : mapping, optional
        Hyperparameter name -> ``f(t)``: its value at step ``t`` (e.g. a
        time-varying ``gamma``), replacing the value in ``hyper``.
    evals_per_epoch : int
        Full-data loss evaluations per epoch (plus one at the start).
    start : array, optional
        Initial parameters (shape (dim,)) instead of the textbook's random start.
    """
    batch = check_positive_int("batch", batch, maximum=data.n)
    epochs = check_positive_int("epochs", epochs)
    spec = get_method(method, "textbook")
    resolved = spec.resolve(dict(hyper))
    K = batch_size(resolved) or 1
    R = check_positive_int("replicas", replicas)
    live: dict[str, Any] = {}
    for key, value in resolved.items():
        live[key] = np.repeat(value, R)[:, None] if isinstance(value, np.ndarray) else value
    base_eta: Any = live.get("eta")
    rng = np.random.default_rng(seed)
    theta0 = np.concatenate([rng.normal(0.0, 0.01, data.dim - 1), [0.0]])
    if start is not None:
        theta0 = np.asarray(start, dtype=float).reshape(data.dim)
    theta = np.tile(theta0, (K * R, 1))
    state = spec.init(theta, live)
    steps_per_epoch = -(-data.n // batch)
    eval_at = {
        int(round(steps_per_epoch * (e + j / evals_per_epoch)))
        for e in range(epochs)
        for j in range(1, evals_per_epoch + 1)
    }
    losses = [data.loss(theta)]
    examples = [0]
    eval_steps = [0]
    seen = 0
    t = 0
    clock = time.perf_counter()
    with overflow_ok():
        for _ in range(epochs):
            for idx in _batches(data.n, batch, K * R, rng, replace):
                t += 1
                if schedule is not None and base_eta is not None:
                    live["eta"] = base_eta * schedule(t)
                for key, fn in (hyper_schedules or {}).items():
                    live[key] = fn(t)
                Ab = data.A[idx]
                r = np.einsum("kbd,kd->kb", Ab, theta) - data.y[idx]
                g = np.einsum("kb,kbd->kd", r, Ab) / idx.shape[1]
                theta, state = spec.update(g, state, theta, live)
                seen += idx.shape[1]
                if t in eval_at:
                    losses.append(data.loss(theta))
                    examples.append(seen)
                    eval_steps.append(t)
    seconds = time.perf_counter() - clock
    loss = np.array(losses).reshape(len(losses), K, R)
    return TrainResult(
        np.array(examples), loss, theta.reshape(K, R, -1), steps_per_epoch, seconds,
        np.array(eval_steps),
    )


def stationary_excess(
    data: RegressionData, *, batch: int, etas: list[float], replace: bool, epochs: int = 3,
    replicas: int = 16, seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Noise floor of constant-rate minibatch SGD: mean excess loss when started at the minimizer.

    The first epoch is discarded (the iterate leaves the minimizer and reaches its
    stationary spread); the loss is averaged over the remaining evaluations and
    the sampling streams.  Returns ``(mean, standard_error)``, one entry per rate;
    the standard error is over the independent streams.
    """
    epochs = check_positive_int("epochs", epochs)
    if epochs < 2:
        raise ValueError(f"epochs must be >= 2 (the first is discarded), got {epochs}")
    res = train(data, "gd", batch=batch, epochs=epochs, hyper={"eta": etas},
                replicas=replicas, seed=seed, replace=replace, evals_per_epoch=10,
                start=data.minimizer())
    # evaluations after the first epoch (an epoch of fewer than 10 steps has fewer of them)
    excess = res.loss[res.steps > res.steps_per_epoch] - data.min_loss()  # (T, K, R)
    per_stream = excess.mean(axis=0)
    return per_stream.mean(axis=1), per_stream.std(axis=1, ddof=1) / np.sqrt(replicas)


def predicted_mean_path(
    data: RegressionData,
    method: str,
    steps: int,
    theta0: np.ndarray,
    *,
    eta: float,
    beta: float = 0.0,
) -> np.ndarray:
    r"""Predicted (mean) parameters of GD or heavy ball on the regression, from the eigenvalues.

    The loss is the quadratic :math:`\tfrac12 (\theta - \theta^\star)^\top H (\theta - \theta^\star)
    + L^\star` with :math:`H = A^\top A / n`.  In the eigenbasis of :math:`H` each
    coordinate :math:`z_i` follows the method's own iteration matrix
    :math:`R(\eta, \beta, \lambda_i)` (derived by sympy from the update rule, see
    :func:`optheory.symbolic.linear.iteration_matrix`), so

    .. math:: (v_i, z_i)_t = R(\eta, \beta, \lambda_i)^t\, (0, z_i(0)).

    This is the exact full-batch path.  Minibatch gradients drawn uniformly
    *with replacement* are unbiased and independent of the past, so by linearity
    the same formula is the exact *expected* path of minibatch training.

    Returns
    -------
    numpy.ndarray, shape (steps + 1, dim)
    """
    import sympy as sp

    from optheory.symbolic.linear import iteration_matrix, method_update

    check_choice("method", method, ("gd", "momentum"))
    steps = check_positive_int("steps", steps, maximum=10**6)
    update, state = method_update(method)
    R = iteration_matrix(update, state)
    symbols = {s.name: s for s in R.free_symbols}
    args = [symbols.get(n, sp.Symbol(n)) for n in ("eta", "beta", "lam")]
    R_of = sp.lambdify(args, R, "numpy")
    H = data.hessian()
    lam, V = np.linalg.eigh((H + H.T) / 2)
    theta_star = data.minimizer()
    z0 = V.T @ (np.asarray(theta0, dtype=float) - theta_star)
    mats = np.array([np.asarray(R_of(eta, beta, li), dtype=float) for li in lam])  # (d, m, m)
    m = mats.shape[1]
    s = np.zeros((lam.size, m))
    s[:, m - 1] = z0  # the position is the last state variable: (x,) or (v, x)
    path = [z0.copy()]
    for _ in range(steps):
        s = np.einsum("dij,dj->di", mats, s)
        path.append(s[:, m - 1].copy())
    return np.asarray(theta_star + np.array(path) @ V.T)


def predicted_rate(data: RegressionData, method: str, *, eta: float, beta: float = 0.0) -> float:
    """Per-step contraction of the (mean) error: the largest spectral radius over eig(H)."""
    from optheory.analysis.rates import spectral_radius

    check_choice("method", method, ("gd", "momentum"))
    lam = np.linalg.eigvalsh(data.hessian())
    return float(np.max(spectral_radius(method, eta, lam, beta)))
