"""Claim modules; importing this package registers every claim."""

from optheory.verification.claims import demos, quadratic  # noqa: F401
