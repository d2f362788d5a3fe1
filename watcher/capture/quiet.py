"""OpenCV's and FFmpeg's own log lines off: watcher says what failed, in one line of its own."""

from __future__ import annotations

import os

import cv2

# FFmpeg's AV_LOG_QUIET; OpenCV reads this when it first opens a file or stream.
_FFMPEG_QUIET = "-8"


def quiet_opencv() -> None:
    """Silence `[ WARN:0@…] global cap.cpp…` and FFmpeg's `[tcp @ …]` lines; a user's env vars win."""
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", _FFMPEG_QUIET)
    if "OPENCV_LOG_LEVEL" not in os.environ:
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
