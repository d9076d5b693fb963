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
:math:`(\eta, \beta)`: the constraint pattern is set up once per (method,
:math:`\mu/L`, :math:`N`) and each cell hands its coefficients to CLARABEL
directly (PEPit compiles a cvxpy problem afresh every time, about two thirds
of its time per cell).

**Scaling.**  Where the method diverges the worst case reaches :math:`10^{10}`
and more, and the raw SDP is so badly scaled that interior-point solvers stop
short (CLARABEL with a numerical error, SCS "unbounded").  The SDP is therefore
solved in the basis :math:`(x_0 - x_*, g_0/s_0, \dots, g_{N-1}/s_{N-1})`, i.e.
for :math:`H = D^{-1} G D^{-1}` with :math:`D = \operatorname{diag}(1, s_0, \dots,
s_{N-1})`, with :math:`f_k = s_k^2 \varphi_k`, every constraint row divided by
its largest coefficient and the objective by its largest coefficient
(:meth:`GramPEP.scaled`).  :math:`s_k` is the largest :math:`|g_k|` over the
quadratics :math:`\tfrac{\lambda}{2} x^2`, :math:`\lambda \in [\mu/L, 1]`,
from :math:`x_0 = 1` (:func:`gradient_scales`): the size the gradients take on
the quadratic worst case.  A congruence and positive row and variable
scalings change neither the feasible set nor the optimum; they only make the
entries of :math:`H` of order one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from optheory.pep._solve import cvxpy, solve_with_fallback
from optheory.pep._system import System, system
from optheory.pep.params import check_steps

__all__ = ["CLARABEL_SETTINGS", "RETRY_TOLERANCE", "GramPEP", "PepCell", "coefficient_vectors", "gradient_scales"]

#: CLARABEL's settings for one cell (its tolerances are the defaults, 1e-8).  The
#: Gram matrix is dense, so chordal decomposition finds nothing and only costs time.
CLARABEL_SETTINGS: dict[str, Any] = {
    "verbose": False, "max_threads": 1, "chordal_decomposition_enable": False,
}
#: tolerances of the second try, where the first ends "almost solved" (it stalls just
#: above 1e-8 on a degenerate optimum, in many cells of the bench grid at N = 10);
#: still finer than the 1e-6 to which the tests compare the values with PEPit's
RETRY_TOLERANCE = 1e-7

#: curvatures in [mu/L, 1] (both ends included) behind :func:`gradient_scales`
SCALE_CURVATURES = 65
#: smallest scale, so that a fast-converging cell keeps a well-defined basis
_SMALLEST_SCALE = 1e-12


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


