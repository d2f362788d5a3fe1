"""Live sources through OpenCV: RTSP and HTTP MJPEG via FFmpeg with open/read timeouts, and USB cameras."""

from __future__ import annotations

import math
import os

import cv2
import numpy as np

from watcher.clock import Clock
from watcher.errors import SourceError
from watcher.source_url import redact_url
from watcher.types import Frame

_FFMPEG_OPTIONS = "OPENCV_FFMPEG_CAPTURE_OPTIONS"
# TCP survives lossy Wi-Fi and NAT better than RTSP's default UDP, which smears frames on packet loss.
_DEFAULT_FFMPEG_OPTIONS = "rtsp_transport;tcp"


class StreamSource:
    """A live camera; each frame is timestamped with the clock at the moment it was grabbed."""

    def __init__(
        self, camera: str, target: str | int, clock: Clock, *, open_timeout_s: float, read_timeout_s: float
    ) -> None:
        self.camera = camera
        self.url = f"usb:{target}" if isinstance(target, int) else redact_url(target)
        self.fps: float | None = None
        self._target = target
        self._clock = clock
        self._open_timeout_s = open_timeout_s
        self._read_timeout_s = read_timeout_s
        self._capture: cv2.VideoCapture | None = None
        # Kept across reopens so frame indices of one camera only ever increase.
        self._index = 0
        # OpenCV reads this at every open; set it here (not in the capture thread) and never
        # override what the user chose.
        os.environ.setdefault(_FFMPEG_OPTIONS, _DEFAULT_FFMPEG_OPTIONS)

    def open(self) -> None:
        """Connect; raises SourceError when the camera refuses or does not answer within the open timeout."""
        self.close()
        capture = self._new_capture()
        if not capture.isOpened():
            capture.release()
            raise SourceError(
                self.camera,
                f"cannot open {self.url} (refused, not found or no answer in {self._open_timeout_s:g} s)",
            )
        fps = float(capture.get(cv2.CAP_PROP_FPS))
        self.fps = fps if math.isfinite(fps) and 0 < fps <= 1000 else None
        self._capture = capture

    def read(self) -> Frame | None:
        """The next frame; raises SourceError when the stream stops or is silent past the read timeout."""
        if self._capture is None:
            raise SourceError(self.camera, f"{self.url} is not open")
        started = self._clock.monotonic()
        grabbed = self._capture.grab()
        timestamp = self._clock.monotonic()
        # After FFmpeg's read timeout fires, OpenCV still returns a few frames drained from the
        # decoder before it fails; a grab that took the whole timeout is the stall itself.
        if not grabbed or timestamp - started >= self._read_timeout_s:
            raise SourceError(
                self.camera,
                f"no frame from {self.url} (stream ended or silent for {self._read_timeout_s:g} s)",
            )
        ok, image = self._capture.retrieve()
        if not ok or image is None:
            raise SourceError(self.camera, f"cannot decode a frame from {self.url}")
        frame = Frame(self.camera, self._index, timestamp, np.asarray(image, dtype=np.uint8))
        self._index += 1
        return frame

    def close(self) -> None:
        """Disconnect."""
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def _new_capture(self) -> cv2.VideoCapture:
        if isinstance(self._target, int):
            # Timeouts are FFmpeg-backend properties; local devices do not hang the way networks do.
            return cv2.VideoCapture(self._target)
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            round(self._open_timeout_s * 1000),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            round(self._read_timeout_s * 1000),
        ]
        return cv2.VideoCapture(self._target, cv2.CAP_FFMPEG, params)
