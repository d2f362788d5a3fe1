"""TCP servers on 127.0.0.1 that misbehave like broken cameras: garbage bytes, or silence after accept."""

from __future__ import annotations

import random
import socket
import threading
from typing import Literal

Behaviour = Literal["garbage", "silent"]


class BadServer:
    """Accepts connections on `port`; `garbage` answers each with random bytes, `silent` never answers."""

    def __init__(self, port: int, behaviour: Behaviour) -> None:
        self.port = port
        self.url = f"rtsp://127.0.0.1:{port}/cam"
        self.behaviour = behaviour
        self.connections = 0
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", port))
        self._listener.listen()
        self._listener.settimeout(0.1)
        self._thread = threading.Thread(target=self._serve, name=f"bad-server-{port}", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        rng = random.Random(self.port)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            if self.behaviour == "silent":
                self._held.append(conn)  # open and mute, like a wedged camera
                continue
            try:
                conn.sendall(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n" + rng.randbytes(64 * 1024))
            except OSError:
                pass
            finally:
                conn.close()

    def close(self) -> None:
        """Stop accepting and drop every connection, freeing the port."""
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()
        for conn in self._held:
            conn.close()
