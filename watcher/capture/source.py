"""The `Source` protocol every camera reader implements, and `open_source` which picks one by URL."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import watcher
from watcher.clock import Clock
from watcher.config import CameraConfig, Config
from watcher.errors import ConfigError, SourceError
from watcher.source_url import SourceKind, file_path, redact_url, source_kind, usb_index
from watcher.types import Frame

from .file import FileSource
from .quiet import quiet_opencv
from .stream import StreamSource


class Source(Protocol):
    """A camera reader; `read` is called from one capture thread only."""

    camera: str
    url: str
    """The URL or path with credentials redacted: safe to log."""
    fps: float | None
    """Frames per second the source reports, once open; None when it does not say."""

    def open(self) -> None:
        """Connect or open the file; raises SourceError."""
        ...

    def read(self) -> Frame | None:
        """The next frame; None when a file without loop has ended; raises SourceError."""
        ...

    def close(self) -> None:
        """Release the device, connection or file; safe to call twice."""
        ...


def demo_path() -> Path:
    """The demo clip shipped inside the package."""
    return Path(watcher.__file__).parent / "data" / "demo.mp4"


def open_source(cam: CameraConfig, clock: Clock, base_dir: Path | None = None) -> Source:
    """The source for a camera's URL (not yet opened); relative file paths resolve against base_dir."""
    quiet_opencv()
    try:
        kind = source_kind(cam.url)
    except ValueError as exc:
        raise SourceError(cam.name, f"bad url {redact_url(cam.url)!r}: {exc}") from None
    if kind == "stream":
        return StreamSource(
            cam.name,
            cam.url.strip(),
            clock,
            open_timeout_s=cam.open_timeout_s,
            read_timeout_s=cam.read_timeout_s,
        )
    if kind == "usb":
        return StreamSource(
            cam.name,
            usb_index(cam.url),
            clock,
            open_timeout_s=cam.open_timeout_s,
            read_timeout_s=cam.read_timeout_s,
        )
    if kind == "demo":
        return FileSource(cam.name, _existing_file(cam.name, demo_path()), clock, realtime=True, loop=True)
    path = _file_of(cam.url, base_dir)
    realtime = True if cam.realtime is None else cam.realtime
    return FileSource(cam.name, _existing_file(cam.name, path), clock, realtime=realtime, loop=cam.loop)


def video_file_error(
    camera: CameraConfig, index: int, base_dir: Path | None, file: str | None = None, *, detect: bool = True
) -> ConfigError | None:
    """A `ConfigError` at `cameras[index].url` when the camera reads a file that does not exist.

    With `detect`, the stream the pipeline reads: `detect_url` when set (reported there), else `url`.
    """
    key = "detect_url" if detect and camera.detect_url else "url"
    url: str = getattr(camera, key)
    if _kind(url) != "file":
        return None
    path = _file_of(url, base_dir)
    if path.is_file():
        return None
    return ConfigError(f"video file not found: {path}", file=file, key=f"cameras[{index}].{key}")


def missing_video_files(
    config: Config, base_dir: Path | None, file: str | None = None
) -> dict[str, ConfigError]:
    """Per enabled camera whose pipeline would read a video file that does not exist, its `ConfigError`."""
    errors = {
        camera.name: video_file_error(camera, i, base_dir, file)
        for i, camera in enumerate(config.cameras)
        if camera.enabled
    }
    return {name: error for name, error in errors.items() if error is not None}


def _kind(url: str) -> SourceKind | None:
    """The URL's kind; None when malformed (the config model reports that at its key)."""
    try:
        return source_kind(url)
    except ValueError:
        return None


def detect_stream(cam: CameraConfig) -> CameraConfig:
    """The camera as the pipeline reads it: its `detect_url` substream in place of `url` when set."""
    return cam.model_copy(update={"url": cam.detect_url}) if cam.detect_url else cam


def _file_of(url: str, base_dir: Path | None) -> Path:
    """The video file a file URL names; relative paths resolve against base_dir (or the current folder)."""
    path = Path(file_path(url)).expanduser()
    return path if path.is_absolute() else (base_dir or Path.cwd()) / path


def _existing_file(camera: str, path: Path) -> Path:
    if not path.is_file():
        raise SourceError(camera, f"video file not found: {path}")
    return path
