r"""A linear update rule written by the user, turned into an update map for the Jury engine.

The text is a sequence of assignments separated by ``;`` or new lines, e.g.
``"v = beta*v + grad(x); x = x - eta*v"``.  The assignments run in order
(``x`` above reads the *new* ``v``); ``grad(expr)`` is the gradient of the
scalar quadratic :math:`f(x) = \lambda x^2/2` at ``expr``, i.e.
``lam*(expr)``.  The state is the set of assigned names whose value before the
step is read; an assigned name whose old value is never read is a temporary.

Each right-hand side goes through the safe parser
(:func:`optheory.symbolic.parse.parse_expression`); nothing is evaluated.  The
parameters ``eta`` and ``lam`` are the positive symbols of
:mod:`optheory.symbolic.linear`, ``beta`` its real symbol, so a rule that
spells out a named method gets the same region as the method.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from optheory.symbolic.linear import BETA, ETA, LAM, iteration_matrix
from optheory.symbolic.parse import parse_expression

__all__ = ["MAX_ASSIGNMENTS", "MAX_RULE_LENGTH", "PARAMETERS", "UpdateRule", "parse_update_rule"]

#: Names a rule may read without assigning them: the hyperparameters.
PARAMETERS: dict[str, sp.Symbol] = {
    "eta": ETA,
    "beta": BETA,
    "lam": LAM,
    "alpha": sp.Symbol("alpha", real=True),
    "gamma": sp.Symbol("gamma", real=True),
    "mu": sp.Symbol("mu", real=True),
}
#: Longest accepted rule, in characters.
MAX_RULE_LENGTH = 2000
#: Most assignments in one rule (the state size is at most this).
MAX_ASSIGNMENTS = 8

_TARGET = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*=(?!=)(.*)$", re.S)
_GRAD = re.compile(r"\bgrad\s*\(")


@dataclass(frozen=True)
class UpdateRule:
    """A parsed rule.

    Attributes
    ----------
    update : dict
        State symbol -> its value after one step, in the state before it.
    state : tuple of sympy.Symbol
        The state, in the order the names are first assigned.
    temporaries : tuple of str
        Assigned names whose old value is never read.
    """

    update: dict[sp.Symbol, sp.Expr]
    state: tuple[sp.Symbol, ...]
    temporaries: tuple[str, ...]

    def matrix(self) -> sp.Matrix:
        """The iteration matrix (see :func:`optheory.symbolic.linear.iteration_matrix`)."""
        return iteration_matrix(self.update, self.state)


def _expand_grad(text: str) -> str:
    """Rewrite every ``grad(e)`` as ``(lam*(e))`` (nested calls too); the text stays text."""
    out = text
    for _ in range(64):
        match = _GRAD.search(out)
        if match is None:
            return out
        depth, end = 1, match.end()
        while end < len(out) and depth:
            depth += {"(": 1, ")": -1}.get(out[end], 0)
            end += 1
        if depth:
            raise ValueError("grad( has no closing bracket")
        inner = out[match.end() : end - 1]
        if not inner.strip() or "," in inner:
            raise ValueError("grad takes one expression, e.g. grad(x)")
        out = f"{out[: match.start()]}(lam*({inner})){out[end:]}"
    raise ValueError("too many grad( calls")


def parse_update_rule(text: str, name: str = "step") -> UpdateRule:
    """Parse a linear update rule.

    Parameters
    ----------
    text : str
        Assignments ``name = expression`` separated by ``;`` or new lines.
    name : str
        How error messages name the input (e.g. ``"--step"``).

    Returns
    -------
    UpdateRule

    Raises
    ------
    ValueError
        One line naming ``name``: text too long, not an assignment, a target
        that is a parameter or assigned twice, an expression the safe parser
        rejects, a read of a name that is neither assigned nor a parameter
        (:data:`PARAMETERS`), or an update that is not linear in the state.
    """
    if not isinstance(text, str):
        raise ValueError(f"{name} must be text such as 'x = x - eta*grad(x)'")
    if len(text) > MAX_RULE_LENGTH:
        raise ValueError(f"{name} is longer than {MAX_RULE_LENGTH} characters")
    parts = [p for p in re.split(r"[;\n]", text) if p.strip()]
    if not parts:
        raise ValueError(f"{name} is empty; write e.g. 'x = x - eta*grad(x)'")
    if len(parts) > MAX_ASSIGNMENTS:
        raise ValueError(f"{name} has {len(parts)} assignments; at most {MAX_ASSIGNMENTS}")
    assignments: list[tuple[str, str]] = []
    for part in parts:
        match = _TARGET.match(part)
        if match is None:
            raise ValueError(
                f"{name}: {part.strip()[:40]!r} is not an assignment 'name = expression'"
            )
        target, rhs = match.group(1), match.group(2).strip()
        if target in PARAMETERS or target == "grad":
            raise ValueError(f"{name}: {target!r} is a parameter name; assign a state variable")
        assignments.append((target, rhs))
    assigned = list(dict.fromkeys(t for t, _ in assignments))
    if len(assigned) != len(assignments):
        twice = next(t for t in assigned if sum(a == t for a, _ in assignments) > 1)
        raise ValueError(f"{name}: {twice!r} is assigned twice; assign each name once")
    allowed = [*assigned, *PARAMETERS]
    old = {t: sp.Symbol(t, real=True) for t in assigned}
    params = {sp.Symbol(k, real=True): v for k, v in PARAMETERS.items()}
    current: dict[sp.Symbol, sp.Expr] = dict(zip(old.values(), old.values(), strict=True))
    for target, rhs in assignments:
        where = f"{name} ({target} = ...)"
        try:
            expr = parse_expression(_expand_grad(rhs), variables=allowed)
        except ValueError as exc:
            message = str(exc)
            unknown = re.search(r"unknown variable '(\w+)'", message)
            if unknown:
                raise ValueError(
                    f"{where} reads {unknown.group(1)!r}, which is never assigned and is not a "
                    f"parameter ({', '.join(PARAMETERS)}); assign it or rename it"
                ) from None
            if "'^'" in message:
                message += "; write powers with ** (beta**2)"
            raise ValueError(f"{where}: {message}") from None
        current[old[target]] = sp.expand(expr.xreplace(params).xreplace(current))
    final = {old[t]: current[old[t]] for t in assigned}
    read = set().union(*(e.free_symbols for e in final.values()))
    state = tuple(old[t] for t in assigned if old[t] in read)
    temporaries = tuple(t for t in assigned if old[t] not in read)
    if not state:
        raise ValueError(f"{name}: no assigned name is read by the step, so there is no state")
    update = {s: final[s] for s in state}
    try:
        R = iteration_matrix(update, state)
    except ValueError as exc:
        raise ValueError(f"{name} is not linear in the state: {_reason(exc)}") from None
    symbols = tuple(PARAMETERS.values())
    for entry in R:
        if entry.free_symbols & set(state) or not entry.is_polynomial(*symbols):
            raise ValueError(
                f"{name} is not linear in the state with coefficients polynomial in the "
                f"parameters: the iteration matrix has the entry {str(entry)[:60]}"
            )
    return UpdateRule(update, state, temporaries)


def _reason(exc: ValueError) -> str:
    """The linearity failure of :func:`iteration_matrix` in the rule's words."""
    text = str(exc)
    second = re.search(r"update of (\w+) is not linear in the state: d2/d(\w+)d(\w+)", text)
    if second:
        target, a, b = second.groups()
        return (f"the new {target} has a nonzero second derivative in {a} and {b} (a product, "
                "power or function of state variables); write sums of state variables "
                "times parameters")
    constant = re.search(r"update of (\w+) is not linear in the state: it has a constant part", text)
    if constant:
        return f"the new {constant.group(1)} has a constant part; drop the constant"
    return text
