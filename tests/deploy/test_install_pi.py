"""deploy/install-pi.sh: checked by shellcheck and run in --dry-run mode against a scratch folder.

A real run needs root, apt and systemd (a Raspberry Pi); --dry-run performs the same checks and
prints each step it would run as a `+ command` line, so the steps and their idempotence are tested.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from watcher import config

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "install-pi.sh"
NO_SUCH_USER = "watcher_test_nouser"


def _dry_run(tmp_path: Path, user: str = NO_SUCH_USER, *args: str) -> list[str]:
    env = {
        **os.environ,
        "WATCHER_USER": user,
        "WATCHER_VENV": str(tmp_path / "opt"),
        "WATCHER_ETC": str(tmp_path / "etc"),
        "WATCHER_DATA": str(tmp_path / "data"),
        "SYSTEMD_DIR": str(tmp_path / "systemd"),
    }
    done = subprocess.run(
        ["bash", str(SCRIPT), "--dry-run", *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    # apt steps depend on what this machine has installed; the rest does not.
    return [line.replace(str(tmp_path), "T") for line in done.stdout.splitlines() if "apt" not in line]


def test_shellcheck_finds_nothing_in_the_install_script() -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    done = subprocess.run(["shellcheck", str(SCRIPT)], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "")


def test_first_install_dry_run_lists_every_step_in_order(tmp_path: Path) -> None:
    u = NO_SUCH_USER
    assert _dry_run(tmp_path) == [
        f"+ useradd --system --user-group --home-dir T/data --no-create-home --shell /usr/sbin/nologin {u}",
        f"+ usermod --append --groups video {u}",
        "+ python3 -m venv T/opt",
        "+ T/opt/bin/pip install --upgrade --quiet pip",
        f"+ T/opt/bin/pip install --upgrade --quiet -c {ROOT}/constraints.txt {ROOT}",
        f"+ install -d -m 0750 -o root -g {u} T/etc",
        f"+ install -d -m 0700 -o {u} -g {u} T/data",
        "= writing T/etc/config.toml from the example (data in T/data)",
        f"+ chown root:{u} T/etc/config.toml",
        "+ chmod 0640 T/etc/config.toml",
        "= writing T/etc/env (secrets such as MQTT_PASSWORD=..., read by systemd only)",
        "+ chmod 0600 T/etc/env",
        f"+ runuser -u {u} -- T/opt/bin/watcher check-config -c T/etc/config.toml",
        f"+ install -m 0644 {ROOT}/deploy/systemd/watcher.service T/systemd/watcher.service",
        "+ systemctl daemon-reload",
        "+ systemctl enable watcher.service",
        "+ systemctl restart watcher.service",
        "= done: edit T/etc/config.toml, then: sudo systemctl restart watcher; journalctl -u watcher -f",
    ]


def test_dry_run_changes_nothing(tmp_path: Path) -> None:
    _dry_run(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_second_run_keeps_user_venv_config_and_secrets(tmp_path: Path) -> None:
    (tmp_path / "opt" / "bin").mkdir(parents=True)
    (tmp_path / "opt" / "bin" / "python").symlink_to(sys.executable)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "config.toml").write_text("# mine\n")
    (tmp_path / "etc" / "env").write_text("MQTT_PASSWORD=x\n")
    lines = _dry_run(tmp_path, "root", "--no-start")
    assert [line for line in lines if line.startswith("=")] == [
        "= user root exists",
        "= venv T/opt exists",
        "= keeping T/etc/config.toml",
        "= keeping T/etc/env",
        "= done: edit T/etc/config.toml, then: sudo systemctl restart watcher; journalctl -u watcher -f",
    ]
    assert not any(
        line.startswith(("+ useradd", "+ python3 -m venv", "+ chown", "+ chmod")) for line in lines
    )
    assert "+ systemctl restart watcher.service" not in lines
    assert (tmp_path / "etc" / "config.toml").read_text() == "# mine\n"


def test_installed_config_is_the_valid_example_with_data_under_var_lib(tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", str(SCRIPT), "--print-config"],
        env={**os.environ, "WATCHER_VENV": str(tmp_path / "none")},
        capture_output=True,
        text=True,
        check=True,
    )
    cfg = config.loads(done.stdout, "config.toml")
    assert (cfg.store.path, cfg.store.snapshots_dir) == (
        "/var/lib/watcher/watcher.db",
        "/var/lib/watcher/snapshots",
    )
    example = config.load(ROOT / "config.example.toml")
    assert cfg.model_copy(update={"store": example.store}) == example


def test_unknown_option_is_refused_with_usage(tmp_path: Path) -> None:
    done = subprocess.run(["bash", str(SCRIPT), "--frobnicate"], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith("install-pi.sh: unknown option --frobnicate\nusage: ")


@pytest.mark.parametrize(
    ("args", "pip_line"),
    [
        ((), f"+ T/opt/bin/pip install --upgrade --quiet -c {ROOT}/constraints.txt {ROOT}"),
        (("--constraints", "none"), f"+ T/opt/bin/pip install --upgrade --quiet {ROOT}"),
        (("--constraints", "/dev/null"), f"+ T/opt/bin/pip install --upgrade --quiet -c /dev/null {ROOT}"),
    ],
)
def test_pip_installs_the_locked_versions_unless_told_otherwise(
    tmp_path: Path, args: tuple[str, ...], pip_line: str
) -> None:
    pip_lines = [line for line in _dry_run(tmp_path, NO_SUCH_USER, *args) if "pip install" in line]
    assert pip_lines == ["+ T/opt/bin/pip install --upgrade --quiet pip", pip_line]


def test_a_missing_constraints_file_stops_before_installing(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    done = subprocess.run(
        ["bash", str(SCRIPT), "--dry-run", "--constraints", str(missing)],
        env={**os.environ, "WATCHER_USER": NO_SUCH_USER, "WATCHER_VENV": str(tmp_path / "opt")},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    message = f'install-pi.sh: --constraints {missing}: cannot read it ("none" installs unpinned)\n'
    assert done.stderr == message
    assert done.stdout == ""  # checked before the first step
