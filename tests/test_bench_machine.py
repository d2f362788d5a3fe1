"""watcher.bench.machine: the CPU flags and library versions that every benchmark result records."""

from __future__ import annotations

import platform
from importlib import metadata

import pytest

from watcher.bench.machine import Machine, cpu_flags, cpu_name, this_machine

XEON = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Processor
flags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512_vnni avx_vnni amx_tile amx_int8
"""
EPYC_NO_VNNI = "model name\t: AMD EPYC 7B12\nflags\t\t: sse4_2 avx avx2 fma f16c\n"
PI5 = "processor\t: 0\nFeatures\t: fp asimd evtstrm crc32\nModel\t: Raspberry Pi 5 Model B Rev 1.0\n"
# Cortex-A76 (Pi 5): fp, asimd, asimdhp, asimddp; no SVE, no i8mm.
A76_HWCAP = (1 << 0) | (1 << 1) | (1 << 10) | (1 << 20)


@pytest.mark.parametrize(
    ("arch", "cpuinfo", "hwcaps", "expected"),
    [
        (
            "x86_64",
            XEON,
            (0, 0),
            ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8"),
        ),
        ("x86_64", EPYC_NO_VNNI, (0, 0), ("sse4_2", "avx", "avx2", "fma", "f16c")),
        ("aarch64", PI5, (A76_HWCAP, 0), ("asimd", "asimdhp", "asimddp")),
        # qemu-user: /proc/cpuinfo is the x86 host's; the aux vector is the emulated CPU's.
        (
            "aarch64",
            XEON,
            ((1 << 1) | (1 << 20) | (1 << 22), (1 << 13) | (1 << 14)),
            ("asimd", "asimddp", "sve", "i8mm", "bf16"),
        ),
        ("x86_64", "", (0, 0), ()),
    ],
)
def test_cpu_flags_are_the_kernel_choosing_ones_of_each_instruction_set(
    arch: str, cpuinfo: str, hwcaps: tuple[int, int], expected: tuple[str, ...]
) -> None:
    assert cpu_flags(arch, cpuinfo, hwcaps) == expected


@pytest.mark.parametrize(
    ("cpuinfo", "expected"),
    [(XEON, "Intel(R) Xeon(R) Processor"), (PI5, "Raspberry Pi 5 Model B Rev 1.0"), ("", "unknown CPU")],
)
def test_cpu_name_comes_from_model_name_or_the_boards_model(cpuinfo: str, expected: str) -> None:
    assert cpu_name(cpuinfo) == expected


def test_this_machine_names_the_installed_versions_of_the_detection_libraries() -> None:
    machine = this_machine()
    assert machine.arch == platform.machine()
    assert machine.python == platform.python_version()
    libraries = dict(machine.libraries)
    assert {name: libraries[name] for name in ("numpy", "onnxruntime", "opencv-python")} == {
        name: metadata.version(name) for name in ("numpy", "onnxruntime", "opencv-python")
    }
    assert "opencv-python-headless" not in libraries


def test_machine_json_and_line_carry_flags_and_versions() -> None:
    machine = Machine(
        arch="aarch64",
        cpu="Raspberry Pi 5 Model B Rev 1.0",
        cores=4,
        cpu_flags=("asimd", "asimddp"),
        python="3.11.2",
        libraries=(("numpy", "2.4.6"), ("onnxruntime", "1.32.0")),
    )
    assert machine.to_json() == {
        "arch": "aarch64",
        "cpu": "Raspberry Pi 5 Model B Rev 1.0",
        "cores": 4,
        "cpu_flags": ["asimd", "asimddp"],
        "python": "3.11.2",
        "libraries": {"numpy": "2.4.6", "onnxruntime": "1.32.0"},
    }
    assert machine.line() == (
        "machine: aarch64 Raspberry Pi 5 Model B Rev 1.0 (4 cores; asimd asimddp); "
        "numpy 2.4.6, onnxruntime 1.32.0"
    )
