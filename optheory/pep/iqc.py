r"""Rate certificates over :math:`F(\mu, L)` by integral quadratic constraints.

Lessard, Recht and Packard (2016, "Analysis and design of optimization
algorithms via integral quadratic constraints", SIAM J. Optim.) write a linear
method as a linear system :math:`G = (A, B, C)` in feedback with the gradient
(:mod:`optheory.pep.state_space`, derived from the project's step rules) and
certify a rate :math:`\rho` for *every* :math:`L`-smooth,
:math:`\mu`-strongly convex :math:`f` when a small LMI is feasible.  Two
quadratic constraints that every gradient of :math:`F(\mu, L)` satisfies are
used (with :math:`y` the gradient point and :math:`u = \nabla f(y)`, both
relative to the minimiser):

* the **sector** constraint (LRP Lemma 6):
  :math:`(L y_k - u_k)^\top (u_k - \mu y_k) \ge 0`;
* the **weighted off-by-one** constraint (LRP Lemma 10), a filter with one
  state :math:`\zeta_{k+1} = u_k - L y_k` and output
  :math:`z_k = (L y_k - u_k + \rho^2 \zeta_k,\; u_k - \mu y_k)`, with
  :math:`\sum_k \rho^{-2k} z_{1,k}^\top z_{2,k} \ge 0`.

With the augmented system :math:`\hat A = [[A, 0], [-L C, 0]]`,
:math:`\hat B = [B; 1]`, the rate :math:`\rho` is certified when there are
:math:`P \succ 0` and :math:`\lambda_1, \lambda_2 \ge 0` with

.. math::

    [\hat A\ \hat B]^\top P\, [\hat A\ \hat B] - \rho^2 \operatorname{diag}(P, 0)
    + \lambda_1 Q_\text{sector} + \lambda_2 Q_\text{off-by-one}(\rho^2) \preceq 0

(LRP Theorem 4 with Remark 11), where each :math:`Q` is the symmetric form
:math:`r_1^\top r_2 + r_2^\top r_1` of the two rows of its output map.  Then
:math:`\|\xi_k - \xi_*\| \le \sqrt{\operatorname{cond} P}\, \rho^k \|\xi_0 - \xi_*\|`.

The LMI is handed to CLARABEL directly as a conic problem; where CLARABEL
neither solves it nor proves it infeasible, the same LMI (compiled once per
state size, cvxpy parameters carrying the cell's matrices and :math:`\rho^2`)
is solved through cvxpy with CLARABEL and then SCS; a
solution counts only after it is *checked*: the eigenvalues of the LMI and of
:math:`P` are recomputed in numpy from the returned :math:`P, \lambda`.
Bisection on :math:`\rho \in [0, 1]` returns the smallest checked rate; no
checked :math:`\rho < 1` means "no certificate" (which does not prove
divergence: the constraints are sufficient, not necessary).

Everything is rescaled to :math:`L = 1` first (:math:`\mu \to \mu/L`,
:math:`\eta \to \eta L`): the rate is scale free and the LMI better conditioned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from optheory.pep._solve import cvxpy, solve_with_fallback
from optheory.pep._system import System, system
from optheory.pep.params import check_class, method_params

__all__ = ["RateCertificate", "certify", "iqc_rate"]

#: relative slack allowed when a returned LMI solution is checked in numpy
CHECK_TOL = 1e-7
# SCS on a tiny LMI: its answer is checked in numpy anyway, so a bounded effort suffices
_SCS_LMI: dict[str, Any] = {"eps_abs": 1e-9, "eps_rel": 1e-9, "max_iters": 2_500}


@dataclass(frozen=True)
class RateCertificate:
    """Outcome of :func:`iqc_rate`.

    Attributes
    ----------
    method : str
    mu, L : float
        The class :math:`F(\\mu, L)`.
    eta, beta : float
        The method's parameters (unscaled).
    rate : float or None
        The certified :math:`\\rho` (upper end of the last bisection bracket),
        or None: no :math:`\\rho < 1` certified.
    tol : float
        Width of the final bisection bracket.
    solver : str
        Solver of the last checked feasible LMI (``""`` when none).
    solves : int
        LMIs solved.
    multipliers : tuple of float
        :math:`(\\lambda_1, \\lambda_2)` at the certified rate (empty when none).
    """

    method: str
    mu: float
    L: float
    eta: float
    beta: float
    rate: float | None
    tol: float
    solver: str
    solves: int
    multipliers: tuple[float, ...]

    @property
    def certified(self) -> bool:
        return self.rate is not None


class _LMI:
    """The LMI of the module docstring for state size ``n``, compiled once (cvxpy DPP)."""

    def __init__(self, n: int) -> None:
        cp = cvxpy("iqc_rate")
        m = n + 1  # augmented state: method state and the filter state zeta
        k = m + 1  # with the gradient
        self.n = n
        self.kron = cp.Parameter((k * k, m * m))
        self.r2 = cp.Parameter(nonneg=True)
        self.q1 = cp.Parameter((k, k), symmetric=True)
        self.q2 = cp.Parameter((k, k), symmetric=True)
        self.P = cp.Variable((m, m), symmetric=True)
        self.lam = cp.Variable(2, nonneg=True)
        pad = np.zeros((k, m))
        pad[:m, :m] = np.eye(m)
        gPg = cp.reshape(self.kron @ cp.vec(self.P, order="F"), (k, k), order="F")
        lmi = (gPg - self.r2 * (pad @ self.P @ pad.T)
               + self.lam[0] * self.q1 + self.lam[1] * self.q2)
        self.problem = cp.Problem(
            cp.Minimize(0), [0.5 * (lmi + lmi.T) << 0, self.P >> np.eye(m)]
        )


@cache
def _lmi(n: int) -> _LMI:
    return _LMI(n)


def _sym(r1: np.ndarray, r2: np.ndarray) -> np.ndarray:
    return np.outer(r1, r2) + np.outer(r2, r1)


def _system(
    A: np.ndarray, B: np.ndarray, C: np.ndarray, mu: float, L: float, r2: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``[A_hat B_hat]``, the sector form and the off-by-one form at ``rho^2 = r2``."""
    n = A.shape[0]
    G = np.zeros((n + 1, n + 2))
    G[:n, :n] = A
    G[n, :n] = -L * C[0]
    G[:n, n + 1] = B[:, 0]
    G[n, n + 1] = 1.0
    zero = np.zeros(1)
    row_up = np.concatenate([L * C[0], zero, [-1.0]])  # L y - u
    row_lo = np.concatenate([-mu * C[0], zero, [1.0]])  # u - mu y
    sector = _sym(row_up, row_lo)
    row_up_filtered = row_up.copy()
    row_up_filtered[n] = r2  # + rho^2 zeta
    off_by_one = _sym(row_up_filtered, row_lo)
    return G, sector, off_by_one


