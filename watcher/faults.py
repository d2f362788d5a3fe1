"""Per-camera faults: an unexpected error in one camera's frame marks that camera, not the daemon."""

from __future__ import annotations

import logging
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
