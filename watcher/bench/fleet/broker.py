"""`Broker`: a mosquitto of the load benchmark's own on 127.0.0.1, so its CPU and memory can be read."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import psutil

from watcher.errors import SinkError

_START_TIMEOUT_S = 10.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class Broker:
    """A central broker as deploy/docker's: persistence on, anonymous, one listener on 127.0.0.1."""

    def __init__(self, workdir: Path, executable: str | None = None) -> None:
        exe = executable or shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not Path(exe).exists():
            raise SinkError("fleet-bench", f"no mosquitto at {exe} (apt-get install mosquitto)")
        self.host = "127.0.0.1"
        self.port = _free_port()
        conf = workdir / "mosquitto.conf"
        # As root, mosquitto drops to its own user, which may not write the scratch folder.
        user = "user root\n" if os.geteuid() == 0 else ""
        conf.write_text(
            f"listener {self.port} 127.0.0.1\n{user}allow_anonymous true\npersistence true\n"
            f"persistence_location {workdir}/\nlog_dest file {workdir / 'mosquitto.log'}\n"
        )
        self._proc = subprocess.Popen(
            [exe, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.process = psutil.Process(self._proc.pid)
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not _accepts(self.port):
            if time.monotonic() > deadline or self._proc.poll() is not None:
                self.stop()
                raise SinkError("fleet-bench", f"mosquitto did not start on port {self.port}; see {workdir}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the broker (SIGTERM) and wait for it."""
        if self._proc.poll() is None:
            self._proc.terminate()
            self._proc.wait(timeout=10)
