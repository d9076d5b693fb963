#!/usr/bin/env python3
"""Environment settings that lower the instruction sets numpy, torch and BLAS use.

optheory promises results that do not depend on the CPU.  ``make test`` checks it
by running the parity and report-determinism tests (``pytest -m isa``) again
under each profile below, so a CPU-dependent number shows up on the machine
that introduced it, whatever that machine's CPU.

    python scripts/isa_env.py avx2       # prints: ATEN_CPU_CAPABILITY=avx2 ...
    python scripts/isa_env.py --list     # the profile names
    python scripts/isa_env.py --needed   # the profiles that differ from this CPU's native kernels

Profiles
--------
avx2
    AVX2 + FMA, no AVX-512 (the kernels of most laptops and many cloud CPUs).
baseline
    x86-64-v2 (SSE4.2): no AVX at all in numpy, torch, OpenBLAS or MKL.
"""

from __future__ import annotations

import sys

#: profile -> (environment, what each library then reports)
PROFILES: dict[str, dict[str, str]] = {
    "avx2": {
        "ATEN_CPU_CAPABILITY": "avx2",
        "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
        "OPENBLAS_CORETYPE": "Haswell",
        "MKL_ENABLE_INSTRUCTIONS": "AVX2",
    },
    "baseline": {
        "ATEN_CPU_CAPABILITY": "default",
        "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
        "OPENBLAS_CORETYPE": "Nehalem",
        "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
    },
}

#: What each library reports under a profile: torch's capability and OpenBLAS's core.
EXPECTED: dict[str, dict[str, str]] = {
    "avx2": {"torch": "AVX2", "openblas": "Haswell", "numpy_off": "X86_V4"},
    "baseline": {"torch": "DEFAULT", "openblas": "Nehalem", "numpy_off": "X86_V3"},
}


def env_line(profile: str) -> str:
    """``NAME=value`` pairs for a shell's ``env`` command (values quoted)."""
    return " ".join(f"{k}='{v}'" for k, v in PROFILES[profile].items())


def needed() -> list[str]:
    """Profiles that lower this CPU's kernels: avx2 only where AVX-512 is present."""
    from numpy._core._multiarray_umath import __cpu_features__ as features

    has_avx512 = bool(features.get("X86_V4") or features.get("AVX512F"))
    return [p for p in PROFILES if p != "avx2" or has_avx512]


def main(argv: list[str]) -> int:
    if argv == ["--list"]:
        print(" ".join(PROFILES))
        return 0
    if argv == ["--needed"]:
        print(" ".join(needed()))
        return 0
    if len(argv) != 1 or argv[0] not in PROFILES:
        print(f"usage: isa_env.py PROFILE | --list | --needed  (PROFILE: {', '.join(PROFILES)})",
              file=sys.stderr)
        return 2
    print(env_line(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
