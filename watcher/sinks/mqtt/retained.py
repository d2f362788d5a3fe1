"""`RetainedBoard`: the latest payload of every retained topic, and which ones still need sending."""

from __future__ import annotations

import threading


class RetainedBoard:
    """Thread-safe topic -> payload map; a changed payload is marked dirty until taken."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._payloads: dict[str, bytes] = {}
        self._dirty: dict[str, None] = {}

    def set(self, topic: str, payload: bytes) -> bool:
        """Store a payload; True when it differs from the last one (then it is dirty)."""
        with self._lock:
            if self._payloads.get(topic) == payload:
                return False
            self._payloads[topic] = payload
            self._dirty[topic] = None
            return True

    def get(self, topic: str) -> bytes | None:
        with self._lock:
            return self._payloads.get(topic)

    def mark_all_dirty(self) -> None:
        """Everything must be sent again (a new connection, or Home Assistant restarted)."""
        with self._lock:
            self._dirty = dict.fromkeys(self._payloads)

    def take_dirty(self) -> list[tuple[str, bytes]]:
        """The dirty topics with their payloads, in the order they were first marked; clears the marks."""
        with self._lock:
            out = [(topic, self._payloads[topic]) for topic in self._dirty]
            self._dirty = {}
            return out

    @property
    def has_dirty(self) -> bool:
        """Whether anything still waits to be sent (a node in the fleet tests waits for none)."""
        with self._lock:
            return bool(self._dirty)
