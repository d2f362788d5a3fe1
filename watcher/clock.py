"""Injected time: logic never calls `time.time()`; it asks a `Clock`."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Monotonic seconds for intervals and a wall clock for schedules."""

    def monotonic(self) -> float: ...

    def wall(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Wait until `event` is set or `seconds` pass on this clock; True when it is set."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        return event.wait(max(0.0, seconds))


class FakeClock:
    """A clock that moves only when told to; `sleep` advances it instantly."""

    def __init__(self, start: float = 0.0, wall_start: datetime = datetime(2026, 1, 1, tzinfo=UTC)) -> None:
        self._now = start
        self._start = start
        self._wall_start = wall_start
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    def wall(self) -> datetime:
        with self._lock:
            return self._wall_start + timedelta(seconds=self._now - self._start)

    def sleep(self, seconds: float) -> None:
        self.advance(max(0.0, seconds))

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Set already: True at once; else the time passes instantly, as with `sleep`."""
        if event.is_set():
            return True
        self.advance(max(0.0, seconds))
        return event.is_set()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


class HostClock(SystemClock):
    """The real clock, read as a host that has been up `uptime` seconds at wall time `wall`: both
    move on in real time. Two of them, one after the other, are a host before and after a reboot."""

    def __init__(self, uptime: float, wall: datetime) -> None:
        self._started = time.monotonic()
        self._uptime = uptime
        self._wall = wall

    def monotonic(self) -> float:
        return self._uptime + time.monotonic() - self._started

    def wall(self) -> datetime:
        return self._wall + timedelta(seconds=time.monotonic() - self._started)
