"""Where a figure was measured: the CPU, its instruction-set flags and the library versions.

int8 kernels differ between instruction sets (AVX2, AVX-512 VNNI, ARM dot product), so a timing
or a detection count means little without them; every benchmark result records this.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

X86_FLAGS = (
    "sse4_2",
    "avx",
    "avx2",
    "fma",
    "f16c",
    "avx512f",
    "avx512bw",
    "avx512vl",
    "avx512_vnni",
    "avx_vnni",
    "avx512_bf16",
    "amx_int8",
)
"""The /proc/cpuinfo flags that choose ONNX Runtime's and OpenCV's x86 kernels."""
ARM_HWCAP = {"asimd": 1, "asimdhp": 10, "asimddp": 20, "sve": 22}
ARM_HWCAP2 = {"sve2": 1, "i8mm": 13, "bf16": 14}
"""Bits of getauxval(AT_HWCAP) / (AT_HWCAP2) on aarch64 (linux/arch/arm64/include/uapi/asm/hwcap.h)."""
AT_HWCAP, AT_HWCAP2 = 16, 26
LIBRARIES = ("numpy", "onnxruntime", "opencv-python", "opencv-python-headless", "supervision", "trackers")


@dataclass(frozen=True)
class Machine:
    """The CPU and libraries of one measurement."""

    arch: str
    cpu: str
    cores: int
    cpu_flags: tuple[str, ...]
    python: str
    libraries: tuple[tuple[str, str], ...]

    def to_json(self) -> dict[str, Any]:
        """The `machine` object of a benchmark's JSON."""
        return {
            "arch": self.arch,
            "cpu": self.cpu,
            "cores": self.cores,
            "cpu_flags": list(self.cpu_flags),
            "python": self.python,
            "libraries": dict(self.libraries),
        }

    def line(self) -> str:
        """One line for a human-readable report."""
        libs = ", ".join(f"{name} {version}" for name, version in self.libraries)
        return f"machine: {self.arch} {self.cpu} ({self.cores} cores; {' '.join(self.cpu_flags)}); {libs}"


def cpu_flags(arch: str, cpuinfo: str, hwcaps: tuple[int, int]) -> tuple[str, ...]:
    """The kernel-choosing flags: from /proc/cpuinfo on x86, from the aux vector on aarch64.

    Under qemu-user /proc/cpuinfo is the host's while the aux vector is the emulated CPU's, so
    aarch64 reads the latter.
    """
    if arch in ("aarch64", "arm64"):
        hwcap, hwcap2 = hwcaps
        found = [n for n, bit in ARM_HWCAP.items() if hwcap >> bit & 1]
        return tuple(found + [n for n, bit in ARM_HWCAP2.items() if hwcap2 >> bit & 1])
    lines = cpuinfo.splitlines()
    flags = next((line.split(":", 1)[1].split() for line in lines if line.startswith("flags")), [])
    return tuple(f for f in X86_FLAGS if f in flags)


def cpu_name(cpuinfo: str) -> str:
    """The CPU's model name from /proc/cpuinfo ("unknown CPU" when it has none, as on many ARM boards)."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Model", "Hardware") and value.strip():
            return value.strip()
    return "unknown CPU"


def _hwcaps() -> tuple[int, int]:
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return 0, 0
    getauxval = ctypes.CDLL(libc_name).getauxval
    getauxval.restype = ctypes.c_ulong
    getauxval.argtypes = [ctypes.c_ulong]
    return int(getauxval(AT_HWCAP)), int(getauxval(AT_HWCAP2))


def _versions() -> tuple[tuple[str, str], ...]:
    found = []
    for name in LIBRARIES:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            continue
    return tuple(found)


def this_machine() -> Machine:
    """The machine this process runs on."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        cpuinfo = ""
    arch = platform.machine()
    hwcaps = _hwcaps() if arch in ("aarch64", "arm64") else (0, 0)
    return Machine(
        arch=arch,
        cpu=cpu_name(cpuinfo),
        cores=os.cpu_count() or 0,
        cpu_flags=cpu_flags(arch, cpuinfo, hwcaps),
        python=platform.python_version(),
        libraries=_versions(),
    )
