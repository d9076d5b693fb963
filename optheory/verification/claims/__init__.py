"""Claim modules; importing this package registers every claim."""

from optheory.verification.claims import quadratic  # noqa: F401
