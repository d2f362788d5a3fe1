"""Video files read frame by frame, timestamped index / fps, paced in real time or as fast as possible."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import cv2
import numpy as np

from watcher.clock import Clock
from watcher.errors import SourceError
from watcher.types import Frame

log = logging.getLogger("watcher.capture")

# Used only when the container does not state a frame rate, so timestamps still advance.
FALLBACK_FPS = 25.0


class FileSource:
    """A video file; `loop` starts again at the end and keeps index and timestamp increasing."""

    def __init__(
        self, camera: str, path: Path, clock: Clock, *, realtime: bool = True, loop: bool = False
    ) -> None:
        self.camera = camera
        self.url = str(path)
        self.fps: float | None = None
        self._path = path
        self._clock = clock
        self._realtime = realtime
        self._loop = loop
        self._capture: cv2.VideoCapture | None = None
        # The index keeps counting over loops and reopens, so timestamps never go back.
        self._index = 0
        self._anchor: float | None = None

    def open(self) -> None:
        """Open the file; raises SourceError when OpenCV cannot read it."""
        self.close()
        self._capture = self._open_capture()
        fps = float(self._capture.get(cv2.CAP_PROP_FPS))
        if not math.isfinite(fps) or fps <= 0:
            log.warning(
                "camera %s: %s states no frame rate; assuming %g fps", self.camera, self.url, FALLBACK_FPS
            )
            fps = FALLBACK_FPS
        self.fps = fps
        # Pacing restarts from the next frame read, so a reopen does not cause a burst to catch up.
        self._anchor = None

    def read(self) -> Frame | None:
        """The next frame, or None at the end of a file that does not loop."""
        if self._capture is None or self.fps is None:
            raise SourceError(self.camera, f"{self.url} is not open")
        ok, image = self._capture.read()
        if not ok:
            if not self._loop:
                return None
            self._capture.release()
            self._capture = self._open_capture()
            ok, image = self._capture.read()
            if not ok:
                raise SourceError(self.camera, f"{self.url} has no frames to loop over")
        timestamp = self._index / self.fps
        if self._realtime:
            self._pace(timestamp)
        frame = Frame(self.camera, self._index, timestamp, np.asarray(image, dtype=np.uint8))
        self._index += 1
        return frame

    def close(self) -> None:
        """Release the file."""
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def _open_capture(self) -> cv2.VideoCapture:
        capture = cv2.VideoCapture(str(self._path), cv2.CAP_FFMPEG)
        if not capture.isOpened():
            capture.release()
            raise SourceError(self.camera, f"cannot open video file {self.url}")
        return capture

    def _pace(self, timestamp: float) -> None:
        # Each frame is due at anchor + timestamp; sleeping towards a fixed anchor instead of
        # sleeping 1/fps per frame keeps decode time from accumulating into drift.
        now = self._clock.monotonic()
        if self._anchor is None:
            self._anchor = now - timestamp
        delay = self._anchor + timestamp - now
        if delay > 0:
            self._clock.sleep(delay)
