r"""The worst case of a fixed-step linear method over :math:`F(\mu, L)`, one SDP per grid.

The performance estimation problem (Drori and Teboulle 2014; Taylor,
Hendrickx and Glineur 2017) of :math:`N` steps of a linear method
(:mod:`optheory.pep.state_space`, from the project's step rules) started at
rest at :math:`x_0`, with measure :math:`\|x_N - x_*\|^2 / \|x_0 - x_*\|^2`,
is, after rescaling to :math:`L = 1` (:math:`\mu \to \mu/L`, :math:`\eta \to \eta L`):

.. math::

    \max\ \operatorname{tr}(G\, a_N a_N^\top)
    \quad\text{s.t.}\quad G \succeq 0,\ G_{00} \le 1,\
    f_j - f_i + \operatorname{tr}(G\, M_{ij}) \le 0 \ \ (i \ne j \in \{*, 0, \dots, N-1\}),

over the Gram matrix :math:`G` of :math:`(x_0 - x_*, g_0, \dots, g_{N-1})` and
the values :math:`f_k = f(y_k) - f_*`.  The gradient point :math:`y_k` and
:math:`x_N` are linear in that basis with coefficient vectors :math:`a_k`,
polynomials in :math:`(\eta, \beta)` given by the recursion
:math:`\xi_{k+1} = A \xi_k + B g_k`, :math:`y_k = C \xi_k`;
:math:`M_{ij}` is the symmetric form of the :math:`F(\mu, 1)` interpolation
inequality (Taylor-Hendrickx-Glineur Theorem 4)

.. math::

    f_i \ge f_j + \langle g_j, y_i - y_j\rangle + \tfrac{1}{2(1-\mu)}\bigl(
    \|g_i - g_j\|^2 + \mu \|y_i - y_j\|^2 - 2\mu \langle g_j - g_i, y_j - y_i\rangle\bigr),

which is exactly the set of constraints PEPit writes for its smooth strongly
convex class, so the optimal values agree to solver accuracy (checked against
PEPit cell by cell in the tests and in ``scripts/bench_pep.py``).

Only the coefficients :math:`M_{ij}` and :math:`a_N a_N^\top` depend on
:math:`(\eta, \beta)`; they are cvxpy parameters, so the problem is compiled
once per (method, :math:`\mu/L`, :math:`N`) and each cell only re-solves it
(PEPit compiles afresh every time, about two thirds of its time per cell).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from optheory.pep._solve import cvxpy, solve_with_fallback
from optheory.pep._system import System, system
from optheory.pep.params import check_steps

__all__ = ["GramPEP", "PepCell", "coefficient_vectors"]


@dataclass(frozen=True)
class PepCell:
    """One solved worst case: the value and how it was obtained.

    ``value`` is :math:`\\max \\|x_N - x_*\\|^2 / \\|x_0 - x_*\\|^2` over
    :math:`F(\\mu, L)` (NaN when no solver finished); ``status`` is cvxpy's.
    """

    value: float
    solver: str
    status: str
    seconds: float


def coefficient_vectors(
    method: str, eta: float, beta: float, steps: int, cell: System | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients of :math:`y_0, \\dots, y_{N-1}` and of :math:`x_N` in the Gram basis.

    ``cell`` is the method's state space at ``(eta, beta)`` when already
    evaluated (:func:`optheory.pep._system.system`); by default it is derived here.

    Returns
    -------
    points : ndarray, shape (N, N + 1)
        Row k: :math:`y_k - x_*` in the basis :math:`(x_0 - x_*, g_0, \\dots, g_{N-1})`.
    last : ndarray, shape (N + 1,)
        :math:`x_N - x_*` in that basis.
    """
    A, B, C, start, x_index = cell if cell is not None else system(method, eta, beta)
    d = steps + 1
    xi = np.zeros((A.shape[0], d))
    xi[:, 0] = start[:, 0]
    points = np.empty((steps, d))
    for k in range(steps):
        points[k] = C[0] @ xi
        gk = np.zeros(d)
        gk[k + 1] = 1.0
        xi = A @ xi + np.outer(B[:, 0], gk)
    return points, xi[x_index].copy()


def _pairs(steps: int) -> list[tuple[int, int]]:
    """Ordered pairs of distinct points; index ``steps`` is the minimiser."""
    idx = range(steps + 1)
    return [(i, j) for i in idx for j in idx if i != j]


