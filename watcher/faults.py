"""Faults that mark one part, not the daemon: a camera whose frame failed, a store that cannot open."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from watcher.clock import Clock

log = logging.getLogger("watcher")

LOG_EVERY_S = 60.0
"""A camera failing on every frame logs one line a minute, with how many failures it kept quiet."""


@dataclass(slots=True)
class _Fault:
    reason: str
    logged_at: float
    quiet: int = 0
    """Failures since the last line logged."""
    active: bool = True


class CameraFaults:
    """Which cameras failed on their last frame and why; the worker's own (others read its status)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._faults: dict[str, _Fault] = {}

    def failed(self, camera: str, reason: str, exc: BaseException) -> None:
        """Mark `camera` as in error; log one line unless it logged one less than a minute ago."""
        now = self._clock.monotonic()
        fault = self._faults.get(camera)
        if fault is not None and now - fault.logged_at < LOG_EVERY_S:
            fault.reason, fault.active = reason, True
            fault.quiet += 1
            return
        quiet = fault.quiet if fault is not None else 0
        self._faults[camera] = _Fault(reason, now)
        more = f" ({quiet} more failure(s) since the last report)" if quiet else ""
        log.error("camera %s: error: %s%s; the other cameras go on", camera, reason, more)
        log.debug("camera %s: the error's traceback", camera, exc_info=exc)

    def recovered(self, camera: str) -> None:
        """`camera` processed a frame without error."""
        fault = self._faults.get(camera)
        if fault is None or not fault.active:
            return
        fault.active = False
        log.info("camera %s: processing frames again", camera)

    def reason(self, camera: str) -> str | None:
        """Why `camera` is in error, or None when its last frame went through."""
        fault = self._faults.get(camera)
        return fault.reason if fault is not None and fault.active else None


@dataclass(frozen=True, slots=True)
class PartFault:
    """A part of the daemon other than a camera (`store`, `mqtt outbox`) that runs without its
    file, and why (`/var/lib/watcher/watcher.db: database or disk is full`)."""

    part: str
    reason: str


class PartFaults:
    """The daemon's parts that failed and why: set by the part, read by the status line, both
    dashboards and MQTT; safe from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reasons: dict[str, str] = {}

    def failed(self, part: str, reason: str) -> None:
        """Mark `part` as failed (the caller logs why)."""
        with self._lock:
            self._reasons[part] = reason

    def recovered(self, part: str) -> None:
        """`part` works again."""
        with self._lock:
            self._reasons.pop(part, None)

    def current(self) -> tuple[PartFault, ...]:
        """The parts failed now, by name."""
        with self._lock:
            return tuple(PartFault(part, reason) for part, reason in sorted(self._reasons.items()))
