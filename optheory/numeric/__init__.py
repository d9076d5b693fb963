"""Numeric layer: numpy (and torch, imported lazily) problems and optimizers."""
