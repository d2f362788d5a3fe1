"""`pip install .` gives a working watcher: the wheel, installed in a fresh venv, runs the demo.

This is what deploy/docker/Dockerfile and deploy/install-pi.sh do, without Docker or a Pi: build
the wheel, install it with `--no-deps` into a new venv, run the console script from another folder.
Downloading every dependency again would take minutes, so the fresh venv sees the project venv's
site-packages through a `.pth` line. That folder's own `.pth` files (the editable install's hook
into this checkout) are not processed for a path added that way, and the venv's own site-packages
comes first on sys.path, so `import watcher` can only find the installed wheel (asserted below).
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.waiting import poll

ROOT = Path(__file__).resolve().parents[2]
OFFLINE_HINTS = ("No matching distribution", "Could not find a version", "NewConnectionError", "Network")


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    site: Path
    workdir: Path

    def watcher(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.venv / "bin" / "watcher"), *args],
            cwd=self.workdir,
            env=_clean_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def _clean_env() -> dict[str, str]:
    """The environment without anything that would point Python back at this checkout."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}


def _build_wheel(out: Path) -> Path:
    # Without hatchling in this venv pip fetches it into an isolated build env; offline that fails.
    flags = ["--no-build-isolation"] if importlib.util.find_spec("hatchling") else []
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), *flags, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0 and any(hint in done.stderr for hint in OFFLINE_HINTS):
        pytest.skip(
            f"cannot build the wheel offline (hatchling not installed, no package index): {done.stderr}"
        )
    assert done.returncode == 0, done.stderr
    (wheel,) = out.glob("watcher-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel built from this checkout and installed into a fresh venv."""
    base = tmp_path_factory.mktemp("wheel")
    wheel = _build_wheel(base / "dist")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    (site / "_watcher_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")]
    subprocess.run(
        [*pip, "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        timeout=300,
    )
    workdir = base / "work"
    workdir.mkdir()
    return Installed(wheel, venv, site, workdir)


@pytest.mark.parametrize(
    "member",
    [
        "watcher/_models/manifest.toml",
        "watcher/_models/yolov8n.onnx",
        "watcher/_models/yolov8n_int8.onnx",
        "watcher/_models/ssd_mobilenet_v2_coco.onnx",
        "watcher/_models/mobilenetv2_patches.onnx",
        "watcher/_rules/person_in_zone.toml",
        "watcher/_config.example.toml",
        "watcher/data/demo.mp4",
    ],
)
def test_wheel_contains_the_shipped_file(installed: Installed, member: str) -> None:
    assert member in zipfile.ZipFile(installed.wheel).namelist()


def test_installed_package_is_imported_from_the_fresh_venv_not_the_checkout(installed: Installed) -> None:
    done = subprocess.run(
        [str(installed.venv / "bin" / "python"), "-c", "import watcher; print(watcher.__file__)"],
        cwd=installed.workdir,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == str(installed.site / "watcher" / "__init__.py")


def test_installed_version_matches_the_project_version(installed: Installed) -> None:
    version = installed.wheel.name.split("-")[1]
    assert installed.watcher("--version").stdout == f"watcher {version}\n"


def test_installed_check_config_accepts_the_shipped_example(installed: Installed) -> None:
    done = installed.watcher("check-config", "-c", str(installed.site / "watcher" / "_config.example.toml"))
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "ok: 1 camera(s), 2 zone(s), 2 rule(s), model yolov8n_int8 (80 classes)\n",
        "",
    )


def test_installed_models_list_finds_every_model_inside_the_wheel(installed: Installed) -> None:
    lines = installed.watcher("models", "list").stdout.splitlines()
    files = {line.split()[0]: line.split()[-1] for line in lines[1:]}
    models = installed.site / "watcher" / "_models"
    assert files == {
        "yolov8n": str(models / "yolov8n.onnx"),
        "yolov8n_int8": str(models / "yolov8n_int8.onnx"),
        "ssd_mobilenet_v2": str(models / "ssd_mobilenet_v2_coco.onnx"),
    }


def test_installed_run_without_config_starts_the_demo_and_stops_on_sigterm(installed: Installed) -> None:
    log = installed.workdir / "run.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(installed.venv / "bin" / "watcher"), "run"],
            cwd=installed.workdir,
            env=_clean_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            started = poll(lambda: "Ctrl-C to stop" in log.read_text(), timeout=90)
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    text = log.read_text()
    assert started, text
    assert code == 0, text
    assert "1 camera(s), 2 rule(s)" in text
    assert "camera demo: starting demo" in text
    assert (installed.workdir / "watcher.db").is_file()
