"""deploy/docker without Docker: the OpenCV swap, the compose file's wiring, the broker config.

The image's pip steps themselves (resolve, swap, install with --no-deps) were run in a fresh venv
as documented in deploy/README.md; test_wheel_install.py covers the installed wheel.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.support.mosquitto import MOSQUITTO, mosquitto_missing
from tests.support.scripts import load_script
from tests.support.waiting import free_port, poll, port_open
from watcher import config
from watcher.detect import load_detector

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "deploy" / "docker"


def _swap() -> ModuleType:
    return load_script(DOCKER / "headless_requirements.py", "headless_requirements")


def _report(*packages: tuple[str, str]) -> dict[str, Any]:
    return {"install": [{"metadata": {"name": n, "version": v}} for n, v in packages]}


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    return data


def test_swap_pins_every_resolved_package_with_opencv_headless_instead() -> None:
    report = _report(
        ("watcher", "0.1.0"), ("numpy", "2.4.6"), ("opencv-python", "5.0.0.93"), ("PyYAML", "6.0.3")
    )
    assert _swap().requirements(report) == [
        "numpy==2.4.6",
        "opencv-python-headless==5.0.0.93",
        "PyYAML==6.0.3",
    ]


def test_swap_refuses_a_report_without_opencv() -> None:
    with pytest.raises(ValueError, match="the report has no opencv-python; nothing to swap"):
        _swap().requirements(_report(("numpy", "2.4.6")))


def test_swap_script_prints_one_line_error_for_a_missing_report(tmp_path: Path) -> None:
    done = subprocess.run(
        ["python3", str(DOCKER / "headless_requirements.py"), str(tmp_path / "none.json")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert done.stderr.startswith(f"headless_requirements: {tmp_path / 'none.json'}: ")
    assert done.stderr.count("\n") == 1


def test_dockerfile_copies_only_files_that_exist() -> None:
    lines = (DOCKER / "Dockerfile").read_text().splitlines()
    sources = [
        p for line in lines if line.startswith("COPY ") and "--from" not in line for p in line.split()[1:-1]
    ]
    assert sources
    assert [s for s in sources if not (ROOT / s).exists()] == []


def test_compose_runs_watcher_and_mosquitto_and_home_assistant_only_on_request() -> None:
    services = _compose()["services"]
    assert {name: s.get("profiles") for name, s in services.items()} == {
        "watcher": None,
        "mosquitto": None,
        "homeassistant": ["homeassistant"],
    }


def test_compose_builds_the_image_from_the_repository_root() -> None:
    build = _compose()["services"]["watcher"]["build"]
    assert (DOCKER / build["context"] / build["dockerfile"]).resolve() == DOCKER / "Dockerfile"


def test_compose_bind_mounts_exist() -> None:
    mounts = [v.split(":")[0] for s in _compose()["services"].values() for v in s.get("volumes", [])]
    binds = [m for m in mounts if m.startswith(".")]
    assert binds == ["./watcher", "./mosquitto/mosquitto.conf"]
    assert [b for b in binds if not (DOCKER / b).exists()] == []


def test_compose_watcher_config_is_valid_and_talks_to_the_mosquitto_service() -> None:
    cfg = config.load(DOCKER / "watcher" / "config.toml")
    config.check_classes(cfg, load_detector(cfg.detector, DOCKER / "watcher").labels)
    assert (cfg.mqtt.enabled, cfg.mqtt.host, cfg.mqtt.port) == (True, "mosquitto", 1883)
    assert "mosquitto" in _compose()["services"]
    # Data must go to the /data volume: /config is mounted read-only.
    assert (cfg.store.path, cfg.store.snapshots_dir) == ("/data/watcher.db", "/data/snapshots")


def test_compose_mosquitto_config_starts_a_real_broker(tmp_path: Path) -> None:
    reason = mosquitto_missing()
    if reason:
        pytest.skip(reason)
    port = free_port()
    conf = (DOCKER / "mosquitto" / "mosquitto.conf").read_text()
    conf = conf.replace("listener 1883", f"listener {port} 127.0.0.1")
    conf = conf.replace("/mosquitto/data/", f"{tmp_path}/")
    (tmp_path / "mosquitto.conf").write_text(conf)
    proc = subprocess.Popen([MOSQUITTO, "-c", str(tmp_path / "mosquitto.conf")], stdout=subprocess.PIPE)
    try:
        assert poll(lambda: port_open(port), timeout=10)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_docker_build_context_admits_every_copied_file() -> None:
    lines = (DOCKER / "Dockerfile").read_text().splitlines()
    sources = [
        p for line in lines if line.startswith("COPY ") and "--from" not in line for p in line.split()[1:-1]
    ]
    ignore = (DOCKER / "Dockerfile.dockerignore").read_text().splitlines()
    admitted = {line[1:] for line in ignore if line.startswith("!")}
    assert "*" in ignore  # everything else stays out of the context
    assert sorted(admitted) == sorted(sources)
