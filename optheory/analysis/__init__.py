"""Analysis layer: symbolic results evaluated numerically (uses both sibling layers)."""