@cache
def _svec_index(k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Upper-triangle entries column by column, and the sqrt(2) scale of off-diagonals.

    Cached (the bisection asks for the same few sizes thousands of times); read-only arrays.
    """
    rows, cols = np.triu_indices(k)
    order = np.lexsort((rows, cols))
    r, c = rows[order], cols[order]
    scale = np.where(r == c, 1.0, np.sqrt(2.0))
    for a in (r, c, scale):
        a.setflags(write=False)
    return r, c, scale


def _svec(M: np.ndarray) -> np.ndarray:
    r, c, scale = _svec_index(M.shape[0])
    return M[r, c] * scale


def _clarabel_feasible(
    G: np.ndarray, pad: np.ndarray, sector: np.ndarray, off_by_one: np.ndarray, r2: float
) -> tuple[str, np.ndarray | None, np.ndarray | None]:
    """The LMI as a conic feasibility problem handed straight to CLARABEL.

    Variables ``z = (P[r, c] for the upper triangle, lambda_1, lambda_2)``;
    cones: ``-LMI`` PSD, ``P - I`` PSD, ``lambda >= 0``.
    """
    import clarabel
    from scipy import sparse

    m = pad.shape[1]
    k = G.shape[1]
    r, c, scale_m = _svec_index(m)
    rk, ck, scale_k = _svec_index(k)
    # column j: svec(G^T S_j G - r2 pad S_j pad^T) for the symmetric unit S_j at (r_j, c_j),
    # all at once: G^T S_j G = G_r G_c^T + G_c G_r^T (halved on the diagonal)
    half = np.where(r == c, 0.5, 1.0)[:, None, None]
    lmi = np.einsum("pi,pj->pij", G[r], G[c]) - r2 * np.einsum("pi,pj->pij", pad.T[r], pad.T[c])
    lmi = (lmi + lmi.transpose(0, 2, 1)) * half
    nP = r.size
    A_lmi = np.column_stack([(lmi[:, rk, ck] * scale_k).T, _svec(sector), _svec(off_by_one)])
    # svec of S_j is its own unit vector times the sqrt(2) scale of off-diagonal entries
    A_p = np.hstack([-np.diag(scale_m), np.zeros((nP, 2))])
    A_lam = np.hstack([np.zeros((2, nP)), -np.eye(2)])
    A = sparse.csc_matrix(np.vstack([A_lmi, A_p, A_lam]))
    b = np.concatenate([np.zeros(A_lmi.shape[0]), -_svec(np.eye(m)), np.zeros(2)])
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.max_threads = 1
    cones = [clarabel.PSDTriangleConeT(k), clarabel.PSDTriangleConeT(m),
             clarabel.NonnegativeConeT(2)]
    n = nP + 2
    solution = clarabel.DefaultSolver(sparse.csc_matrix((n, n)), np.zeros(n), A, b, cones,
                                      settings).solve()
    status = solution.status
    done = clarabel.SolverStatus
    # an almost-solved point is still checked in numpy before it counts
    if status in (done.Solved, done.AlmostSolved):
        z = np.asarray(solution.x)
        P = np.zeros((m, m))
        P[r, c] = z[:nP]
        P[c, r] = z[:nP]
        return "optimal", P, z[nP:]
    if status in (done.PrimalInfeasible, done.AlmostPrimalInfeasible):
        # nearly infeasible counts as not certified at this rate (never the reverse)
        return "infeasible", None, None
    # stopped early (e.g. insufficient progress near the boundary): its last point may
    # still pass the numpy check; otherwise the fallback solver is asked
    z = np.asarray(solution.x)
    P = np.zeros((m, m))
    P[r, c] = z[:nP]
    P[c, r] = z[:nP]
    return str(status), P, z[nP:]


def _feasible(
    n: int, G: np.ndarray, sector: np.ndarray, off_by_one: np.ndarray, r2: float,
    solver: str | None,
) -> tuple[bool, str, tuple[float, ...]]:
    """Is the LMI feasible at ``rho^2 = r2``?  Only a solution checked in numpy counts."""
    m = n + 1
    pad = np.zeros((m + 1, m))
    pad[:m, :m] = np.eye(m)
    name = "CLARABEL"
    P_val: np.ndarray | None = None
    lam_val: np.ndarray | None = None
    status = "error"
    if solver is None:
        status, P_val, lam_val = _clarabel_feasible(G, pad, sector, off_by_one, r2)
        if status == "infeasible":
            return False, name, ()
        if P_val is not None and lam_val is not None:
            ok, lam_out = _check(G, pad, sector, off_by_one, r2, P_val, lam_val)
            if ok or status == "optimal":
                return ok, name, lam_out
    # CLARABEL stopped without an answer (or a solver was pinned): the cvxpy form, with
    # SCS after CLARABEL only (the direct call above was CLARABEL already)
    lmi = _lmi(n)
    lmi.kron.value = np.kron(G.T, G.T)
    lmi.r2.value = r2
    lmi.q1.value = sector
    lmi.q2.value = off_by_one
    name, status = solve_with_fallback(lmi.problem, solver, order=("SCS",),
                                       options={"SCS": _SCS_LMI})
    # an inaccurate SCS point is fine here: only the numpy check below decides
    if status not in ("optimal", "optimal_inaccurate") or lmi.P.value is None or lmi.lam.value is None:
        return False, name, ()
    ok, lam_out = _check(G, pad, sector, off_by_one, r2, np.asarray(lmi.P.value),
                         np.asarray(lmi.lam.value, dtype=float))
    return ok, name, lam_out


def _check(
    G: np.ndarray, pad: np.ndarray, sector: np.ndarray, off_by_one: np.ndarray, r2: float,
    P_val: np.ndarray, lam_val: np.ndarray,
) -> tuple[bool, tuple[float, ...]]:
    """Recompute the LMI from a returned ``(P, lambda)`` in numpy: is it really feasible?"""
    P = 0.5 * (P_val + P_val.T)
    lam = np.maximum(lam_val, 0.0)
    value = G.T @ P @ G - r2 * (pad @ P @ pad.T) + lam[0] * sector + lam[1] * off_by_one
    scale = max(1.0, float(np.abs(G.T @ P @ G).max()), float(np.abs(lam).max()))
    ok = (np.linalg.eigvalsh(0.5 * (value + value.T)).max() <= CHECK_TOL * scale
          and np.linalg.eigvalsh(P).min() > 0.5)
    return bool(ok), (float(lam[0]), float(lam[1]))


def iqc_rate(
    method: str,
    mu: float,
    L: float,
    params: Mapping[str, Any] | None = None,
    *,
    tol: float = 1e-4,
    solver: str | None = None,
) -> RateCertificate:
    r"""Certify a linear convergence rate of ``method`` on every function of :math:`F(\mu, L)`.

    Parameters
    ----------
    method : str
        A linear method: ``"gd"``, ``"momentum"``, ``"nesterov"``, ``"polyak"``, ``"ema"``.
    mu, L : float
        Strong convexity and smoothness, :math:`0 < \mu < L`, finite.
    params : mapping, optional
        ``{"eta": ..., "beta": ...}`` (``beta`` ignored for gd); default: the
        method's derived quadratic-optimal tuning on :math:`[\mu, L]`
        (:func:`optheory.symbolic.tuning.optimal_parameters`).
    tol : float
        Bisection stops when the bracket on :math:`\rho` is narrower (default 1e-4).
    solver : {"CLARABEL", "SCS"}, optional
        Pin one solver (default: CLARABEL, then SCS where CLARABEL fails).

    Returns
    -------
    RateCertificate
        ``rate`` is a certified upper bound on the worst-case linear rate over
        :math:`F(\mu, L)`, within ``tol`` of the smallest rate the LMI certifies;
        ``None`` when no rate below 1 is certified.

    Raises
    ------
    ValueError
        ``mu <= 0``, ``L <= mu``, non-finite or out-of-region parameters, a
        ``tol`` outside (0, 0.1], an unknown solver.
    optheory._extras.MissingExtraError
        cvxpy is not installed (``pip install 'optheory[pep]'``).
    """
    mu, L = check_class(mu, L)
    eta, beta = method_params(method, mu, L, params)
    if not (isinstance(tol, int | float) and 0 < tol <= 0.1):
        raise ValueError(f"tol must lie in (0, 0.1], got {tol!r}")
    if solver is not None and solver not in ("CLARABEL", "SCS"):
        raise ValueError(f"solver must be CLARABEL or SCS, got {solver!r}")
    rate, width, name, solves, lam = certify(system(method, eta * L, beta), mu / L, tol, solver)
    return RateCertificate(method, mu, L, eta, beta, rate, width, name, solves, lam)


def certify(
    cell: System, mu_over_L: float, tol: float, solver: str | None = None
) -> tuple[float | None, float, str, int, tuple[float, ...]]:
    """Bisection of :func:`iqc_rate` on a state space already scaled to ``L = 1``.

    Returns ``(rate or None, bracket width, solver, solves, multipliers)``;
    needs no sympy (worker processes of a map call it directly).
    """
    A, B, C = cell.A, cell.B, cell.C
    n = A.shape[0]
    solves = 0
    lo, hi = 0.0, 1.0
    best: tuple[float, str, tuple[float, ...]] | None = None
    while hi - lo > tol or best is None:
        rho = hi if best is None and solves == 0 else 0.5 * (lo + hi)
        G, sector, off_by_one = _system(A, B, C, mu_over_L, 1.0, rho * rho)
        ok, name, lam = _feasible(n, G, sector, off_by_one, rho * rho, solver)
        solves += 1
        if ok:
            hi, best = rho, (rho, name, lam)
        elif solves == 1:
            break  # not even rho = 1
        else:
            lo = rho
    if best is None or best[0] >= 1.0:
        return None, tol, "", solves, ()
    return best[0], hi - lo, best[1], solves, best[2]
