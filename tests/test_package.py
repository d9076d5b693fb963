"""Package-level contracts: light import, exports, py.typed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import optheory


def test_import_is_light() -> None:
    code = (
        "import sys, optheory; "
        "print(' '.join(m for m in ('torch', 'matplotlib', 'numba') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    assert out.stderr == ""


def test_every_export_resolves() -> None:
    for name in optheory.__all__:
        assert getattr(optheory, name) is not None, name


def test_unknown_attribute() -> None:
    try:
        optheory.does_not_exist  # noqa: B018
    except AttributeError as exc:
        assert "does_not_exist" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_py_typed_shipped() -> None:
    assert (Path(optheory.__file__).parent / "py.typed").exists()


def test_sweep_modules_import_without_numba() -> None:
    # numba is optional (the "fast" extra): loading the sweep and map modules, and
    # planning a sweep, must not import it; only a compiled kernel's first call does
    code = (
        "import sys\n"
        "from optheory.analysis.sweep_maps import spectral_radius_map\n"
        "from optheory.numeric.sweep import plan_simulation\n"
        "from optheory.numeric.problems import EigenQuadratic\n"
        "plan_simulation('gd', EigenQuadratic([1.0]), {'eta': [0.1]}, 5)\n"
        "spectral_radius_map('momentum', [0.1, 0.2], 1.0, 0.5)\n"
        "print('numba' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
