"""Symbolic layer: derivations with sympy only."""
