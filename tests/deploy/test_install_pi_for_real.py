"""deploy/install-pi.sh for real (apt check, user, venv, pip, config, unit) in a throwaway namespace.

Slow (it installs every dependency into a new venv) and needs root with mount namespaces, so it is
marked `slow`: `pytest -m slow tests/deploy`. systemd is replaced by a stand-in that records calls.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.test_wheel_install import _build_wheel

HERE = Path(__file__).resolve().parent


def _namespace_missing() -> str | None:
    if os.geteuid() != 0:
        return "needs root (mount namespaces and overlays)"
    if not (shutil.which("unshare") and Path("/usr/bin/python3").exists() and shutil.which("runuser")):
        return "needs unshare, runuser and Debian's /usr/bin/python3"
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True)
    return None if probe.returncode == 0 else f"cannot create a mount namespace: {probe.stderr!r}"


@pytest.mark.slow
def test_install_script_installs_twice_and_the_service_command_sees_events(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # pyproject's addopts do not deselect `slow` yet, so a plain `pytest` must not pay these minutes.
    if "slow" not in str(request.config.getoption("markexpr")):
        pytest.skip("slow (installs every dependency): run with `pytest -m slow tests/deploy`")
    reason = _namespace_missing()
    if reason:
        pytest.skip(reason)
    wheel = _build_wheel(tmp_path / "dist")
    scratch = tmp_path / "ns"
    scratch.mkdir()
    script = str(HERE / "pi_namespace.sh")
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "bash", script, str(wheel), str(scratch)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    first, second = out.split("### second run")
    ok = "ok: 1 camera(s), 2 zone(s), 2 rule(s), model yolov8n_int8 (80 classes)"
    assert ok in first
    assert ok in second
    assert "= writing /etc/watcher/config.toml" in first
    assert "= keeping /etc/watcher/config.toml" in second
    assert "+ useradd" not in second
    assert "systemctl called: restart watcher.service" in second
    assert out.splitlines()[-7:] == [
        "service: started",
        "service: event seen, stopped cleanly",
        "root 750 /etc/watcher",
        "root 640 /etc/watcher/config.toml",
        "root 600 /etc/watcher/env",
        "watcher 700 /var/lib/watcher",
        "watcher 600 /var/lib/watcher/watcher.db",
    ]
