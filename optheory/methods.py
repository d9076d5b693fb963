"""The one method registry: which optimizer names each part of optheory accepts, and why.

Every public function that takes a method name checks it here with
:func:`check_method`, so the same name means the same update rule everywhere
and a refusal says *why* a method does not fit (for example "adam is not
linear on quadratics: no spectral radius") instead of only listing names.

A method has *capabilities*:

``linear``
    Its update on :math:`f(x) = \\lambda x^2/2` is a linear map of its state, written
    as a step rule in :mod:`optheory.symbolic.linear`: iteration matrix,
    stability region (Jury), regimes.
``rate``
    The spectral radius of that matrix in closed form
    (:func:`optheory.analysis.rates.spectral_radius`, ``spectral_radius_map``,
    ``optheory radius``).
``tune``
    Minimax step size and momentum on an eigenvalue interval
    (:func:`optheory.symbolic.tuning.optimal_parameters`, ``optheory tune``).
``run``
    A numeric optimizer (:func:`optheory.numeric.run.run`, sweeps, ``optheory run``).
``torch``
    A ``torch.optim`` class to run for comparison (``impl="torch"``).

This module imports nothing but the standard library: the symbolic and the
numeric layers both read it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CAPABILITIES",
    "MethodInfo",
    "REGISTRY",
    "check_method",
    "method_names",
    "methods_with",
]

#: Capability name -> what it means, as a refusal reads it.
CAPABILITIES: dict[str, str] = {
    "linear": "a linear update rule on quadratics (iteration matrix, stability region, regimes)",
    "rate": "a closed-form spectral radius",
    "tune": "a minimax tuning on an eigenvalue interval",
    "run": "a numeric optimizer",
    "torch": "a torch.optim class",
}

_NOT_LINEAR = (
    "is not linear on quadratics (it divides by a running average of squared "
    "gradients): no iteration matrix, no spectral radius, no stability region"
)
_SYMBOLIC_ONLY = (
    "is an update rule of the symbolic engine only, with no numeric optimizer; "
    "{alias}"
)


@dataclass(frozen=True)
class MethodInfo:
    """One method: its update rule in words, its capabilities and the reasons it lacks others.

    Attributes
    ----------
    name : str
    summary : str
        The update rule in one line (textbook convention).
    capabilities : frozenset of str
        Subset of :data:`CAPABILITIES`.
    why_not : dict
        Capability -> the reason the method lacks it, as a predicate of the method
        (one line, e.g. ``"is not linear on quadratics ..."``).
    """

    name: str
    summary: str
    capabilities: frozenset[str]
    why_not: dict[str, str]

    def reason(self, capability: str) -> str:
        """Why this method lacks ``capability``, as a predicate ("is not linear ...")."""
        return self.why_not.get(capability, f"has no {CAPABILITIES.get(capability, capability)}")


def _linear(name: str, summary: str, *, run: bool, alias: str = "") -> MethodInfo:
    caps = {"linear", "rate", "tune"} | ({"run", "torch"} if run else set())
    why = {} if run else {
        c: _SYMBOLIC_ONLY.format(alias=alias) for c in ("run", "torch")
    }
    return MethodInfo(name, summary, frozenset(caps), why)


def _adaptive(name: str, summary: str, *, torch: bool = True) -> MethodInfo:
    caps = {"run"} | ({"torch"} if torch else set())
    why = {c: _NOT_LINEAR for c in ("linear", "rate", "tune")}
    if not torch:
        why["torch"] = "has no torch.optim class; run it with the own implementation"
    return MethodInfo(name, summary, frozenset(caps), why)


#: Every method, in the order listings show them.
REGISTRY: dict[str, MethodInfo] = {
    m.name: m
    for m in (
        _linear("gd", "x <- x - eta g", run=True),
        _linear("momentum", "v <- beta v + g; x <- x - eta v", run=True),
        _linear("nesterov", "b <- beta b + g; x <- x - eta (g + beta b)", run=True),
        _linear(
            "polyak", "x+ = x - eta g + beta (x - x_prev)", run=False,
            alias="its iterates x are those of momentum with the same eta and beta",
        ),
        _linear(
            "ema", "v <- beta v + (1 - beta) g; x <- x - eta v", run=False,
            alias="its iterates x are those of momentum with step eta (1 - beta)",
        ),
        _adaptive("adagrad", "s <- s + g^2; x <- x - eta g / sqrt(s + eps)"),
        _adaptive("rmsprop", "s <- gamma s + (1 - gamma) g^2; x <- x - eta g / sqrt(s + eps)"),
        _adaptive("adadelta", "s <- rho s + (1 - rho) g^2; rescaled step from a second average"),
        _adaptive("adam", "first and second moment averages, bias-corrected"),
        _adaptive("amsgrad", "adam with the running maximum of the second moment"),
        _adaptive("yogi", "adam with an additive second-moment update", torch=False),
    )
}


def method_names() -> tuple[str, ...]:
    """Every registered method name."""
    return tuple(REGISTRY)


def methods_with(*capabilities: str) -> tuple[str, ...]:
    """The methods having every one of ``capabilities``, in registry order.

    Raises
    ------
    ValueError
        An unknown capability name.
    """
    for cap in capabilities:
        if cap not in CAPABILITIES:
            raise ValueError(f"unknown capability {cap!r}; choose one of: {', '.join(CAPABILITIES)}")
    return tuple(n for n, m in REGISTRY.items() if set(capabilities) <= m.capabilities)


def check_method(
    name: object, *capabilities: str, what: str = "method", among: tuple[str, ...] | None = None
) -> str:
    """Return ``name`` when it is a method with all ``capabilities``; else a one-line ValueError.

    Parameters
    ----------
    name : object
        The name to check.
    *capabilities : str
        Keys of :data:`CAPABILITIES` the caller needs.
    what : str
        How the message names the parameter (``"method"``, ``"METHOD"``).
    among : tuple of str, optional
        The methods the caller supports, when fewer than those having the
        capabilities; the message then lists only these.

    Raises
    ------
    ValueError
        ``unknown method 'x'; choose one of: ...`` for a name not in the
        registry; for a known method lacking a capability, the reason and the
        methods that are accepted in that place.
    """
    accepted = methods_with(*capabilities)
    if among is not None:
        accepted = tuple(m for m in accepted if m in among)
    if not isinstance(name, str) or name not in REGISTRY:
        raise ValueError(f"unknown {what} {name!r}; choose one of: {', '.join(accepted)}")
    info = REGISTRY[name]
    missing = [c for c in capabilities if c not in info.capabilities]
    if missing:
        raise ValueError(
            f"{what} {name!r} {info.reason(missing[0])}; accepted here: {', '.join(accepted)}"
        )
    if name not in accepted:
        raise ValueError(f"{what} {name!r} is not supported here; accepted here: {', '.join(accepted)}")
    return name
