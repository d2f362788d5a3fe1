"""Config files, a `watcher run` process and a switchable worker for the fault tests."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import supervision as sv

from watcher.daemon import Daemon
from watcher.testing import FakeSink, ScriptedDetector
from watcher.types import Event, EventType, Image

DATA = Path(__file__).parents[1] / "data"
WORKER_CLIP = DATA / "worker-zone-detection.mp4"
WORKER_EVENT = "watcher.events: start worker_left_of_tape"

WORKER_SCENE = """
[[zones]]
camera = "floor"
name = "left_of_tape"
points = [[0.0, 0.3], [0.517, 0.3], [0.517, 0.474], [0.219, 1.0], [0.0, 1.0]]

[[rules]]
name = "worker_left_of_tape"
kind = "presence"
camera = "floor"
zone = "left_of_tape"
classes = ["person"]
for_s = 0.5
clear_s = 1
"""
"""The worker clip's zone and presence rule, for a camera named `floor`."""

WORKER_CAMERA = f"""
[[cameras]]
name = "floor"
url = "{WORKER_CLIP}"
detect_fps = 15
realtime = true
{WORKER_SCENE}"""


def write_config(folder: Path, extra: str = "", *, camera: str = WORKER_CAMERA) -> Path:
    """config.toml in folder: the worker camera, zone and rule, then `extra` TOML."""
    path = folder / "config.toml"
    path.write_text(camera + extra)
    return path


class WatcherProcess:
    """`python -m watcher run -c CONFIG` with stdout+stderr collected line by line on a thread."""

    def __init__(self, config: Path, env: dict[str, str] | None = None) -> None:
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "watcher", "run", "-c", str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            cwd=config.parent,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._lock:
                self.lines.append(line)

    @property
    def output(self) -> str:
        with self._lock:
            return "".join(self.lines)

    def saw(self, text: str) -> bool:
        """True once a line containing text was printed."""
        return text in self.output

    def terminate(self, timeout: float = 10.0) -> tuple[int, float]:
        """SIGTERM, then wait; (exit code, seconds it took to exit)."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        took = time.monotonic() - started
        self._reader.join(timeout=5)
        return code, took

    def kill(self) -> None:
        """SIGKILL, as a power cut would."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self._reader.join(timeout=5)


@contextmanager
def running(daemon: Daemon) -> Iterator[None]:
    """`daemon.run()` on its own thread for the `with` block; stopped and joined (within 15 s) after it."""
    runner = threading.Thread(target=daemon.run, name="daemon")
    runner.start()
    try:
        yield
    finally:
        daemon.stop()
        runner.join(timeout=15)
    assert not runner.is_alive()


def _mount_tmpfs(folder: Path, options: str) -> str | None:
    """Mount a tmpfs on folder; the reason when this machine does not allow it."""
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    return None if result.returncode == 0 else f"cannot mount a tmpfs ({result.stderr.strip()})"


@contextmanager
def tmpfs(folder: Path, options: str) -> Iterator[Path]:
    """A real tmpfs (mount `options`, e.g. "size=256k,ro") on a new `folder` for the block, then
    unmounted; skips the test where this machine does not allow mounting."""
    folder.mkdir()
    reason = _mount_tmpfs(folder, options)
    if reason:
        pytest.skip(reason)
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def fill_disk(folder: Path) -> None:
    """Fill the file system of `folder` to the last block (a `filler` file; delete it to free the space)."""
    # dd stops at "No space left on device".
    subprocess.run(
        ["dd", "if=/dev/zero", f"of={folder / 'filler'}", "bs=1k"], capture_output=True, check=False
    )


_NO_IMAGE: Image = np.zeros((1, 1, 3), dtype=np.uint8)
# A worker standing in zone left_of_tape (bottom centre at 0.08, 0.74 of the 480x270 clip).
WORKER = [("person", 0.9, (20.0, 100.0, 60.0, 200.0))]


class WorkerSwitch:
    """The detector seam: the scripted worker while `present` is set, nobody otherwise."""

    def __init__(self) -> None:
        self.present = threading.Event()
        self._nobody = ScriptedDetector([[]], labels=("person",)).detect(_NO_IMAGE)
        self._worker = ScriptedDetector([WORKER]).detect(_NO_IMAGE)

    @property
    def labels(self) -> tuple[str, ...]:
        return ("person",)

    def detect(self, image: Image) -> sv.Detections:
        """A fresh copy each call: the tracker writes its ids into what it is given."""
        return copy.deepcopy(self._worker if self.present.is_set() else self._nobody)


class Scene:
    """Puts the worker in the zone and takes it out, waiting each time for the event it causes."""

    def __init__(self, detector: WorkerSwitch, sink: FakeSink) -> None:
        self._detector = detector
        self._sink = sink

    def step(self, present: bool, expected: EventType) -> Event:
        count = len(self._sink.events)
        if present:
            self._detector.present.set()
        else:
            self._detector.present.clear()
        assert self._sink.wait_for_events(count + 1, timeout=20)
        event = self._sink.events[count]
        assert event.type is expected
        return event
