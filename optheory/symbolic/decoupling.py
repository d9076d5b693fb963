r"""Decoupling of linear methods along the eigenvectors of a quadratic.

On :math:`h(x) = \tfrac12 x^\top Q x + c^\top x` with :math:`Q = O^\top \Lambda O`
(:math:`O` orthogonal, :math:`\Lambda = \operatorname{diag}(\lambda_1, \dots, \lambda_n)`)
a method with k state vectors (gradient descent: x; momentum: v, x; ...) is an
affine map of its stacked state :math:`s \in \mathbb{R}^{kn}`.  Here sympy

1. runs the method's own step rule (:func:`optheory.symbolic.linear.method_step`)
   on symbolic vectors with gradient :math:`Qx + c`,
2. takes the Jacobian :math:`J` of the update and rotates every state vector
   by :math:`O`: :math:`M = (I_k \otimes O) J (I_k \otimes O^\top)`,
3. reorders the coordinates eigen-direction by eigen-direction and checks,
   entry by entry, that :math:`M` is block diagonal with k x k blocks equal to
   the scalar iteration matrix :math:`R(\lambda_i)` of the same method,
4. solves for the fixed point block by block and checks that its x-part
   makes the gradient vanish (it is the minimizer :math:`-Q^{-1}c`).

Why it holds for every n: the scalar :math:`R(\lambda)` is affine in
:math:`\lambda`, :math:`R = A + \lambda B`, and the vector Jacobian is
:math:`J = A \otimes I + B \otimes Q`; then
:math:`(I \otimes O) J (I \otimes O^\top) = A \otimes I + B \otimes \Lambda`
because :math:`O O^\top = I`.  Both facts are checked as well.

Textbook: "Dive into Deep Learning", section "Momentum", subsection
"Quadratic Convex Functions" (claims ``momentum.gd-in-z`` and
``momentum.decoupling``).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from optheory._checks import check_positive_int
from optheory.symbolic.linear import LAM, iteration_matrix, method_step, method_update

__all__ = ["Decoupling", "eigen_decoupling", "pythagorean_orthogonal"]

def _triples(count: int) -> list[tuple[int, int, int]]:
    """Pythagorean triples (p^2 - q^2, 2pq, p^2 + q^2) from Euclid's formula."""
    out: list[tuple[int, int, int]] = []
    p = 2
    while len(out) < count:
        for q in range(1, p):
            if (p - q) % 2 == 1 and sp.igcd(p, q) == 1 and len(out) < count:
                out.append((p * p - q * q, 2 * p * q, p * p + q * q))
        p += 1
    return out


@dataclass(frozen=True)
class Decoupling:
    """Result of :func:`eigen_decoupling` (all checks computed at run time)."""

    method: str
    #: exact orthogonal matrix O with Q = O^T Lambda O
    O: sp.Matrix
    #: the eigenvalue symbols lam_1..lam_n
    eigenvalues: tuple[sp.Symbol, ...]
    #: Q = O^T diag(eigenvalues) O
    Q: sp.Matrix
    #: iteration matrix in eigen-coordinates, ordered direction by direction
    matrix: sp.Matrix
    #: the same before rotating by O (original coordinates, same ordering): coupled
    original_matrix: sp.Matrix
    #: its k x k diagonal blocks, one per eigenvalue
    blocks: tuple[sp.Matrix, ...]
    #: x-part of the fixed point, in the original coordinates
    fixed_point: sp.Matrix
    #: every entry outside the diagonal blocks is exactly 0
    block_diagonal: bool
    #: block i equals the scalar iteration matrix at lam = lam_i
    blocks_match_scalar: bool
    #: grad h vanishes at the fixed point (it is the minimizer -Q^{-1} c)
    fixed_point_is_minimizer: bool
    #: the scalar R(lam) is affine in lam and J = A (x) I + B (x) Q
    kronecker_structure: bool

    @property
    def decoupled(self) -> bool:
        """All checks hold."""
        return (
            self.block_diagonal
            and self.blocks_match_scalar
            and self.fixed_point_is_minimizer
            and self.kronecker_structure
        )


