"""Worst cases over function classes: PEPs, IQC rate certificates and maps (extra ``pep``).

Nothing here is imported by ``import optheory``; the modules import cvxpy and
CLARABEL only when a solve runs, and say which extra to install otherwise.
"""