def gradient_scales(points: np.ndarray, m: float) -> np.ndarray:
    r"""Size of each gradient :math:`g_k` on the quadratic worst case, the scales of the basis.

    On :math:`f(x) = \tfrac{\lambda}{2} x^2` started at :math:`x_0 = 1`, the
    Gram basis takes the values :math:`(1, g_0, \dots, g_{N-1})` with
    :math:`g_k = \lambda\, y_k` and :math:`y_k` given by row k of ``points``.
    Returns :math:`s_k = \max_\lambda |g_k|` over :data:`SCALE_CURVATURES`
    curvatures evenly spaced on :math:`[m, 1]` (``m`` = mu/L), at least 1e-12.

    Parameters
    ----------
    points : ndarray, shape (N, N + 1)
        From :func:`coefficient_vectors`.
    m : float
        :math:`\mu / L` in (0, 1).

    Returns
    -------
    ndarray, shape (N,)
    """
    steps = points.shape[0]
    lam = np.linspace(m, 1.0, SCALE_CURVATURES)
    values = np.zeros((lam.size, steps + 1))
    values[:, 0] = 1.0
    for k in range(steps):
        values[:, k + 1] = lam * (values @ points[k])
    scales: np.ndarray = np.maximum(np.abs(values[:, 1:]).max(axis=0), _SMALLEST_SCALE)
    return scales


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
        points, last = coefficient_vectors(self.method, eta * self.L, beta, self.steps, cell)
        return self._forms(points, last)

    def _forms(self, points: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        m = self.m
        c = 1.0 / (2.0 * (1.0 - m))
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

    def scaled(
        self, eta: float, beta: float, cell: System | None = None
    ) -> tuple[np.ndarray, np.ndarray, float]:
        """The cell's SDP in the scaled basis of the module docstring.

        Variables ``z = (svec H, phi)``; the constraints are ``rows @ z <= 0``,
        ``H_00 <= 1`` and ``H`` PSD; the worst case is ``factor`` times the
        maximum of ``objective @ svec H``.

        Returns
        -------
        rows : ndarray, shape (N (N + 1), (N + 1)(N + 2)/2 + N)
        objective : ndarray, shape ((N + 1)(N + 2)/2,)
        factor : float
        """
        points, last = coefficient_vectors(self.method, eta * self.L, beta, self.steps, cell)
        forms, objective = self._forms(points, last)
        D = np.concatenate([[1.0], gradient_scales(points, self.m)])
        entry = D[self.tri_r] * D[self.tri_c]
        rows = np.hstack([forms * entry, self.F * D[1:] ** 2])
        norms = np.abs(rows).max(axis=1)
        rows /= np.where(norms > 0, norms, 1.0)[:, None]
        objective = objective * entry
        factor = float(np.abs(objective).max())
        if not factor > 0:  # x_N = x_* from any start: the worst case is 0
            factor = 1.0
        return rows, objective / factor, factor

    def _solve_clarabel(
        self, rows: np.ndarray, objective: np.ndarray, tolerance: float | None = None
    ) -> tuple[str, float]:
        """CLARABEL on the scaled SDP: ``("optimal" | "optimal_inaccurate" | its status, value)``.

        ``tolerance``: gap and feasibility tolerances instead of CLARABEL's 1e-8.
        """
        import clarabel
        from scipy import sparse

        n_f = self.steps
        nz = self.nsvec
        # rows: interpolation (<= 0), H_00 <= 1, -svec H in the PSD cone
        g00 = np.zeros((1, nz + n_f))
        g00[0, 0] = 1.0
        psd = np.hstack([-np.eye(nz), np.zeros((nz, n_f))])
        A = sparse.csc_matrix(np.vstack([rows, g00, psd]))
        b = np.concatenate([np.zeros(self.npairs), [1.0], np.zeros(nz)])
        q = np.concatenate([-objective, np.zeros(n_f)])
        P = sparse.csc_matrix((nz + n_f, nz + n_f))
        settings = clarabel.DefaultSettings()
        for name, value in CLARABEL_SETTINGS.items():
            setattr(settings, name, value)
        if tolerance is not None:
            settings.tol_gap_abs = settings.tol_gap_rel = settings.tol_feas = tolerance
        cones = [clarabel.NonnegativeConeT(self.npairs + 1), clarabel.PSDTriangleConeT(self.d)]
        solution = clarabel.DefaultSolver(P, q, A, b, cones, settings).solve()
        status = solution.status
        if status == clarabel.SolverStatus.Solved:
            return "optimal", -float(solution.obj_val)
        if status == clarabel.SolverStatus.AlmostSolved:
            # CLARABEL's reduced tolerances (gap 5e-5 relative), cvxpy's name for them
            return "optimal_inaccurate", -float(solution.obj_val)
        return str(status), float("nan")

    def _cvxpy_problem(self) -> Any:
        if self._cvx is None:
            cp = cvxpy("worst_case_map")
            H = cp.Variable((self.d, self.d), PSD=True)
            phi = cp.Variable(self.steps)
            rows = cp.Parameter((self.npairs, self.nsvec + self.steps))
            objective = cp.Parameter(self.nsvec)
            vec = cp.hstack([H[r, c] for r, c in zip(self.tri_r, self.tri_c, strict=True)])
            svec = cp.multiply(self.tri_scale, vec)
            problem = cp.Problem(cp.Maximize(objective @ svec),
                                 [rows @ cp.hstack([svec, phi]) <= 0, H[0, 0] <= 1])
            self._cvx = (problem, rows, objective)
        return self._cvx

    def solve(
        self, eta: float, beta: float, solver: str | None = None, cell: System | None = None
    ) -> PepCell:
        """Worst-case distance ratio at ``(eta, beta)`` (unscaled parameters).

        By default CLARABEL is called directly on the scaled SDP, and again
        with tolerances :data:`RETRY_TOLERANCE` when it does not report
        "solved"; an "almost solved" answer (CLARABEL's reduced tolerances, gap
        5e-5 relative; status ``optimal_inaccurate``) is kept when neither try
        solves it; otherwise the scaled SDP goes through cvxpy with CLARABEL and
        then SCS (:func:`optheory.pep._solve.solve_with_fallback`).  ``solver``
        pins ``"CLARABEL"`` or ``"SCS"`` through cvxpy.  ``cell``: the state
        space at ``(eta * L, beta)`` when the caller has it (worker processes
        then need no sympy).
        """
        start = time.perf_counter()
        rows, objective, factor = self.scaled(eta, beta, cell)
        if solver is None:
            almost: float | None = None
            for tolerance in (None, RETRY_TOLERANCE):
                status, value = self._solve_clarabel(rows, objective, tolerance)
                if status == "optimal":
                    return PepCell(factor * value, "CLARABEL", status, time.perf_counter() - start)
                if status == "optimal_inaccurate" and almost is None:
                    almost = factor * value
            if almost is not None:
                return PepCell(almost, "CLARABEL", "optimal_inaccurate", time.perf_counter() - start)
        problem, p_rows, p_objective = self._cvxpy_problem()
        p_rows.value = rows
        p_objective.value = objective
        name, status = solve_with_fallback(problem, solver)
        # SCS's "optimal_inaccurate" can be far off: no value then
        value = factor * float(problem.value) if status == "optimal" else float("nan")
        return PepCell(value, name, status, time.perf_counter() - start)


def solve_cells(
    method: str, mu: float, L: float, steps: int, cells: Any, solver: str | None = None
) -> list[PepCell]:
    """Solve the worst case at each ``(eta, beta)`` in ``cells`` with one compiled SDP."""
    pep = GramPEP(method, mu, L, steps)
    return [pep.solve(float(e), float(b), solver) for e, b in cells]
