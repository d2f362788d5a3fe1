"""constraints.txt: the tested versions of every package watcher and its tests install.

    python deploy/lock.py write [LOCK]   # freeze this venv (a fresh `pip install -e ".[test]"`) into LOCK
    python deploy/lock.py check [LOCK]   # this venv holds exactly the versions in LOCK
    python deploy/lock.py wheels [LOCK]  # LOCK resolves to wheels for Python 3.11 on x86_64 and aarch64

LOCK defaults to constraints.txt at the top of the repository. pyproject.toml keeps its ranges for
people who install watcher into their own environment; `.ci/run`, deploy/docker and
deploy/install-pi.sh install with `-c constraints.txt`. To regenerate (see deploy/README.md):

    python3.11 -m venv "$(mktemp -d)/venv" && . "$_/bin/activate"
    pip install -e ".[test]" && python deploy/lock.py write && python deploy/lock.py wheels

Standard library only, so it runs before anything is installed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "constraints.txt"
NOT_LOCKED = {"watcher", "pip", "setuptools", "wheel"}
"""The project itself and the venv's own tools: present in every venv, never constraints."""
PLATFORMS = {
    # The Pi runs Bookworm (glibc 2.36); manylinux tags up to 2_35 are therefore all installable there.
    arch: [f"manylinux2014_{arch}", *(f"manylinux_2_{v}_{arch}" for v in (17, 24, 26, 27, 28, 31, 34, 35))]
    for arch in ("x86_64", "aarch64")
}
HEADER = """\
# Tested versions of everything `pip install -e ".[test]"` installs (Python 3.11, Linux x86_64 and aarch64).
# Install with: pip install -c constraints.txt -e ".[test]"      (pyproject.toml keeps the ranges)
# Regenerate:   python deploy/lock.py write   in a fresh venv, then   python deploy/lock.py wheels
"""
_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)$")


def canonical(name: str) -> str:
    """The PEP 503 form of a distribution name (`PyYAML` and `pyyaml` are one package)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse(text: str, source: str) -> dict[str, str]:
    """`{canonical name: version}` from the `name==version` lines of a lock; comments allowed."""
    pins: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"{source}:{number}: not a 'name==version' line: {raw!r}")
        name = canonical(match[1])
        if name in pins:
            raise ValueError(f"{source}:{number}: {match[1]} is pinned twice")
        pins[name] = match[2]
    return pins


def render(installed: Mapping[str, str]) -> str:
    """The lock's text for `{name: version}`: header, then one sorted `name==version` line each."""
    lines = [
        f"{name}=={version}" for name, version in sorted(installed.items(), key=lambda i: canonical(i[0]))
    ]
    return HEADER + "\n".join(lines) + "\n"


def environment() -> dict[str, str]:
    """`{name: version}` of the distributions in the running interpreter, less NOT_LOCKED."""
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name and canonical(name) not in NOT_LOCKED:
            found[name] = dist.version
    return found


def differences(pins: Mapping[str, str], installed: Mapping[str, str]) -> list[str]:
    """One line per package where the environment and the lock disagree; empty when they match."""
    have = {canonical(n): v for n, v in installed.items()}
    out = []
    for name in sorted(pins.keys() | have.keys()):
        want, got = pins.get(name), have.get(name)
        if want is None:
            out.append(f"{name} {got} is installed but not in the lock")
        elif got is None:
            out.append(f"{name}=={want} is in the lock but not installed")
        elif want != got:
            out.append(f"{name} is {got}, the lock says {want}")
    return out


def platform_flags(arch: str) -> list[str]:
    """pip options that resolve for CPython 3.11 on Linux `arch`, binary wheels only."""
    flags = ["--python-version", "3.11", "--implementation", "cp", "--only-binary=:all:"]
    for tag in PLATFORMS[arch]:
        flags += ["--platform", tag]
    return flags


def resolved(report: Mapping[str, object]) -> dict[str, str]:
    """`{canonical name: version}` that a `pip install --report` would install, less NOT_LOCKED."""
    items = report.get("install")
    if not isinstance(items, list):
        raise ValueError("not a pip installation report (no 'install' list)")
    pins = {canonical(i["metadata"]["name"]): str(i["metadata"]["version"]) for i in items}
    return {n: v for n, v in pins.items() if n not in NOT_LOCKED}


def wheel_check(lock: Path, arch: str, work: Path) -> list[str]:
    """Resolve watcher[test] for `arch` against the lock (metadata only): differences from the lock."""
    wheels = sorted((work / "dist").glob("watcher-*.whl"))
    report = work / f"report-{arch}.json"
    pip = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed"]
    pip += ["--target", str(work / "target"), "--report", str(report), "-c", str(lock)]
    done = subprocess.run(
        [*pip, *platform_flags(arch), f"{wheels[0]}[test]"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return [f"{arch}: pip cannot resolve the lock with binary wheels: {done.stderr.strip()}"]
    pins = parse(lock.read_text(), str(lock))
    problems = [f"{arch}: {d}" for d in differences(pins, resolved(json.loads(report.read_text())))]
    # deploy/docker installs the headless build of the locked OpenCV version instead (same cv2 API).
    headless = f"opencv-python-headless=={pins.get('opencv-python')}"
    done = subprocess.run(
        [*pip, "--no-deps", *platform_flags(arch), headless], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        problems.append(f"{arch}: no binary wheel of {headless} (deploy/docker): {done.stderr.strip()}")
    return problems


def wheels(lock: Path) -> list[str]:
    """The lock, resolved for x86_64 and aarch64: every difference, or a pip error, one line each."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "-w",
                str(work / "dist"),
                str(ROOT),
            ],
            check=True,
        )
        return [line for arch in PLATFORMS for line in wheel_check(lock, arch, work)]


def main(argv: Iterable[str]) -> int:
    """Run one of write / check / wheels; 0 when the lock holds."""
    args = list(argv)
    if not args or args[0] not in {"write", "check", "wheels"} or len(args) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    lock = Path(args[1]) if len(args) == 2 else LOCK
    if args[0] == "write":
        lock.write_text(render(environment()))
        print(f"lock: wrote {lock} ({len(environment())} packages)")
        return 0
    try:
        pins = parse(lock.read_text(), str(lock))
    except (OSError, ValueError) as exc:
        print(f"lock: {exc}", file=sys.stderr)
        return 1
    problems = differences(pins, environment()) if args[0] == "check" else wheels(lock)
    for line in problems:
        print(f"lock: {line}", file=sys.stderr)
    if not problems:
        print(f"lock: {args[0]}: all {len(pins)} packages match {lock.name}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
