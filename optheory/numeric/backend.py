"""Array backends: numpy, or torch (imported lazily) on "cpu" or "cuda".

Every numeric routine receives arrays of one backend and works through the
small set of helpers here, so the same code runs on numpy and on torch.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from optheory._checks import check_choice

__all__ = [
    "BACKENDS",
    "PARALLEL_MIN_ELEMENTS",
    "torch_available",
    "torch_cpu_threads",
    "as_array",
    "backend_of",
    "check_backend",
    "import_torch",
    "to_numpy",
]

BACKENDS = ("numpy", "torch")


def import_torch() -> Any:
    """Import torch, or raise a one-line ValueError saying how to get it."""
    try:
        import torch
    except ImportError:  # pragma: no cover - exercised only without torch
        raise ValueError(
            "backend 'torch' needs PyTorch; install it with: pip install 'optheory[torch]'"
        ) from None
    return torch


def torch_available() -> bool:
    """True when torch can be imported (imports it if so)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def check_backend(backend: str, device: str = "cpu") -> tuple[str, str]:
    """Validate a (backend, device) pair and return it.

    Raises
    ------
    ValueError
        Unknown backend, a device other than "cpu" for numpy, an unknown
        device, or "cuda" when no GPU is available.
    """
    check_choice("backend", backend, BACKENDS)
    if not isinstance(device, str):
        raise ValueError(f"device must be a string such as 'cpu' or 'cuda', got {device!r}")
    kind = device.split(":", 1)[0]
    check_choice("device", kind, ("cpu", "cuda"))
    if backend == "numpy" and kind != "cpu":
        raise ValueError(f"device {device!r} needs backend='torch'; numpy runs on 'cpu' only")
    if kind == "cuda":
        torch = import_torch()
        if not torch.cuda.is_available():
            raise ValueError("device 'cuda' requested but no CUDA GPU is available; use device='cpu'")
    return backend, device


def as_array(x: Any, backend: str = "numpy", device: str = "cpu", dtype: str = "float64") -> Any:
    """Convert ``x`` to a float array of the given backend, device and dtype."""
    if backend == "numpy":
        if _is_torch_tensor(x):
            x = x.detach().cpu().numpy()
        return np.asarray(x, dtype=dtype)
    torch = import_torch()
    tdtype = getattr(torch, dtype)
    if isinstance(x, torch.Tensor):
        return x.to(device=device, dtype=tdtype)
    return torch.as_tensor(np.asarray(x, dtype=dtype), dtype=tdtype, device=device)


def to_numpy(x: Any) -> np.ndarray:
    """Return ``x`` as a numpy array (moving torch tensors to the CPU)."""
    if _is_torch_tensor(x):
        return np.asarray(x.detach().cpu().numpy())
    return np.asarray(x)


def backend_of(x: Any) -> str:
    """"torch" for a torch tensor, else "numpy"."""
    return "torch" if _is_torch_tensor(x) else "numpy"


def _is_torch_tensor(x: Any) -> bool:
    # Checking the class name avoids importing torch for numpy inputs.
    return type(x).__module__.startswith("torch") and hasattr(x, "detach")


#: Elements per array operation below which torch's CPU work runs on one thread:
#: splitting such operations over threads costs more than it saves (a heavy-ball
#: sweep of 64 x 64 settings on 100 eigenvalues ran 45 times slower with torch's
#: default of 2 threads than with 1 on a 2-core machine).
PARALLEL_MIN_ELEMENTS = 1 << 22


@contextmanager
def torch_cpu_threads(elements: int, device: str = "cpu") -> Iterator[None]:
    """Run the block with a torch CPU thread count chosen for ``elements`` per operation.

    One thread below :data:`PARALLEL_MIN_ELEMENTS` on the CPU, else torch's
    setting unchanged; the previous count is restored afterwards.  Does
    nothing for CUDA or when torch is not installed.
    """
    if device != "cpu" or elements >= PARALLEL_MIN_ELEMENTS or not torch_available():
        yield
        return
    torch = import_torch()
    previous = torch.get_num_threads()
    if previous == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
