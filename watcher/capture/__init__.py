"""Capture: camera sources (RTSP, HTTP MJPEG, files, USB, demo) and one latest-frame capture thread each."""

from watcher.source_url import redact_url

from .fake import FakeSource
from .file import FileSource
from .source import (
    Source,
    demo_path,
    detect_stream,
    missing_video_files,
    open_source,
    video_file_error,
)
from .stream import StreamSource
from .thread import CaptureState, CaptureStatus, CaptureThread

__all__ = [
    "CaptureState",
    "CaptureStatus",
    "CaptureThread",
    "FakeSource",
    "FileSource",
    "Source",
    "StreamSource",
    "demo_path",
    "detect_stream",
    "missing_video_files",
    "open_source",
    "redact_url",
    "video_file_error",
]
