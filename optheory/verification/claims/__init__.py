"""Claim modules; importing this package registers every claim."""

from optheory.verification.claims import (  # noqa: F401
    adaptive,
    beyond,
    demos,
    leaky,
    momentum,
    ode,
    quadratic,
)
