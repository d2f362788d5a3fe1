"""A looping video file that times each decode and records when each frame arrived."""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

from watcher.capture.file import FileSource
from watcher.clock import SystemClock
from watcher.types import Frame

# Arrival times of frames the worker never took (dropped) are forgotten this many frames later.
_KEEP_ARRIVALS = 256


class TimedFileSource:
    """`FileSource` (looping) whose reads are timed; in real time it paces *after* decoding.

    FileSource paces inside `read`, which would count sleep as decode time, so pacing is done here
    on the same fixed-anchor grid instead.
    """

    def __init__(self, camera: str, path: Path, *, realtime: bool, start_fraction: float = 0.0) -> None:
        self._inner = FileSource(camera, path, SystemClock(), realtime=False, loop=True)
        self._start_fraction = start_fraction
        self._realtime = realtime
        self._anchor: float | None = None
        self.camera = camera
        self.url = self._inner.url
        self.fps: float | None = None
        self.decode_ms: deque[float] = deque(maxlen=5000)
        self.frames_read = 0
        self.arrivals: dict[int, float] = {}
        """Frame index to `time.perf_counter()` when the frame was ready (capture time)."""

    def open(self) -> None:
        """Open the file (raises SourceError)."""
        self._inner.open()
        self.fps = self._inner.fps
        for _ in range(int((self._inner.frame_count or 0) * self._start_fraction)):
            self._inner.skip()
        self._anchor = None

    def read(self) -> Frame | None:
        """The next frame (the file loops, so never None)."""
        start = time.perf_counter()
        frame = self._inner.read()
        self.decode_ms.append((time.perf_counter() - start) * 1000.0)
        if frame is None:
            return None
        if self._realtime and self.fps:
            self._pace(frame.timestamp)
        self.arrivals[frame.index] = time.perf_counter()
        self.arrivals.pop(frame.index - _KEEP_ARRIVALS, None)
        self.frames_read += 1
        return frame

    def close(self) -> None:
        """Release the file."""
        self._inner.close()

    def _pace(self, timestamp: float) -> None:
        now = time.perf_counter()
        if self._anchor is None:
            self._anchor = now - timestamp
        delay = self._anchor + timestamp - now
        if delay > 0:
            time.sleep(delay)
