"""Shared test helpers.

``require_torch()`` returns the torch module; when torch is missing it skips the
test, unless ``OPTHEORY_REQUIRE_TORCH=1`` (as in CI), where it fails instead.
``require_numba()`` does the same for numba (the ``fast`` extra) with
``OPTHEORY_REQUIRE_NUMBA=1``.
"""

from __future__ import annotations

import os
from types import ModuleType

import pytest

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "shared")
DATA_PATH = os.path.abspath(os.path.join(SHARED, "data", "airfoil_self_noise.dat"))


def require_torch() -> ModuleType:
    try:
        import torch
    except ImportError:
        if os.environ.get("OPTHEORY_REQUIRE_TORCH") == "1":
            pytest.fail("torch is required (OPTHEORY_REQUIRE_TORCH=1) but cannot be imported")
        pytest.skip("torch is not installed")
    return torch


def require_numba() -> None:
    from optheory.numeric.compiled import numba_available

    if not numba_available():
        if os.environ.get("OPTHEORY_REQUIRE_NUMBA") == "1":
            pytest.fail("numba is required (OPTHEORY_REQUIRE_NUMBA=1) but is not installed")
        pytest.skip("numba is not installed (pip install 'optheory[fast]')")


def cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


@pytest.fixture
def torch_module() -> ModuleType:
    return require_torch()


def require_airfoil() -> str:
    """Path of the chapter's data set in ../shared/data; skip the test when it is absent."""
    if not os.path.isfile(DATA_PATH):
        pytest.skip(f"{DATA_PATH} is not present")
    return DATA_PATH


def pytest_sessionstart(session: pytest.Session) -> None:
    # CI sets OPTHEORY_REQUIRE_DATA=1: a missing data set must fail, not skip tests.
    if os.environ.get("OPTHEORY_REQUIRE_DATA") == "1" and not os.path.isfile(DATA_PATH):
        raise pytest.UsageError(
            f"OPTHEORY_REQUIRE_DATA=1 but the data set {DATA_PATH} is missing"
        )

