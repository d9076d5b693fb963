r"""The interactive explorer: one self-contained HTML page generated from the derivations.

``explore.html`` lets a reader move step size, momentum, the eigenvalue range
and the number of steps and watch the spectral radius, the regime, the
eigen-components' errors and the 2-D trajectory change, in the spirit of Goh,
"Why Momentum Really Works" (Distill, 2017).

No formula is typed into the page's JavaScript.  Everything the page computes
with is printed by sympy's JavaScript code printer (``sympy.printing.jscode``)
at build time from this project's derivations:

* the update map of each method: its step rule
  (:func:`optheory.symbolic.linear.method_step`, and the textbook RMSProp rule
  below) applied to symbols with the gradient :math:`\lambda x`;
* the spectral radius: :func:`optheory.analysis.rates.modulus_form`
  (the root centre :math:`h`, product :math:`p` and the derived ``Piecewise``);
* the stability region (:func:`optheory.symbolic.stability.stability_region`)
  and the curves of the :math:`(\eta\lambda, \beta)` plane
  (:func:`optheory.analysis.plane.plane_curves`);
* heavy ball's regime conditions
  (:func:`optheory.symbolic.heavy_ball.regime_conditions`);
* the minimax tuning for a range :math:`[\lambda_{\min}, \lambda_{\max}]`:
  the equations of :func:`optheory.symbolic.tuning.minimax_equations` solved by
  sympy with symbolic ends; of sympy's solutions the one that reproduces
  :func:`optheory.symbolic.tuning.optimal_parameters` at sample ranges is printed;
* the objective :math:`f(x) = \sum_i \lambda_i x_i^2 / 2` drawn under the
  trajectory.

The hand-written part of the page (:file:`assets/explore.js`) only parses the
URL fragment, draws, and calls these functions.

URL fragment (every key optional; a bad value falls back to its default and
the page says so)::

    explore.html#method=momentum&eta=0.5&beta=0.9&lam_min=1&lam_max=100&steps=200

``method`` is one of ``gd``, ``momentum``, ``nesterov``, ``rmsprop``; ``gamma``
replaces ``beta`` for ``rmsprop``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sympy as sp
from sympy.printing.jscode import jscode

from optheory._checks import check_choice, check_in_range, check_positive, check_positive_int
from optheory.numeric.run import TEXTBOOK_START
from optheory.symbolic.tuning import MAX_CONDITION

__all__ = [
    "DEFAULTS",
    "EXPLORER_FILE",
    "EXPLORER_METHODS",
    "LIMITS",
    "RATE_GRID",
    "Explorer",
    "explore",
    "explorer_fragment",
    "explorer_html",
    "explorer_script",
    "write_explorer",
]

#: file name of the explorer inside a report folder
EXPLORER_FILE = "explore.html"
#: methods offered by the explorer (the three linear ones and one adaptive)
EXPLORER_METHODS: tuple[str, ...] = ("gd", "momentum", "nesterov", "rmsprop")
#: number of eigenvalues, geometrically spaced over the range (ends included),
#: over which ``#rate`` takes the largest spectral radius
RATE_GRID = 64
#: eigenvalues whose errors the components view draws (geometric, ends included)
COMPONENTS = 5
#: start of the 2-D trajectory (the textbook's)
START: tuple[float, float] = tuple(TEXTBOOK_START)  # type: ignore[assignment]

#: the setting shown when the fragment gives none: the textbook quadratic
#: f = 0.1 x1^2 + 2 x2^2 (eigenvalues 0.2 and 4) with its momentum demo
DEFAULTS: dict[str, Any] = {
    "method": "momentum",
    "eta": 0.6,
    "beta": 0.5,
    "gamma": 0.9,
    "lam_min": 0.2,
    "lam_max": 4.0,
    "steps": 100,
}
#: accepted values of the numeric fragment keys: (low, high, low_open, high_open)
LIMITS: dict[str, tuple[float, float, bool, bool]] = {
    "eta": (0.0, 1e3, True, False),
    "beta": (0.0, 1.0, False, True),
    "gamma": (0.0, 1.0, True, True),
    "lam_min": (0.0, 1e6, True, False),
    "lam_max": (0.0, 1e6, True, False),
    "steps": (1, 5000, False, False),
}

_LABELS = {
    "gd": "gradient descent",
    "momentum": "heavy-ball momentum",
    "nesterov": "Nesterov momentum",
    "rmsprop": "RMSProp (adaptive)",
}

_LAM_MIN, _LAM_MAX = sp.symbols("lam_min lam_max", positive=True)
_X1, _X2, _LAM1, _LAM2 = sp.symbols("x1 x2 lam1 lam2", real=True)


# --------------------------------------------------------------- step rules
def _rmsprop_rule() -> tuple[Callable[..., tuple[Any, ...]], tuple[str, ...], dict[str, Any]]:
    """The textbook RMSProp step (section "RMSProp") in the calling form of ``method_step``.

    :math:`s \\leftarrow \\gamma s + (1 - \\gamma) g^2`,
    :math:`x \\leftarrow x - \\eta g / \\sqrt{s + \\epsilon}`, with the textbook
    convention's default :math:`\\epsilon` from the numeric method registry.
    """
    from optheory.numeric.optimizers import get_method
    from optheory.symbolic.linear import ETA

    gamma = sp.Symbol("gamma", positive=True)
    eps_default = float(next(
        h.default for h in get_method("rmsprop").hypers if h.name == "eps" and h.default is not None
    ))
    eps = sp.Float(repr(eps_default))

    def step(state: tuple[Any, ...], grad: Callable[[Any], Any]) -> tuple[Any, ...]:
        s, x = state
        g = grad(x)
        s_next = gamma * s + (1 - gamma) * g**2
        return (s_next, x - ETA * g / sp.sqrt(s_next + eps))

    return step, ("s", "x"), {"eps": eps_default}


def _step_rule(method: str) -> tuple[Callable[..., tuple[Any, ...]], tuple[str, ...]]:
    from optheory.symbolic.linear import method_step

    if method == "rmsprop":
        step, names, _ = _rmsprop_rule()
        return step, names
    return method_step(method)


# --------------------------------------------------------------- printing
def _js(expr: Any) -> str:
    """One JavaScript expression for a sympy expression or boolean (no newlines)."""
    if isinstance(expr, bool):
        expr = sp.true if expr else sp.false
    elif isinstance(expr, int | float):
        expr = sp.Integer(expr) if isinstance(expr, int) else sp.Float(expr)
    if not isinstance(expr, sp.Basic):
        raise TypeError(f"expected a sympy expression, got {type(expr).__name__}")
    code = jscode(expr)
    return " ".join(line.strip() for line in code.splitlines())


def _function(args: Sequence[str], body: str) -> str:
    return f"function ({', '.join(args)}) {{ return {body}; }}"


def _step_js(method: str) -> tuple[str, tuple[str, ...]]:
    from optheory.symbolic.linear import LAM

    step, names = _step_rule(method)
    state = tuple(sp.Symbol(n, real=True) for n in names)
    nxt = step(state, lambda x: LAM * x)
    unpack = f"const [{', '.join(names)}] = state;"
    body = ", ".join(_js(e) for e in nxt)
    params = ("gamma",) if method == "rmsprop" else ("beta",)
    return (
        f"function (state, eta, lam, {params[0]}) {{ {unpack} return [{body}]; }}",
        names,
    )


def _radius_js(method: str) -> str:
    from optheory.analysis.rates import CENTER, PRODUCT, modulus_form

    form = modulus_form(method)
    if form.radius.free_symbols - {CENTER, PRODUCT}:  # pragma: no cover - by construction
        raise RuntimeError("the radius must depend on h and p only")
    return (
        "function (eta, lam, beta) { "
        f"const h = {_js(form.center)}; const p = {_js(form.product)}; "
        f"return {_js(form.radius)}; }}"
    )


def _stable_js(method: str) -> str:
    from optheory.symbolic.linear import iteration_matrix, method_update
    from optheory.symbolic.stability import stability_region

    region = stability_region(iteration_matrix(*method_update(method)))
    return _function(("eta", "lam", "beta"), _js(region))


def _curves_js(method: str) -> str:
    from optheory.analysis.plane import U, plane_curves

    items = []
    for curve in plane_curves(method):
        fn = _function((str(U),), _js(curve.expr))
        items.append(
            f"{{kind: {json.dumps(curve.kind)}, vertical: {json.dumps(curve.vertical)}, "
            f"f: {fn}, tex: {json.dumps(sp.latex(curve.expr))}}}"
        )
    return "[" + ", ".join(items) + "]"


def _regimes_js() -> str:
    from optheory.symbolic.heavy_ball import REGIMES, regime_conditions

    conds = regime_conditions()
    items = [
        f"[{json.dumps(name)}, {_function(('eta', 'lam', 'beta'), _js(conds[name]))}]"
        for name in REGIMES
    ]
    return "[" + ", ".join(items) + "]"


@cache
def _optimal_solution(method: str) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """(eta, beta, rate) in ``lam_min``, ``lam_max``: sympy's solution of the minimax equations
    that reproduces :func:`optimal_parameters` at sample ranges.

    The equations are solved for symbolic ends :math:`\\lambda_{\\min} = a^2`,
    :math:`\\lambda_{\\max} = b^2` (no radicals of the ends: faster, and the
    factored result avoids cancellation, e.g. heavy ball's step
    :math:`4 / (a + b)^2`); then :math:`a, b` become the square roots again.
    """
    from optheory.symbolic.linear import BETA, ETA
    from optheory.symbolic.tuning import _polynomial, minimax_equations, optimal_parameters

    _, params = _polynomial(method)
    rate = sp.Symbol("r", real=True)
    a, b = sp.symbols("a b", positive=True)
    found = sp.solve(minimax_equations(method, a**2, b**2), [*params, rate], dict=True)
    back = {a: sp.sqrt(_LAM_MIN), b: sp.sqrt(_LAM_MAX)}
    samples = [(1, 10), (sp.Rational(1, 5), 4)]
    refs = [optimal_parameters(method, m, big) for m, big in samples]
    matches = []
    for sol in found:
        triple = tuple(
            sp.factor(sol.get(s, sp.Integer(0))).subs(back) for s in (ETA, BETA, rate)
        )
        ok = all(
            abs(sp.N(e.subs({_LAM_MIN: m, _LAM_MAX: big}) - ref[key], 30)) < 1e-25
            for (m, big), ref in zip(samples, refs, strict=True)
            for e, key in zip(triple, ("eta", "beta", "rate"), strict=True)
        )
        if ok:
            matches.append(triple)
    if len(matches) != 1:  # pragma: no cover - would mean the tuning changed its form
        raise RuntimeError(f"{method}: {len(matches)} symbolic tunings match optimal_parameters")
    return matches[0]  # type: ignore[return-value]


def _optimal_js(method: str) -> str:
    eta, beta, rate = _optimal_solution(method)
    args = (str(_LAM_MIN), str(_LAM_MAX))
    return (
        f"{{eta: {_function(args, _js(eta))}, beta: {_function(args, _js(beta))}, "
        f"rate: {_function(args, _js(rate))}}}"
    )


def _objective_js() -> str:
    f = _LAM1 * _X1**2 / 2 + _LAM2 * _X2**2 / 2
    return _function(("x1", "x2", "lam1", "lam2"), _js(f))


@cache
def explorer_script() -> str:
    """The generated JavaScript: ``window.OPTHEORY_DERIVED``, printed from sympy.

    Returns
    -------
    str
        One JavaScript statement assigning an object with, per method, the
        update map ``step``, and for the linear methods ``radius``, ``stable``,
        ``curves`` and ``optimal``; heavy ball's ``regimes``; the ``objective``;
        the defaults and limits of the URL fragment.
    """
    from optheory.analysis.rates import RATE_METHODS

    methods = []
    for method in EXPLORER_METHODS:
        step, names = _step_js(method)
        parts = [
            f"label: {json.dumps(_LABELS[method])}",
            f"state: {json.dumps(list(names))}",
            f"step: {step}",
            f"param: {json.dumps('gamma' if method == 'rmsprop' else 'beta')}",
            f"linear: {json.dumps(method in RATE_METHODS)}",
            f"momentum: {json.dumps(method not in ('gd',))}",
        ]
        if method in RATE_METHODS:
            parts += [
                f"radius: {_radius_js(method)}",
                f"stable: {_stable_js(method)}",
                f"curves: {_curves_js(method)}",
                f"optimal: {_optimal_js(method)}",
            ]
        if method == "rmsprop":
            parts.append(f"constants: {json.dumps(_rmsprop_rule()[2])}")
        methods.append(f"{json.dumps(method)}: {{{', '.join(parts)}}}")
    config = {
        "defaults": DEFAULTS,
        "limits": {k: list(v) for k, v in LIMITS.items()},
        "maxCondition": MAX_CONDITION,
        "rateGrid": RATE_GRID,
        "components": COMPONENTS,
        "start": list(START),
        "order": list(EXPLORER_METHODS),
    }
    joined = ",\n".join(methods)
    return (
        "window.OPTHEORY_DERIVED = {\n"
        f"methods: {{\n{joined}\n}},\n"
        f"regimes: {_regimes_js()},\n"
        f"objective: {_objective_js()},\n"
        f"config: {json.dumps(config)}\n"
        "};\n"
    )


# --------------------------------------------------------------- the page
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:"
)


def _asset(name: str) -> str:
    return resources.files("optheory.report").joinpath("assets", name).read_text("utf-8")


def _nav_html(nav: Sequence[tuple[str, str]]) -> str:
    from optheory.report.render_html import _nav

    return _nav(nav, "explore")


def explorer_html(nav: Sequence[tuple[str, str]] = (), initial: str = "") -> str:
    """The complete explorer page (self-contained: inline CSS and JavaScript, no network).

    Parameters
    ----------
    nav : sequence of (slug, title)
        The report's pages, for the navigation bar.
    initial : str
        Fragment used when the page's own URL has none (as from
        :func:`explorer_fragment`); ``""`` for the defaults.

    Returns
    -------
    str
        The HTML document.
    """
    initial_js = json.dumps(initial).replace("<", "\\u003c")
    body = _asset("explore.html").replace("{{NAV}}", _nav_html(nav))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>optheory explorer</title>\n"
        f"<style>\n{_asset('explore.css')}\n</style>\n</head>\n<body>\n{body}\n"
        f"<script>\n{explorer_script()}window.OPTHEORY_INITIAL = {initial_js};\n</script>\n"
        f"<script>\n{_asset('explore.js')}\n</script>\n</body>\n</html>\n"
    )


def write_explorer(directory: str | Path, nav: Sequence[tuple[str, str]] = ()) -> Path:
    """Write :data:`EXPLORER_FILE` into ``directory``; return its path."""
    path = Path(directory) / EXPLORER_FILE
    path.write_bytes(explorer_html(nav).encode("utf-8"))
    return path


# --------------------------------------------------------------- notebooks
def _number_text(value: float) -> str:
    """Shortest text that reads back as the same float (``1`` rather than ``1.0``)."""
    v = float(value)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v).replace("e-0", "e-").replace("e+0", "e+")


def explorer_fragment(
    method: str = DEFAULTS["method"],
    eta: float | None = None,
    beta: float | None = None,
    *,
    gamma: float | None = None,
    lam_min: float = DEFAULTS["lam_min"],
    lam_max: float = DEFAULTS["lam_max"],
    steps: int = DEFAULTS["steps"],
) -> str:
    """The URL fragment (without ``#``) of an explorer setting, checked as the page checks it.

    Parameters
    ----------
    method : {"gd", "momentum", "nesterov", "rmsprop"}
    eta : float, optional
        Step size in (0, 1000]; default 0.6.
    beta : float, optional
        Momentum in [0, 1) (momentum, nesterov); default 0.5.
    gamma : float, optional
        RMSProp's decay in (0, 1); default 0.9.
    lam_min, lam_max : float
        Eigenvalue range, 0 < lam_min < lam_max <= 1e6, ratio at most 1e12.
    steps : int
        Number of steps, 1..5000.

    Returns
    -------
    str
        E.g. ``"method=momentum&eta=0.5&beta=0.9&lam_min=1.0&lam_max=100.0&steps=200"``.

    Raises
    ------
    ValueError
        A value outside the ranges above, or ``beta`` / ``gamma`` given for a
        method that does not use it.
    """
    check_choice("method", method, EXPLORER_METHODS)
    if method == "gd" and beta not in (None, 0, 0.0):
        raise ValueError("beta must be 0 or omitted for method 'gd' (it has no momentum)")
    if method != "rmsprop" and gamma is not None:
        raise ValueError(f"gamma applies to method 'rmsprop' only, not {method!r}")
    if method == "rmsprop" and beta is not None:
        raise ValueError("method 'rmsprop' takes gamma (its decay), not beta")
    values: dict[str, Any] = {
        "eta": DEFAULTS["eta"] if eta is None else eta,
        "lam_min": lam_min,
        "lam_max": lam_max,
    }
    if method in ("momentum", "nesterov"):
        values["beta"] = DEFAULTS["beta"] if beta is None else beta
    if method == "rmsprop":
        values["gamma"] = DEFAULTS["gamma"] if gamma is None else gamma
    for key, value in values.items():
        low, high, low_open, high_open = LIMITS[key]
        check_in_range(key, value, low, high, low_open=low_open, high_open=high_open)
    n = check_positive_int("steps", steps, maximum=int(LIMITS["steps"][1]))
    check_positive("lam_min", lam_min)
    if not float(lam_min) < float(lam_max):
        raise ValueError(f"lam_min must be < lam_max, got {lam_min} and {lam_max}")
    if float(lam_max) / float(lam_min) > MAX_CONDITION:
        raise ValueError(f"lam_max / lam_min must be at most {MAX_CONDITION:.0e}")
    parts = [f"method={method}"]
    parts += [f"{k}={quote(_number_text(v))}" for k, v in values.items() if k in ("eta",)]
    parts += [f"{k}={quote(_number_text(values[k]))}" for k in ("beta", "gamma") if k in values]
    parts += [f"{k}={quote(_number_text(values[k]))}" for k in ("lam_min", "lam_max")]
    parts.append(f"steps={n}")
    return "&".join(parts)


@dataclass(frozen=True)
class Explorer:
    """The explorer at one setting, for notebooks: displays itself inline (no server).

    Attributes
    ----------
    fragment : str
        The setting as a URL fragment (see :func:`explorer_fragment`).
    """

    fragment: str

    @property
    def html(self) -> str:
        """The stand-alone page, opening at :attr:`fragment`."""
        return explorer_html((), self.fragment)

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (atomically); return the path."""
        from optheory._io import atomic_write_text

        out = Path(path)
        atomic_write_text(out, self.html)
        return out

    def _repr_html_(self) -> str:
        doc = html.escape(self.html, quote=True)
        return (
            f'<iframe srcdoc="{doc}" title="optheory explorer" '
            'style="width: 100%; height: 1250px; border: 1px solid #ccc;"></iframe>'
        )

    def __repr__(self) -> str:
        return f"Explorer(#{self.fragment})"


def explore(
    method: str = DEFAULTS["method"],
    eta: float | None = None,
    beta: float | None = None,
    *,
    gamma: float | None = None,
    lam_min: float = DEFAULTS["lam_min"],
    lam_max: float = DEFAULTS["lam_max"],
    steps: int = DEFAULTS["steps"],
) -> Explorer:
    """The interactive explorer at a setting, shown inline in Jupyter.

    Parameters are those of :func:`explorer_fragment`.

    Returns
    -------
    Explorer
        Displays the generated page in an ``iframe`` (``srcdoc``: no server, no
        network); ``.save(path)`` writes it as a file.

    Raises
    ------
    ValueError
        As :func:`explorer_fragment`.

    Examples
    --------
    >>> import optheory as ot
    >>> ot.explore("momentum", eta=0.5, beta=0.9, lam_min=1, lam_max=100)  # doctest: +SKIP
    """
    return Explorer(
        explorer_fragment(method, eta, beta, gamma=gamma, lam_min=lam_min, lam_max=lam_max,
                          steps=steps)
    )

