"""One capture thread per camera: reads its source into a short backlog, reconnects with backoff."""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass
from typing import Literal

from watcher.clock import Clock
from watcher.errors import SourceError
from watcher.types import Frame

from .source import Source

log = logging.getLogger("watcher.capture")

CaptureState = Literal["starting", "streaming", "reconnecting", "ended", "error"]

# Enough frames to smooth jitter, few enough that the figure follows a camera that slows down.
_FPS_WINDOW = 30


@dataclass(frozen=True, slots=True)
class CaptureStatus:
    """A snapshot of one capture thread for health checks and the TUI."""

    camera: str
    state: CaptureState
    reason: str | None
    frames_read: int
    frames_dropped: int
    fps: float
    """Frames per second over the last frames read (by the clock at arrival); 0.0 until known."""
    reconnects: int


class CaptureThread:
    """Reads one source on a daemon thread into a backlog of `backlog` frames; never blocks on the consumer.

    When the backlog is full the oldest frame gives way and, if nobody took it, counts as dropped. A
    backlog of a few frames lets one worker serving several cameras catch up after a burst (every
    camera detecting at once) instead of dropping frames; `latest` still skips straight to the newest.
    """

    def __init__(
        self,
        source: Source,
        clock: Clock,
        *,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 30.0,
        backlog: int = 1,
        ready: threading.Event | None = None,
    ) -> None:
        """`ready`, when given, is set whenever a frame arrives or the state changes: one event
        can wake a worker that serves several cameras."""
        if backlog < 1:
            raise ValueError(f"backlog must be at least 1 frame (got {backlog})")
        self._source = source
        self._clock = clock
        self._backoff_initial_s = backoff_initial_s
        self._backoff_max_s = backoff_max_s
        self._stop = threading.Event()
        self._ready = ready
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        # Everything below is guarded by self._changed.
        self._frames: deque[Frame] = deque()
        self._backlog = backlog
        self._taken_index = -1
        self._state: CaptureState = "starting"
        self._reason: str | None = None
        self._frames_read = 0
        self._frames_dropped = 0
        self._reconnects = 0
        self._arrivals: deque[float] = deque(maxlen=_FPS_WINDOW)

    @property
    def camera(self) -> str:
        """The camera this thread reads."""
        return self._source.camera

    def start(self) -> None:
        """Start reading; call once."""
        if self._thread is not None:
            raise RuntimeError(f"capture thread for camera {self.camera} already started")
        self._thread = threading.Thread(target=self._run, name=f"capture-{self.camera}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """Ask the thread to stop and wait up to timeout seconds; True when it has ended."""
        self._stop.set()
        with self._changed:
            self._changed.notify_all()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def latest(self, after_index: int = -1) -> Frame | None:
        """The newest frame if its index is above after_index, else None; never blocks."""
        with self._changed:
            return self._take(after_index)

    def next(self, after_index: int = -1) -> Frame | None:
        """The oldest waiting frame with an index above after_index (handed over: it leaves the backlog)."""
        with self._changed:
            while self._frames and self._frames[0].index <= after_index:
                self._frames.popleft()
            if not self._frames:
                return None
            frame = self._frames.popleft()
            self._taken_index = max(self._taken_index, frame.index)
            return frame

    def wait(self, after_index: int = -1, timeout: float | None = None) -> Frame | None:
        """Block up to timeout seconds for a frame newer than after_index; None on timeout, end or stop."""
        with self._changed:
            self._changed.wait_for(lambda: self._has_newer(after_index) or self._finished(), timeout)
            return self._take(after_index)

    @property
    def reconnects(self) -> int:
        """How many times the source failed and was reopened (cheaper than `status()` per frame)."""
        with self._changed:
            return self._reconnects

    def status(self) -> CaptureStatus:
        """Current state and counters."""
        with self._changed:
            fps = 0.0
            if len(self._arrivals) >= 2:
                span = self._arrivals[-1] - self._arrivals[0]
                fps = (len(self._arrivals) - 1) / span if span > 0 else 0.0
            return CaptureStatus(
                camera=self.camera,
                state=self._state,
                reason=self._reason,
                frames_read=self._frames_read,
                frames_dropped=self._frames_dropped,
                fps=fps,
                reconnects=self._reconnects,
            )

    def _has_newer(self, after_index: int) -> bool:
        return bool(self._frames) and self._frames[-1].index > after_index

    def _finished(self) -> bool:
        return self._stop.is_set() or self._state in ("ended", "error")

    def _take(self, after_index: int) -> Frame | None:
        if not self._has_newer(after_index):
            return None
        newest = self._frames[-1]
        self._taken_index = max(self._taken_index, newest.index)
        return newest

    def _run(self) -> None:
        try:
            self._read_until_stopped()
        except Exception as exc:
            # A bug, not a camera fault: retrying would only repeat it, so report and end this camera.
            log.exception(
                "camera %s (%s): capture stopped by an unexpected error", self.camera, self._source.url
            )
            self._set_state("error", f"unexpected error: {exc!r}")
        finally:
            self._source.close()

    def _read_until_stopped(self) -> None:
        backoff = self._backoff_initial_s
        is_open = False
        while not self._stop.is_set():
            try:
                if not is_open:
                    self._source.open()
                    is_open = True
                frame = self._source.read()
            except SourceError as exc:
                self._source.close()
                is_open = False
                log.warning(
                    "camera %s (%s): %s; reconnecting in %.1f s",
                    self.camera,
                    self._source.url,
                    exc.problem,
                    backoff,
                )
                self._set_state("reconnecting", exc.problem, reconnect=True)
                self._wait(backoff)
                backoff = min(backoff * 2, self._backoff_max_s)
                continue
            if frame is None:
                log.info("camera %s (%s): end of video", self.camera, self._source.url)
                self._set_state("ended", "end of video")
                return
            backoff = self._backoff_initial_s
            self._publish(frame)

    def _publish(self, frame: Frame) -> None:
        with self._changed:
            if len(self._frames) >= self._backlog:
                evicted = self._frames.popleft()
                if evicted.index > self._taken_index:
                    self._frames_dropped += 1
            if self._state == "reconnecting":
                log.info("camera %s (%s): streaming again", self.camera, self._source.url)
            self._frames.append(frame)
            self._frames_read += 1
            self._arrivals.append(self._clock.monotonic())
            self._state = "streaming"
            self._reason = None
            self._changed.notify_all()
        if self._ready is not None:
            self._ready.set()

    def _set_state(self, state: CaptureState, reason: str | None, *, reconnect: bool = False) -> None:
        with self._changed:
            self._state = state
            self._reason = reason
            if reconnect:
                self._reconnects += 1
            self._changed.notify_all()
        if self._ready is not None:
            self._ready.set()

    def _wait(self, seconds: float) -> None:
        # On the stop event, so that stop() cuts a 30 s backoff short.
        self._clock.wait(self._stop, seconds)
