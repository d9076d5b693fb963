r"""Hyperparameter sweeps on an eigen-decomposed quadratic: simulated and closed-form maps.

:func:`sweep` runs every setting of a grid (Cartesian product of 1-D axes)
on every eigen-component of an :class:`~optheory.numeric.problems.EigenQuadratic`
at once (kernel: :func:`optheory.numeric.sweep.simulate`) and, for the linear
methods, sets the measured rates beside the closed-form ones
(:func:`optheory.analysis.sweep_maps.closed_form_rate`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from optheory._budget import DEFAULT_MAX_MEMORY, DEFAULT_MAX_SECONDS, check_memory
from optheory._checks import check_choice, check_positive_int
from optheory.analysis.sweep_maps import CLOSED_FORM_METHODS, closed_form_rate
from optheory.methods import check_method
from optheory.numeric.sweep import (
    FIT_EVERY,
    KERNELS,
    MAX_STEPS,
    check_sweep_seconds,
    plan_simulation,
    run_plan,
)

__all__ = ["SweepResult", "grid_columns", "sweep"]


@dataclass(frozen=True, eq=False, repr=False)
class SweepResult:
    """Outcome of :func:`sweep`; every map has the grid's shape ``(len(axes[0]), ...)``.

    Attributes
    ----------
    method, convention : str
    names : tuple of str
        Hyperparameter of each grid axis, in order.
    axes : tuple of ndarray
        The grid's 1-D axes.
    steps : int
    final_error : ndarray or None
        :math:`\\|x_T - x^\\star\\| = \\|z_T\\|`; ``inf`` where the run diverged;
        None when only the closed form was asked for.
    rate : ndarray or None
        Per-step factor fitted on the tail of the error norms (see
        :func:`optheory.numeric.sweep.simulate`); NaN where fewer than two tail
        norms were usable (divergence, or the error fell below ~1e-154).
    diverged_at : ndarray of int64 or None
        First step with a non-finite iterate, -1 where none.
    closed_form_rate : ndarray or None
        :math:`\\max_i \\rho(M(\\eta, \\beta, \\lambda_i))` for the linear methods over
        the eigenvalues whose component the start excites (all of them when it
        excites none), None for the others.
    fit_start : int
        First step of the fitted tail.
    backend, device, kernel : str
        Where and how the simulation ran (kernel ``"none"`` without one).
    """

    method: str
    convention: str
    names: tuple[str, ...]
    axes: tuple[np.ndarray, ...]
    steps: int
    final_error: np.ndarray | None
    rate: np.ndarray | None
    diverged_at: np.ndarray | None
    closed_form_rate: np.ndarray | None
    fit_start: int
    backend: str
    device: str
    kernel: str

    @property
    def shape(self) -> tuple[int, ...]:
        """The grid's shape."""
        return tuple(a.size for a in self.axes)

    @property
    def size(self) -> int:
        """Number of settings K."""
        return int(np.prod(self.shape))

    def plot(self, ax: Any = None, *, value: str = "auto", title: str | None = None) -> Any:
        """Plot the sweep: a rate map (two parameters) or a rate curve (one).

        See :func:`optheory.figures.results.sweep_plot`: axes named after the
        grid's parameters, colour scale fitted to the data, and the derived
        boundary for linear methods; returns a matplotlib ``Figure``.
        """
        from optheory.figures.results import sweep_plot

        return sweep_plot(self, ax, value=value, title=title)

    def __repr__(self) -> str:
        grid = ", ".join(f"{n}: {a.size}" for n, a in zip(self.names, self.axes, strict=True))
        return (f"SweepResult({self.method}, convention={self.convention}, grid=({grid}), "
                f"steps={self.steps}, kernel={self.kernel})")

    def _repr_html_(self) -> str:
        from optheory._display import sweep_html

        return sweep_html(self)

    def values(self, name: str) -> np.ndarray:
        """The grid-shaped array of hyperparameter ``name`` (one entry per setting).

        Raises
        ------
        ValueError
            ``name`` is not a grid axis.
        """
        check_choice("name", name, self.names)
        mesh = np.meshgrid(*self.axes, indexing="ij")
        return mesh[self.names.index(name)]