class GramPEP:
    """The SDP of the module docstring, set up once; :meth:`solve` per (eta, beta).

    The fast path hands the conic form straight to CLARABEL (the sparsity
    pattern and the cones are fixed per grid; only the coefficient values
    change per cell).  Where CLARABEL does not report "solved", the same SDP
    is solved through cvxpy with CLARABEL and then SCS
    (:func:`optheory.pep._solve.solve_with_fallback`).

    Parameters
    ----------
    method : str
        A linear method (gd, momentum, nesterov, polyak, ema).
    mu, L : float
        The class :math:`F(\\mu, L)`, already checked (``0 < mu < L``).
    steps : int
        Horizon N in [1, :data:`~optheory.pep.params.MAX_STEPS`].
    """

    def __init__(self, method: str, mu: float, L: float, steps: int) -> None:
        self.method, self.mu, self.L = method, float(mu), float(L)
        self.steps = check_steps(steps)
        self.m = self.mu / self.L
        d = self.steps + 1
        self.d = d
        pairs = _pairs(self.steps)
        self.npairs = len(pairs)
        self.I = np.array([i for i, _ in pairs])
        self.J = np.array([j for _, j in pairs])
        # f_j - f_i as a constant matrix on f (the minimiser's value is 0)
        F = np.zeros((self.npairs, self.steps))
        for r, (i, j) in enumerate(pairs):
            if j < self.steps:
                F[r, j] += 1.0
            if i < self.steps:
                F[r, i] -= 1.0
        self.F = F
        # svec: upper triangle, column by column, off-diagonal entries times sqrt(2)
        rows, cols = np.triu_indices(d)
        order = np.lexsort((rows, cols))
        self.tri_r, self.tri_c = rows[order], cols[order]
        self.tri_scale = np.where(self.tri_r == self.tri_c, 1.0, np.sqrt(2.0))
        self.nsvec = self.tri_r.size
        self._cvx: Any = None

    def coefficients(
        self, eta: float, beta: float, cell: System | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The cell's coefficients: rows ``svec(M_ij)`` and ``svec(a_N a_N^T)``.

        ``cell``: the state space already evaluated at the *scaled* step ``eta * L``.
        """
        m = self.m
        c = 1.0 / (2.0 * (1.0 - m))
        points, last = coefficient_vectors(self.method, eta * self.L, beta, self.steps, cell)
        d = self.d
        y = np.vstack([points, np.zeros(d)])  # the minimiser: y_* = 0, g_* = 0
        g = np.vstack([np.eye(d)[1:], np.zeros(d)])
        dy = y[self.I] - y[self.J]
        dg = g[self.I] - g[self.J]
        gj = g[self.J]

        def sym(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            # entries (r, c) of the symmetric part of a b^T, row by row
            ar, ac = a[:, self.tri_r], a[:, self.tri_c]
            br, bc = b[:, self.tri_r], b[:, self.tri_c]
            return 0.5 * (ar * bc + ac * br)

        forms = sym(gj, dy) + c * (sym(dg, dg) + m * sym(dy, dy) - 2.0 * m * sym(dg, dy))
        objective = last[self.tri_r] * last[self.tri_c]
        return forms * self.tri_scale, objective * self.tri_scale

    def _solve_clarabel(self, forms: np.ndarray, objective: np.ndarray) -> tuple[str, float]:
        import clarabel
        from scipy import sparse

        n_f = self.steps
        nz = self.nsvec
        # variables z = (svec G, f); rows: interpolation (<= 0), G_00 <= 1, -svec G in PSD
        top = np.hstack([forms, self.F])
        g00 = np.zeros((1, nz + n_f))
        g00[0, 0] = 1.0
        psd = np.hstack([-np.eye(nz), np.zeros((nz, n_f))])
        A = sparse.csc_matrix(np.vstack([top, g00, psd]))
        b = np.concatenate([np.zeros(self.npairs), [1.0], np.zeros(nz)])
        q = np.concatenate([-objective, np.zeros(n_f)])
        P = sparse.csc_matrix((nz + n_f, nz + n_f))
        settings = clarabel.DefaultSettings()
        settings.verbose = False
        settings.max_threads = 1
        cones = [clarabel.NonnegativeConeT(self.npairs + 1), clarabel.PSDTriangleConeT(self.d)]
        solution = clarabel.DefaultSolver(P, q, A, b, cones, settings).solve()
        if solution.status != clarabel.SolverStatus.Solved:
            return str(solution.status), float("nan")
        return "optimal", -float(solution.obj_val)

    def _cvxpy_problem(self) -> Any:
        if self._cvx is None:
            cp = cvxpy("worst_case_map")
            G = cp.Variable((self.d, self.d), PSD=True)
            f = cp.Variable(self.steps)
            forms = cp.Parameter((self.npairs, self.nsvec))
            objective = cp.Parameter(self.nsvec)
            vec = cp.hstack([G[r, c] for r, c in zip(self.tri_r, self.tri_c, strict=True)])
            svec = cp.multiply(self.tri_scale, vec)
            problem = cp.Problem(cp.Maximize(objective @ svec),
                                 [self.F @ f + forms @ svec <= 0, G[0, 0] <= 1])
            self._cvx = (problem, forms, objective)
        return self._cvx

    def solve(
        self, eta: float, beta: float, solver: str | None = None, cell: System | None = None
    ) -> PepCell:
        """Worst-case distance ratio at ``(eta, beta)`` (unscaled parameters).

        ``solver`` pins ``"CLARABEL"`` or ``"SCS"`` (through cvxpy); default:
        CLARABEL directly, then the cvxpy fallback chain.  ``cell``: the state
        space at ``(eta * L, beta)`` when the caller has it (worker processes
        then need no sympy).
        """
        start = time.perf_counter()
        forms, objective = self.coefficients(eta, beta, cell)
        if solver is None:
            status, value = self._solve_clarabel(forms, objective)
            if status == "optimal":
                return PepCell(value, "CLARABEL", status, time.perf_counter() - start)
        problem, p_forms, p_objective = self._cvxpy_problem()
        p_forms.value = forms
        p_objective.value = objective
        name, status = solve_with_fallback(problem, solver)
        value = float(problem.value) if status == "optimal" else float("nan")
        return PepCell(value, name, status, time.perf_counter() - start)


def solve_cells(
    method: str, mu: float, L: float, steps: int, cells: Any, solver: str | None = None
) -> list[PepCell]:
    """Solve the worst case at each ``(eta, beta)`` in ``cells`` with one compiled SDP."""
    pep = GramPEP(method, mu, L, steps)
    return [pep.solve(float(e), float(b), solver) for e, b in cells]
