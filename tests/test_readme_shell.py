"""The README's "Questions you can ask from the shell" is the output of real runs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "readme_shell.py"


@pytest.mark.slow
def test_readme_section_matches_fresh_runs() -> None:
    spec = importlib.util.spec_from_file_location("readme_shell", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.README.read_text(encoding="utf-8")
    fresh = module.replace_section(text, module.section())
    assert fresh == text, "README.md is out of date: run python scripts/readme_shell.py"
    # every new subcommand is shown
    for command in ("tune", "region", "regime", "average", "radius", "sweep", "run", "verify",
                    "compare"):
        assert f"$ optheory {command} " in text