def grid_columns(
    grid: Any, max_memory: int | None = None, result_bytes: int = 0,
    before_product: Callable[[int], None] | None = None,
) -> tuple[tuple[str, ...], tuple[np.ndarray, ...], dict[str, np.ndarray]]:
    """Validate a grid and flatten its Cartesian product.

    Parameters
    ----------
    grid : mapping
        Hyperparameter name -> non-empty 1-D array of finite values.
    max_memory : int, optional
        Refuse, before building them, a product whose columns (and
        ``result_bytes`` per setting for the caller's result maps) exceed it.
    result_bytes : int
        Bytes per setting of the maps the caller will return.
    before_product : callable, optional
        Called with the number of settings once the axes are valid, before
        the product is built (e.g. to refuse by a time estimate).

    Returns
    -------
    names, axes, columns
        Axis names, the axes as float64 arrays, and for each name the (K,)
        column of its value in every setting (C order: the last axis varies
        fastest).

    Raises
    ------
    ValueError
        Not a mapping, empty, a name that is not a string, an axis that is
        empty, not 1-D, not numeric or not finite; a product above ``max_memory``.
    """
    if not isinstance(grid, Mapping):
        raise ValueError(f"grid must be a dict name -> 1-D array, got {type(grid).__name__}")
    if not grid:
        raise ValueError("grid must name at least one hyperparameter, e.g. {'eta': [0.1, 0.2]}")
    names: list[str] = []
    axes: list[np.ndarray] = []
    for name, values in grid.items():
        if not isinstance(name, str):
            raise ValueError(f"grid keys must be hyperparameter names (str), got {name!r}")
        if _has_bool_or_complex(values):
            # float() would drop an imaginary part (with a warning) and take True as 1
            raise ValueError(f"grid[{name!r}] must hold real numbers, not booleans or complex numbers")
        try:
            axis = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"grid[{name!r}] must be a 1-D array of numbers") from None
        if axis.ndim != 1:
            raise ValueError(f"grid[{name!r}] must be 1-D, got shape {axis.shape}")
        if axis.size == 0:
            raise ValueError(f"grid[{name!r}] is empty; give it at least one value")
        names.append(name)
        axes.append(axis)
    if max_memory is not None:
        shape = tuple(a.size for a in axes)
        settings = math.prod(shape)
        # the meshgrid and the flattened columns, then the result maps
        check_memory(
            f"a grid of {settings} settings {shape}", settings * (16 * len(names) + result_bytes),
            max_memory, hint="use fewer grid points",
        )
    for name, axis in zip(names, axes, strict=True):
        if not np.isfinite(axis).all():
            raise ValueError(f"grid[{name!r}] must contain only finite numbers (found NaN or inf)")
    if before_product is not None:
        before_product(math.prod(a.size for a in axes))
    mesh = np.meshgrid(*axes, indexing="ij")
    columns = {name: m.ravel() for name, m in zip(names, mesh, strict=True)}
    return tuple(names), tuple(axes), columns


def _components(problem: Any) -> int | None:
    """Number of eigenvalues of an EigenQuadratic (None for anything else: refused later)."""
    from optheory.numeric.problems import EigenQuadratic

    return int(problem.dim) if isinstance(problem, EigenQuadratic) else None


def _has_bool_or_complex(values: Any) -> bool:
    """Booleans or complex numbers in an axis (an array's dtype, or a list's entries)."""
    if isinstance(values, np.ndarray) and values.dtype.kind != "O":
        return values.dtype.kind in "bc"
    entries = np.asarray(values, dtype=object).ravel()
    return any(isinstance(v, bool | np.bool_ | complex | np.complexfloating) for v in entries)


def _excited(plan: Any) -> np.ndarray:
    """Eigenvalues of the components the start excites; a zero component stays zero."""
    lam = np.asarray(plan.lam, dtype=float)
    excited = np.asarray(plan.start) != 0
    return lam[excited] if excited.any() else lam


