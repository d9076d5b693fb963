"""The lowered instruction-set profiles of ``make test`` really change the kernels."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import require_torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _isa_env():
    spec = importlib.util.spec_from_file_location("isa_env", os.path.join(ROOT, "scripts",
                                                                         "isa_env.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PROBE = """
import json, numpy, scipy.linalg, threadpoolctl, torch
from numpy._core._multiarray_umath import __cpu_features__ as f
blas = sorted({i.get("architecture") for i in threadpoolctl.threadpool_info()
               if i["internal_api"] == "openblas"})
print(json.dumps({"torch": torch.backends.cpu.get_cpu_capability(), "openblas": blas,
                  "numpy": {k: bool(v) for k, v in f.items()}}))
"""


@pytest.mark.parametrize("profile", ["avx2", "baseline"])
def test_profile_takes_effect_in_torch_numpy_and_openblas(profile):
    require_torch()
    isa = _isa_env()
    env = {k: v for k, v in os.environ.items() if k not in isa.PROFILES[profile]}
    env.update(isa.PROFILES[profile])
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                         text=True, timeout=120, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    want = isa.EXPECTED[profile]
    assert seen["torch"] == want["torch"]
    assert seen["openblas"] == [want["openblas"]]
    assert seen["numpy"][want["numpy_off"]] is False


def test_env_line_and_usage():
    isa = _isa_env()
    assert "ATEN_CPU_CAPABILITY='default'" in isa.env_line("baseline")
    script = os.path.join(ROOT, "scripts", "isa_env.py")
    ok = subprocess.run([sys.executable, script, "--list"], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.split() == ["avx2", "baseline"]
    bad = subprocess.run([sys.executable, script, "sse9"], capture_output=True, text=True)
    assert bad.returncode == 2 and "usage" in bad.stderr
