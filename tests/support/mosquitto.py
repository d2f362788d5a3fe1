"""A real mosquitto broker on 127.0.0.1 for tests: start, stop and restart on the same port."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.support.waiting import free_port, poll, port_open

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def mosquitto_missing() -> str | None:
    """Why no broker can run here, or None when it can."""
    return None if Path(MOSQUITTO).exists() else "mosquitto is not installed (apt-get install mosquitto)"


class Mosquitto:
    """One broker process with its own config; `stop()`/`start()` keep the port.

    `persistence` keeps sessions, queued QoS 1 messages and retained ones across a clean restart (in
    `workdir`); `extra` is appended to the config (a bridge `connection`, say).
    """

    def __init__(
        self,
        workdir: Path,
        *,
        port: int | None = None,
        password_file: Path | None = None,
        persistence: bool = False,
        extra: str = "",
    ) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.workdir = workdir
        self.log = workdir / "mosquitto.log"
        auth = (
            f"allow_anonymous false\npassword_file {password_file}\n"
            if password_file
            else "allow_anonymous true\n"
        )
        self.conf = workdir / "mosquitto.conf"
        # As root, mosquitto drops to its own user, which cannot read pytest's private temp folders.
        user = "user root\n" if os.geteuid() == 0 else ""
        persist = "persistence false\n"
        if persistence:
            persist = f"persistence true\npersistence_location {workdir}/\n"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\n{user}{auth}{persist}"
            f"log_dest file {self.log}\nlog_type error\nlog_type warning\nlog_type notice\n{extra}"
        )
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the broker and wait until it accepts connections."""
        self._proc = subprocess.Popen(
            [MOSQUITTO, "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if not poll(lambda: port_open(self.port), timeout=10):
            self.stop()
            raise RuntimeError(f"mosquitto did not start on port {self.port}: {self.log.read_text()}")

    def stop(self) -> None:
        """Stop the broker (SIGTERM) and wait for it to exit."""
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=10)
            self._proc = None

    def kill(self) -> None:
        """Kill the broker at once (SIGKILL), as a crash would."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait(timeout=10)
            self._proc = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None
