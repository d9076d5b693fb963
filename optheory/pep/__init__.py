"""Worst cases beyond quadratics: performance estimation (PEPit) next to the exact quadratic theory.

Modules (each imports PEPit/cvxpy only when called; they are the ``pep`` extra):

- :mod:`optheory.pep.pepit_problem`: the worst case of a linear method over a function
  class, as a PEPit problem built from the method's own step rule;
- :mod:`optheory.pep.compare`: :func:`~optheory.pep.compare.compare_rates`, the exact
  quadratic worst case and PEPit's worst cases side by side, with accuracy guards.

Nothing is re-exported here, so that importing the package stays free of the extras.
"""
