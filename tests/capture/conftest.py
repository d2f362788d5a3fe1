"""Clips, camera configs and a real RTSP server for the capture tests."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.waiting import free_port
from watcher.config import CameraConfig

DATA = Path(__file__).parents[1] / "data"
PEOPLE = DATA / "people-detection.mp4"  # 23 frames at 2300/191 fps
TRAFFIC = DATA / "person-bicycle-car-detection.mp4"  # 41 frames at 4100/341 fps
SERVER_SCRIPT = Path(__file__).parents[1] / "support" / "rtsp_server.py"
SYSTEM_PYTHON = "/usr/bin/python3"


def camera(url: str, **fields: Any) -> CameraConfig:
    """A camera config named `cam` for url."""
    return CameraConfig(name="cam", url=url, **fields)


def gst_rtsp_missing() -> str | None:
    """Why the RTSP server cannot run here, or None when it can."""
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} not found"
    probe = "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"
    result = subprocess.run(
        [SYSTEM_PYTHON, "-c", probe], capture_output=True, text=True, timeout=30, check=False
    )
    if result.returncode != 0:
        return (
            f"{SYSTEM_PYTHON} cannot import gi.repository.GstRtspServer (install gir1.2-gst-rtsp-server-1.0)"
        )
    return None


class RtspServer:
    """tests/support/rtsp_server.py in a subprocess: a clip looped forever at rtsp://127.0.0.1:port/cam."""

    def __init__(self, clip: Path, port: int, log_path: Path) -> None:
        self.clip = clip
        self.port = port
        self.url = f"rtsp://127.0.0.1:{port}/cam"
        self._log_path = log_path
        self._process: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 20.0) -> None:
        """Start the server and wait until it accepts clients."""
        with self._log_path.open("a") as log:
            self._process = subprocess.Popen(
                [SYSTEM_PYTHON, str(SERVER_SCRIPT), str(self.clip), str(self.port), "cam"],
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        assert self._process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            if selector.select(timeout) and self._process.stdout.readline().startswith("READY"):
                return
        self.kill()
        raise RuntimeError(f"RTSP server did not start: {self._log_path.read_text()[-2000:]}")

    def kill(self) -> None:
        """Kill the server at once, as a crashed camera would vanish."""
        if self._process is not None:
            self._process.send_signal(signal.SIGCONT)
            self._process.kill()
            self._process.wait(timeout=10)
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._process = None

    def freeze(self) -> None:
        """Stop the server process so its sockets stay open but silent, like a hung camera."""
        assert self._process is not None
        os.kill(self._process.pid, signal.SIGSTOP)


@pytest.fixture
def rtsp_server(tmp_path: Path) -> Iterator[RtspServer]:
    """A running RTSP server looping the people clip; killed after the test."""
    reason = gst_rtsp_missing()
    if reason:
        pytest.skip(reason)
    server = RtspServer(PEOPLE, free_port(), tmp_path / "rtsp_server.log")
    server.start()
    yield server
    server.kill()
