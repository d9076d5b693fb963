"""Worst cases beyond quadratics: performance estimation (PEPit) next to the exact quadratic theory.

Modules (each imports PEPit/cvxpy/CLARABEL only when called; they are the ``pep`` extra):

- :mod:`optheory.pep.pepit_problem`: the worst case of a linear method over a function
  class, as a PEPit problem built from the method's own step rule;
- :mod:`optheory.pep.compare`: :func:`~optheory.pep.compare.compare_rates`, the exact
  quadratic worst case and PEPit's worst cases side by side, with accuracy guards;
- :mod:`optheory.pep.state_space`: the method as a linear system ``(A, B, C)`` in
  feedback with the gradient, derived from its step rule;
- :mod:`optheory.pep.iqc`: :func:`~optheory.pep.iqc.iqc_rate`, a rate certificate over
  F(mu, L) by integral quadratic constraints (Lessard-Recht-Packard 2016);
- :mod:`optheory.pep.gram`: the same SDP as PEPit's, set up once per grid;
- :mod:`optheory.pep.reference`: PEPit one problem per cell, the baseline that
  :mod:`~optheory.pep.gram` is checked and timed against;
- :mod:`optheory.pep.maps`: :func:`~optheory.pep.maps.worst_case_map` over a grid of
  (eta, beta), on any executor, with a cache of finished cells.

Nothing is re-exported here, so that importing the package stays free of the extras.
"""
