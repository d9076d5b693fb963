"""Package-level contracts: light import, exports, py.typed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import optheory


def test_import_is_light() -> None:
    code = (
        "import sys, optheory; "
        "print(' '.join(m for m in ('torch', 'matplotlib') if m in sys.modules))"
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