def sweep(
    method: str,
    problem: Any,
    grid: Any,
    steps: int,
    backend: str = "numpy",
    device: str = "cpu",
    max_memory: int = DEFAULT_MAX_MEMORY,
    x0: Any = None,
    progress: bool | None = None,
    closed_form: bool = False,
    *,
    convention: str = "textbook",
    tail: float = 0.5,
    kernel: str = "auto",
    chunk: int | None = None,
    fit_every: int = FIT_EVERY,
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
) -> SweepResult:
    r"""Run every setting of a hyperparameter grid on every eigen-component of ``problem``.

    Parameters
    ----------
    method : str
        One of ``optheory.numeric.optimizers.METHODS``.
    problem : EigenQuadratic
    grid : mapping
        Hyperparameter name -> 1-D array; the K settings are the Cartesian
        product.  Names not in the grid take the method's defaults (a
        one-value axis fixes one).
    steps : int
        Updates per setting (>= 1).
    backend, device : str
        ``"numpy"`` on ``"cpu"``; ``"torch"`` on ``"cpu"`` or ``"cuda"``.
    max_memory : int
        Bytes the grid's columns and result maps may take (refused up front
        above it), and the simulation's working arrays (settings run in
        chunks below it); default 1 GiB.
    x0 : (d,) array_like, optional
        Start (problem coordinates); default :math:`x^\star + O^\top \mathbf 1`,
        every eigen-component at 1.
    progress : bool, optional
        tqdm bar on stderr; by default only when stderr is a terminal.
    closed_form : bool
        Only the closed-form rate map, no simulation (linear methods only).
    convention : {"textbook", "torch"}
        Arithmetic of the own implementation.
    tail : float in (0, 1]
        Fraction of the run fitted for the rate.
    kernel : {"auto", "fused", "compiled", "generic"}
        See :func:`optheory.numeric.sweep.simulate` (``"compiled"`` needs numba).
    chunk : int, optional
        Settings per chunk (default sized for the cache and ``max_memory``).
    fit_every : int
        The rate is fitted on every ``fit_every``-th error norm of the tail
        (every step is still simulated); exact for geometric decay.
    max_seconds : float or None
        Refuse, before any work, a sweep whose time estimated from its size
        (settings x steps x components, :func:`~optheory.numeric.sweep.estimate_sweep_seconds`)
        exceeds this; the estimate is checked again after the first fraction
        of a second of simulation.  Default 60, None for no limit.

    Returns
    -------
    SweepResult

    Algorithm
    ---------
    The linear methods run in eigen-coordinates, where the components
    decouple (state (K, d), gradient :math:`\lambda \odot z`); the adaptive
    ones are not rotation invariant and run in the problem's coordinates.
    For a linear method :math:`\|z_t\|` decays asymptotically like
    :math:`q^t` with :math:`q = \max_i \rho(M(\lambda_i))` over the excited
    components, which is what ``closed_form_rate`` gives and ``rate`` measures.

    Raises
    ------
    ValueError
        An empty grid, an axis that is empty, not 1-D or not finite, an
        unknown hyperparameter name or a value breaking its rule, ``steps`` < 1,
        ``max_memory`` below one setting, ``closed_form=True`` for a method
        without a closed form, and the errors of
        :func:`optheory.numeric.sweep.simulate` -- all before any work.
    """
    check_positive_int("max_memory", max_memory)
    # final_error, rate, diverged_at and the closed-form map: 8 bytes each per setting
    check_method(method, "run")
    lam_size = _components(problem)

    def check_time(settings: int) -> None:
        if lam_size is not None and kernel in KERNELS:
            check_sweep_seconds(
                method, settings, check_positive_int("steps", steps, maximum=MAX_STEPS),
                lam_size, max_seconds, kernel=str(kernel), backend=str(backend),
                device=str(device), dense_basis=not getattr(problem, "_diagonal", True),
                closed_form=bool(closed_form),
            )

    names, axes, columns = grid_columns(grid, max_memory, result_bytes=32,
                                        before_product=check_time)
    plan = plan_simulation(
        method, problem, columns, steps, convention=convention, backend=backend,
        device=device, x0=x0, max_memory=max_memory, tail=tail, kernel=kernel, chunk=chunk,
        fit_every=fit_every,
    )
    linear = method in CLOSED_FORM_METHODS
    if closed_form and not linear:
        raise ValueError(
            f"closed_form=True needs a linear method ({', '.join(CLOSED_FORM_METHODS)}); "
            f"{method} has no closed-form rate, use closed_form=False"
        )
    shape = tuple(a.size for a in axes)
    closed = (
        closed_form_rate(method, plan.hyper, _excited(plan), max_memory).reshape(shape)
        if linear
        else None
    )
    if closed_form:
        return SweepResult(
            method, convention, names, axes, plan.steps, None, None, None, closed, plan.t0,
            backend, device, "none",
        )
    out = run_plan(plan, progress, max_seconds)
    return SweepResult(
        method, convention, names, axes, plan.steps,
        out.final_error.reshape(shape), out.rate.reshape(shape),
        out.diverged_at.reshape(shape), closed, out.fit_start, backend, device, out.kernel,
    )