def pythagorean_orthogonal(n: int) -> sp.Matrix:
    r"""An exact, dense n x n orthogonal matrix with rational entries.

    Product of Givens rotations in every plane (i, j), i < j, each with
    :math:`(\cos, \sin) = (a/c, b/c)` from a Pythagorean triple (Euclid's
    formula); orthogonality is checked exactly.

    Parameters
    ----------
    n : int
        Size, 1 <= n <= 6.

    Returns
    -------
    sympy.Matrix

    Raises
    ------
    ValueError
        ``n`` not an integer in [1, 6].
    """
    n = check_positive_int("n", n, maximum=6)
    O = sp.eye(n)
    planes = [(i, j) for i in range(n) for j in range(i + 1, n)]
    for (i, j), (a, b, c) in zip(planes, _triples(len(planes)), strict=True):
        G = sp.eye(n)
        G[i, i] = G[j, j] = sp.Rational(a, c)
        G[i, j] = -sp.Rational(b, c)
        G[j, i] = sp.Rational(b, c)
        O = G * O
    if O.T * O != sp.eye(n):  # pragma: no cover - exact rationals
        raise RuntimeError("rotation product is not orthogonal")
    return O


def _zero(expr: sp.Expr) -> bool:
    return bool(sp.expand(expr) == 0)


def eigen_decoupling(method: str = "momentum", n: int = 3) -> Decoupling:
    r"""Prove, for a concrete n, that a method decouples along the eigenvectors of Q.

    Parameters
    ----------
    method : str
        A method of :mod:`optheory.symbolic.linear` (``"gd"``, ``"momentum"``,
        ``"polyak"``, ``"ema"``, ``"nesterov"``).
    n : int
        Dimension, 1 <= n <= 6 (n = 3 takes well under a second).

    Returns
    -------
    Decoupling
        The rotated iteration matrix, its blocks and the run-time checks;
        ``result.decoupled`` is True when all of them hold.

    Raises
    ------
    ValueError
        Unknown method or bad ``n``.
    """
    step, names = method_step(method)
    O = pythagorean_orthogonal(n)
    k = len(names)
    lams = tuple(sp.symbols(f"lam_1:{n + 1}", positive=True))
    cs = sp.Matrix(sp.symbols(f"c_1:{n + 1}", real=True))
    Q = O.T * sp.diag(*lams) * O
    states = tuple(sp.Matrix(sp.symbols(f"{name}_1:{n + 1}", real=True)) for name in names)
    nxt = step(states, lambda x: Q * x + cs)
    flat = [s for vec in states for s in vec]
    F = sp.Matrix([sp.expand(e) for vec in nxt for e in vec])
    J = F.jacobian(flat).applyfunc(sp.expand)
    const = F.subs(dict.fromkeys(flat, 0)).applyfunc(sp.expand)
    if not all(_zero(e) for e in F - J * sp.Matrix(flat) - const):  # pragma: no cover
        raise RuntimeError(f"{method} is not affine in its state")

    T = sp.diag(*([O] * k))
    M = (T * J * T.T).applyfunc(sp.expand)
    order = [j * n + i for i in range(n) for j in range(k)]  # direction by direction
    M = M.extract(order, order)
    J_ordered = J.extract(order, order)
    b = (T * const).extract(order, [0])
    block_diagonal = all(
        _zero(M[r, col]) for r in range(k * n) for col in range(k * n) if r // k != col // k
    )
    blocks = tuple(M[i * k : (i + 1) * k, i * k : (i + 1) * k] for i in range(n))
    update, state = method_update(method)
    blocks_match = all(
        all(_zero(e) for e in blk - iteration_matrix(update, state, lam=lam_i))
        for blk, lam_i in zip(blocks, lams, strict=True)
    )

    # fixed point y* = M y* + b, one k x k block at a time; the x component is last in "x"
    x_index = names.index("x")
    z_star = sp.zeros(n, 1)
    for i, blk in enumerate(blocks):
        y = (sp.eye(k) - blk).LUsolve(b[i * k : (i + 1) * k, 0])
        z_star[i] = sp.simplify(y[x_index])
    x_star = (O.T * z_star).applyfunc(sp.simplify)
    minimizer = all(sp.simplify(e) == 0 for e in Q * x_star + cs)

    # structure behind every n: R(lam) = A + lam B and J = A (x) I + B (x) Q
    R = iteration_matrix(update, state)
    affine = all(_zero(sp.diff(e, LAM, 2)) for e in R)
    A, B = R.subs(LAM, 0), R.diff(LAM)
    kron = sp.kronecker_product(A, sp.eye(n)) + sp.kronecker_product(B, Q)
    kronecker = affine and all(_zero(e) for e in J - kron)

    return Decoupling(
        method=method,
        O=O,
        eigenvalues=lams,
        Q=Q,
        matrix=M,
        original_matrix=J_ordered,
        blocks=blocks,
        fixed_point=x_star,
        block_diagonal=block_diagonal,
        blocks_match_scalar=blocks_match,
        fixed_point_is_minimizer=minimizer,
        kronecker_structure=kronecker,
    )
