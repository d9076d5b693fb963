r"""Sensitivity of an optimizer's run: finite-time Lyapunov exponents and the rounding horizon.

An optimizer on a quadratic is a map :math:`z_{t+1} = F(z_t)` of its whole
state :math:`z = (x, \text{buffers})`.  A perturbation :math:`v` of the state
grows by the Jacobian, :math:`v_{t+1} = J(z_t)\,v_t`; renormalising after every
step (the one-vector form of the QR method),

.. math:: \ell_t = \log \lVert J(z_t)\, v_t \rVert, \qquad
          v_{t+1} = J(z_t) v_t / e^{\ell_t}, \qquad
          \lambda_{[a, b)} = \frac{1}{b - a} \sum_{t=a}^{b-1} \ell_t ,

gives the finite-time largest Lyapunov exponent :math:`\lambda` of the run
(per step).  :math:`\lambda < 0`: the map contracts and rounding errors die
out; :math:`\lambda > 0`: it amplifies them by :math:`e^{\lambda}` per step, so
two runs that differ in the last bit (another CPU, another library) separate
exponentially and agree only up to a computable horizon.

The Jacobian-vector products come from forward-mode differentiation
(:mod:`optheory.numeric.tangent`) of the optimizer's own ``update`` function,
the same code that computes the iterates, on any problem with a constant
Hessian (an :class:`~optheory.numeric.problems.EigenQuadratic`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from optheory._checks import check_choice, check_positive, check_positive_int
from optheory.numeric.optimizers import CONVENTIONS, METHODS, get_method
from optheory.numeric.optimizers._spec import batch_size
from optheory.numeric.tangent import Dual
from optheory.numeric.trajectory import overflow_ok, start_point

__all__ = ["UNIT_ROUNDOFF", "SensitivityRun", "lyapunov_run", "rounding_horizon"]

#: Unit roundoff of float64, :math:`2^{-53}`.
UNIT_ROUNDOFF = 2.0**-53

#: Rounding errors committed per step, in units of the unit roundoff times the
#: size of the state: a bound on the handful of operations per coordinate that
#: every update rule here performs (at most ~10), with room to spare.
STEP_ULPS = 16.0

#: Factor between the predicted (root-mean-square) rounding gap and the tolerance it
#: must stay under: the tail of a spread of independent rounding errors.
SAFETY = 3.0


@dataclass(frozen=True)
class SensitivityRun:
    r"""A run with the growth of a state perturbation measured at every step.

    Attributes
    ----------
    method, convention : str
        The own implementation that ran.
    hyper : dict
        Resolved hyperparameters.
    x : ndarray, shape (steps + 1, d)
        Iterates (identical to :func:`optheory.numeric.run.run`'s).
    log_growth : ndarray, shape (steps,)
        :math:`\ell_t`, the log growth of the renormalised tangent at step t
        (NaN after a divergence).
    state_size : ndarray, shape (steps + 1,)
        Euclidean norm of the whole state (iterate and buffers) at each step.
    jacobians : ndarray, shape (steps, n, n)
        :math:`J_t`, the Jacobian of step t on the stacked state (NaN after a divergence).
    rounding_gap : ndarray, shape (steps + 1,)
        Predicted size (root mean square, Euclidean over the iterate) of the
        gap between this run and one that rounds differently at every step:
        :math:`\sqrt{\operatorname{tr} C_t^{xx}}` (see :func:`lyapunov_run`).
    """

    method: str
    convention: str
    hyper: dict[str, Any]
    x: np.ndarray
    log_growth: np.ndarray
    state_size: np.ndarray
    jacobians: np.ndarray
    rounding_gap: np.ndarray

    @property
    def steps(self) -> int:
        """Number of steps run."""
        return int(self.log_growth.shape[0])

    def exponent(self, start: int | None = None, stop: int | None = None) -> float:
        r"""Finite-time largest Lyapunov exponent per step over ``[start, stop)``.

        .. math:: \Lambda_{[a, b)} = \frac{1}{b - a}\,
                  \log \sigma_{\max}\big(J_{b-1} \cdots J_{a}\big),

        the growth rate of the perturbation of step ``start`` that grows most by
        step ``stop`` (the product is renormalised as it is formed, so it does
        not overflow).  Defaults to the second half of the run.
        """
        start = self.steps // 2 if start is None else start
        stop = self.steps if stop is None else stop
        if not 0 <= start < stop <= self.steps:
            raise ValueError(f"need 0 <= start < stop <= {self.steps}, got [{start}, {stop})")
        jac = self.jacobians[start:stop]
        if not np.all(np.isfinite(jac)):
            return float("nan")
        prod = np.eye(jac.shape[1])
        log_scale = 0.0
        for j in jac:
            prod = j @ prod
            top = float(np.max(np.abs(prod)))
            if top == 0.0:
                return float("-inf")
            prod /= top
            log_scale += np.log(top)
        sigma = float(np.linalg.norm(prod, 2))
        if sigma == 0.0:
            return float("-inf")
        return float((log_scale + np.log(sigma)) / (stop - start))

    def window_exponents(self, window: int) -> np.ndarray:
        r"""Finite-time exponents :math:`\Lambda_{[t, t + w)}` for every window start t.

        Returns shape (steps - window + 1,); NaN for windows past a divergence.
        All windows advance together (one batched product per step of the window).
        """
        window = check_positive_int("window", window)
        count = self.steps - window + 1
        if count < 1:
            raise ValueError(f"window must be at most the run's {self.steps} steps, got {window}")
        n = self.jacobians.shape[1]
        prod = np.broadcast_to(np.eye(n), (count, n, n)).copy()
        log_scale = np.zeros(count)
        with np.errstate(all="ignore"):
            for k in range(window):
                prod = self.jacobians[k:k + count] @ prod
                top = np.max(np.abs(prod), axis=(1, 2))
                top = np.where(top > 0, top, 1.0)
                prod /= top[:, None, None]
                log_scale += np.log(top)
            bad = ~np.all(np.isfinite(prod), axis=(1, 2))
            prod[bad] = 0.0
            sigma = np.linalg.norm(prod, 2, axis=(1, 2))
            out = (log_scale + np.log(sigma)) / window
        out[bad] = np.nan
        return out

    def asymptotic_exponent(self) -> float:
        r"""The QR-method estimate :math:`\frac{1}{T/2}\sum_{t \ge T/2} \ell_t` (second half).

        Converges to the largest Lyapunov exponent of the attractor for long
        runs; over finite windows :meth:`exponent` is the sharper measure.
        """
        return float(np.mean(self.log_growth[self.steps // 2:]))

    def horizon(self, tol: float, safety: float = SAFETY) -> int:
        """The last step up to which two differently rounded runs agree within ``tol``.

        The first step at which ``safety`` times :attr:`rounding_gap`
        exceeds ``tol`` (or the run diverged), minus one; ``steps`` when it never does.
        """
        tol = check_positive("tol", tol)
        over = np.flatnonzero(~(safety * self.rounding_gap <= tol))
        return int(over[0]) - 1 if over.size else self.steps


def _hessian_product(problem: Any) -> Any:
    if getattr(problem, "backend", "numpy") != "numpy" or not hasattr(problem, "hessian"):
        raise ValueError(
            "problem must be a numpy EigenQuadratic (a constant Hessian); "
            "build it with backend='numpy'"
        )
    lam = np.asarray(problem.eigenvalues, dtype=float)
    if getattr(problem, "_diagonal", False):
        return lambda v: lam * v
    Q = np.asarray(problem.hessian(), dtype=float)
    return lambda v: v @ Q


def lyapunov_run(
    method: str,
    problem: Any,
    x0: Any,
    steps: int,
    convention: str = "textbook",
    ulps: float = STEP_ULPS,
    **hyper: Any,
) -> SensitivityRun:
    r"""Run the own ``method`` and measure how perturbations of its state grow.

    At every step the full Jacobian :math:`J_t` of the step map on the state
    :math:`z = (x, \text{buffers})` (n = d times the number of state arrays)
    is obtained by forward-mode differentiation of the update (n tangents in
    one batched pass).  From it:

    * the Lyapunov spectrum by the QR method, :math:`J_t Q_t = Q_{t+1} R_t`,
      :math:`\ell_t = \log |(R_t)_{11}|` (largest exponent);
    * the rounding covariance :math:`C_{t+1} = J_t C_t J_t^\top + \delta_{t+1}^2 I`
      with :math:`\delta_t = \text{ulps}\cdot u\,|z_t|` (per buffer entry; the
      iterate's largest coordinate for the iterate): rounding errors
      committed at every step, each amplified by the Jacobian products that
      follow it (errors injected late along a direction that is unstable only
      for a while grow too, which a single forward tangent would miss).

    Parameters
    ----------
    method : str
        One of ``optheory.numeric.optimizers.METHODS``.
    problem : EigenQuadratic
        A numpy-backed quadratic (its Hessian is constant).
    x0 : array_like, shape (d,)
        Start.
    steps : int
        Number of steps.
    convention : {"textbook", "torch"}
        Arithmetic of the own implementation.
    ulps : float
        Rounding error per step per state coordinate, in unit roundoffs of
        the state's size.
    **hyper
        Scalar hyperparameters, as for :func:`optheory.numeric.run.run`.

    Returns
    -------
    SensitivityRun
        Iterates, per-step log growth :math:`\ell_t`, state sizes and the
        predicted rounding gap of the iterate.

    Raises
    ------
    ValueError
        Unknown method or convention, batched hyperparameters, a problem
        without a constant Hessian, a bad start.

    Examples
    --------
    >>> from optheory.numeric.problems import EigenQuadratic
    >>> r = lyapunov_run("gd", EigenQuadratic([0.5, 2.0]), [1.0, 1.0], 200, eta=0.1)
    >>> round(r.exponent(), 6)  # log max |1 - eta lam| = log 0.95
    -0.051293
    """
    check_choice("method", method, METHODS)
    check_choice("convention", convention, CONVENTIONS)
    steps = check_positive_int("steps", steps)
    ulps = check_positive("ulps", ulps)
    spec = get_method(method, convention)
    resolved = spec.resolve(hyper)
    if batch_size(resolved) is not None:
        raise ValueError("lyapunov_run takes scalar hyperparameters (one setting per run)")
    hess = _hessian_product(problem)
    x = start_point(problem, x0, None)
    if x.ndim != 1:
        raise ValueError(f"x0 must have shape ({problem.dim},) for lyapunov_run")
    d = x.size
    state = spec.init(x, resolved)
    names = [k for k, v in state._asdict().items() if isinstance(v, np.ndarray)]
    n = d * (1 + len(names))
    # Tangent j perturbs coordinate j of the stacked state (x, buffers...): row j of
    # an (n, d) batch per state array.
    eye = np.eye(n).reshape(n, 1 + len(names), d)

    xs = np.full((steps + 1, d), np.nan)
    xs[0] = x
    log_growth = np.full(steps, np.nan)
    jacobians = np.full((steps, n, n), np.nan)
    sizes = np.full(steps + 1, np.nan)
    gap = np.full(steps + 1, np.nan)
    sizes[0], gap[0] = _size([x, *(getattr(state, k) for k in names)]), 0.0
    frame = np.eye(n)
    root = np.zeros((n, n))  # S with C = S S^T, the rounding covariance
    with overflow_ok():
        for t in range(steps):
            xd = Dual(np.broadcast_to(x, (n, d)), eye[:, 0])
            sd = state._replace(**{k: Dual(np.broadcast_to(getattr(state, k), (n, d)),
                                           eye[:, i + 1]) for i, k in enumerate(names)})
            g = Dual(np.broadcast_to(problem.grad(x), (n, d)), hess(eye[:, 0]))
            xn, sn = spec.update(g, sd, xd, resolved)
            new = [xn, *(getattr(sn, k) for k in names)]
            # column j of the Jacobian is the tangent of row j
            jac = np.concatenate([np.broadcast_to(_dot(v), (n, d)) for v in new], axis=1).T
            x = np.array(_val(xn)[0])
            state = sn._replace(**{k: np.array(_val(getattr(sn, k))[0]) for k in names})
            if not (np.all(np.isfinite(x)) and np.all(np.isfinite(jac))):
                break
            xs[t + 1] = x
            jacobians[t] = jac
            sizes[t + 1] = _size([x, *(getattr(state, k) for k in names)])
            frame, r = np.linalg.qr(jac @ frame)
            log_growth[t] = np.log(abs(r[0, 0])) if r[0, 0] != 0 else -np.inf
            # rounding is relative: the iterate's coordinates to the iterate's size
            # (x - x* and the gradient mix them), each buffer entry to itself
            scale = np.concatenate([np.full(d, np.max(np.abs(x))),
                                    *(np.abs(getattr(state, k)) for k in names)])
            delta = ulps * UNIT_ROUNDOFF * scale
            # square-root form of C <- J C J^T + diag(delta^2): with C = S S^T,
            # [J S | diag(delta)] has the same Gram matrix as the new S; its QR keeps the
            # trace a sum of squares (no cancellation between large off-diagonal terms)
            _, r_factor = np.linalg.qr(np.concatenate([jac @ root, np.diag(delta)], axis=1).T)
            root = r_factor.T
            gap[t + 1] = float(np.sqrt(np.sum(root[:d] ** 2)))
    return SensitivityRun(method, convention, dict(resolved), xs, log_growth, sizes, jacobians,
                          gap)


def _val(v: Any) -> Any:
    return v.value if isinstance(v, Dual) else v


def _dot(v: Any) -> Any:
    return v.dot if isinstance(v, Dual) else 0.0


def _size(arrays: list[np.ndarray]) -> float:
    return float(np.sqrt(sum(float(np.sum(np.square(a))) for a in arrays)))


def rounding_horizon(
    method: str,
    problem: Any,
    x0: Any,
    steps: int,
    tol: float,
    convention: str = "textbook",
    **hyper: Any,
) -> int:
    """Steps over which two runs of ``method`` that round differently agree within ``tol``.

    Shorthand for ``lyapunov_run(...).horizon(tol)``; see
    :meth:`SensitivityRun.horizon`.
    """
    return lyapunov_run(method, problem, x0, steps, convention, **hyper).horizon(tol)
