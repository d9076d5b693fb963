"""Optional dependencies: import them on demand, or say which extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["MissingExtraError", "require"]


class MissingExtraError(ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


def require(module: str, extra: str, *, purpose: str) -> ModuleType:
    """Import ``module`` or raise a one-line :class:`MissingExtraError`.

    Parameters
    ----------
    module : str
        The importable name, e.g. ``"PEPit"`` or ``"dask.distributed"``.
    extra : str
        The optheory extra that installs it, e.g. ``"pep"``.
    purpose : str
        What needs it, for the message (``"compare_rates"``).

    Raises
    ------
    MissingExtraError
        ``module`` cannot be imported.
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(
            f"{purpose} needs the optional package {module.split('.')[0]!r}: "
            f"install it with pip install 'optheory[{extra}]'"
        ) from None
