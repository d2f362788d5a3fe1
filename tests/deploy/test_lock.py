"""constraints.txt (deploy/lock.py): tested pins inside pyproject's ranges, and the check that CI runs.

`.ci/run` installs with `-c constraints.txt` and then runs `python deploy/lock.py check`, so CI
fails when the venv differs from the lock; `lock.py wheels` (network, slow) resolves the lock for
x86_64 and aarch64 with binary wheels only.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement

from tests.support.scripts import load_script

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "constraints.txt"


def _lock() -> ModuleType:
    return load_script(ROOT / "deploy" / "lock.py", "lock")


def _pins() -> dict[str, str]:
    pins: dict[str, str] = _lock().parse(LOCK.read_text(), "constraints.txt")
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["test"]]]


def test_every_declared_dependency_is_pinned_inside_its_pyproject_range() -> None:
    pins, canonical = _pins(), _lock().canonical
    outside = [
        f"{r.name}=={pins.get(canonical(r.name))} vs {r.specifier}"
        for r in _declared()
        if canonical(r.name) not in pins or not r.specifier.contains(pins[canonical(r.name)])
    ]
    assert outside == []


def test_the_lock_pins_opencv_once_and_never_the_headless_build_beside_it() -> None:
    opencv = sorted(name for name in _pins() if name.startswith("opencv"))
    assert opencv == ["opencv-python"]


def test_lock_file_is_sorted_exact_pins_under_its_header() -> None:
    lines = LOCK.read_text().splitlines()
    body = [line for line in lines if not line.startswith("#")]
    assert lines[: len(lines) - len(body)] == _lock().HEADER.splitlines()
    assert all("==" in line and line.count("=") == 2 for line in body)
    assert body == sorted(body, key=lambda line: _lock().canonical(line.split("==")[0]))


@pytest.mark.parametrize(
    ("installed", "expected"),
    [
        ({"NumPy": "2.4.6", "PyYAML": "6.0.4"}, []),
        ({"numpy": "2.4.5", "pyyaml": "6.0.4"}, ["numpy is 2.4.5, the lock says 2.4.6"]),
        ({"numpy": "2.4.6"}, ["pyyaml==6.0.4 is in the lock but not installed"]),
        (
            {"numpy": "2.4.6", "pyyaml": "6.0.4", "opencv-python-headless": "5.0.0.93"},
            ["opencv-python-headless 5.0.0.93 is installed but not in the lock"],
        ),
    ],
)
def test_check_names_every_package_where_the_venv_and_the_lock_differ(
    installed: dict[str, str], expected: list[str]
) -> None:
    lock = _lock()
    pins = lock.parse("# header\nnumpy==2.4.6\nPyYAML==6.0.4  # comment\n", "c.txt")
    assert lock.differences(pins, installed) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("numpy>=2\n", "c.txt:1: not a 'name==version' line: 'numpy>=2'"),
        ("numpy==2.4.6\n\nNumPy==2.4.5\n", "c.txt:3: NumPy is pinned twice"),
    ],
)
def test_a_malformed_lock_is_refused_with_file_and_line(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=f"^{error}$"):
        _lock().parse(text, "c.txt")


def test_write_then_check_round_trips_this_venv(tmp_path: Path) -> None:
    lock_file = tmp_path / "constraints.txt"
    script = str(ROOT / "deploy" / "lock.py")
    written = subprocess.run(
        [sys.executable, script, "write", str(lock_file)], capture_output=True, text=True
    )
    assert written.returncode == 0, written.stderr
    checked = subprocess.run(
        [sys.executable, script, "check", str(lock_file)], capture_output=True, text=True
    )
    assert (checked.returncode, checked.stderr) == (0, "")
    count = len(_lock().environment())
    assert checked.stdout == f"lock: check: all {count} packages match constraints.txt\n"


def test_check_fails_with_one_line_per_difference(tmp_path: Path) -> None:
    lock_file = tmp_path / "constraints.txt"
    pins = {**_lock().environment(), "pytest": "0.0.1", "no-such-package": "1.0"}
    lock_file.write_text(_lock().render(pins))
    script = str(ROOT / "deploy" / "lock.py")
    done = subprocess.run([sys.executable, script, "check", str(lock_file)], capture_output=True, text=True)
    installed = _lock().environment()["pytest"]
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.splitlines() == [
        "lock: no-such-package==1.0 is in the lock but not installed",
        f"lock: pytest is {installed}, the lock says 0.0.1",
    ]


@pytest.mark.slow
def test_every_locked_package_has_binary_wheels_for_x86_64_and_aarch64(
    request: pytest.FixtureRequest,
) -> None:
    if "slow" not in str(request.config.getoption("markexpr")):
        pytest.skip("slow (asks the package index): run with `pytest -m slow tests/deploy/test_lock.py`")
    done = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "lock.py"), "wheels"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert (done.returncode, done.stdout.strip()) == (
        0,
        f"lock: wheels: all {len(_pins())} packages match constraints.txt",
    ), done.stderr
