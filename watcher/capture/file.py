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
# Unreadable frames in a row after which a file counts as ended (truncated far before its stated end).
_MAX_CORRUPT_RUN = 250


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
        # Position in the current pass over the file, and the frame count its container states.
        self._pos = 0
        self._frame_count: int | None = None
        self.frames_skipped = 0
        """Frames the container lists but FFmpeg could not decode (corrupt or truncated file)."""

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
        ok, image = self._advance(decode=True)
        if not ok or image is None:
            return None
        timestamp = self._timestamp()
        if self._realtime:
            self._pace(timestamp)
        frame = Frame(self.camera, self._index, timestamp, np.asarray(image, dtype=np.uint8))
        self._index += 1
        return frame

    @property
    def frame_count(self) -> int | None:
        """Frames in one pass over the file as its container states them; None until open or unknown."""
        return self._frame_count

    @property
    def next_timestamp(self) -> float | None:
        """Capture time of the frame the next `read` or `skip` returns; None until open."""
        return self._index / self.fps if self.fps else None

    def skip(self) -> bool:
        """Step over the next frame without converting it to BGR (grab only); False at the end.

        For frames the detect-rate throttle will not take: the decode is still needed for the frames
        after it, the colour conversion and copy are not (see docs/performance.md).
        """
        if not self._advance(decode=False)[0]:
            return False
        if self._realtime:
            self._pace(self._timestamp())
        self._index += 1
        return True

    def _timestamp(self) -> float:
        """Capture time of the frame at the current index: index / fps."""
        if not self.fps:
            raise SourceError(self.camera, f"{self.url} is not open")
        return self._index / self.fps

    def _advance(self, *, decode: bool) -> tuple[bool, np.ndarray | None]:
        """Move to the next good frame, looping if asked; (False, None) at the end."""
        if self._capture is None or self.fps is None:
            raise SourceError(self.camera, f"{self.url} is not open")
        ok, image = self._next_over_corrupt(decode)
        if ok or not self._loop:
            return ok, image
        self._capture.release()
        self._capture = self._open_capture()
        ok, image = self._next_over_corrupt(decode)
        if not ok:
            raise SourceError(self.camera, f"{self.url} has no frames to loop over")
        return ok, image

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
        count = capture.get(cv2.CAP_PROP_FRAME_COUNT)
        self._frame_count = int(count) if math.isfinite(count) and count > 0 else None
        self._pos = 0
        return capture

    def _next_over_corrupt(self, decode: bool) -> tuple[bool, np.ndarray | None]:
        """Read (or only grab) the next decodable frame; one that fails before the stated end is skipped
        and counted.

        FFmpeg resumes after a corrupt stretch, so one bad frame must not end the file. Skipped frames
        still advance the index, so later timestamps stay where the file puts them.
        """
        assert self._capture is not None
        skipped = 0
        while True:
            ok, image = self._capture.read() if decode else (self._capture.grab(), None)
            self._pos += 1
            if ok:
                return True, image
            if self._frame_count is None or self._pos > self._frame_count or skipped >= _MAX_CORRUPT_RUN:
                if skipped:
                    log.warning(
                        "camera %s: %s ends in %d unreadable frame(s)", self.camera, self.url, skipped
                    )
                return False, None
            skipped += 1
            self._index += 1
            self.frames_skipped += 1

    def _pace(self, timestamp: float) -> None:
        # Each frame is due at anchor + timestamp; sleeping towards a fixed anchor instead of
        # sleeping 1/fps per frame keeps decode time from accumulating into drift.
        now = self._clock.monotonic()
        if self._anchor is None:
            self._anchor = now - timestamp
        delay = self._anchor + timestamp - now
        if delay > 0:
            self._clock.sleep(delay)
