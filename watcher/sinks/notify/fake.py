"""`FakeSender`: records messages and answers from a script, for tests of notification flows."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from watcher.clock import Clock
from watcher.sinks.notify.message import Message


class FakeSender:
    """Answers `results` in turn (then the last one again); records (clock time, message) per call."""

    def __init__(self, results: Sequence[bool] = (True,), *, clock: Clock | None = None) -> None:
        self.label = "fake://sender"
        self._results = list(results) or [True]
        self._clock = clock
        self._lock = threading.Lock()
        self.calls: list[tuple[float, Message]] = []

    def send(self, message: Message) -> bool:
        with self._lock:
            t = self._clock.monotonic() if self._clock is not None else 0.0
            self.calls.append((t, message))
            return self._results[min(len(self.calls), len(self._results)) - 1]
