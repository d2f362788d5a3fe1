from pathlib import Path

import pytest

from watcher.capture import FileSource, StreamSource, demo_path, open_source
from watcher.clock import FakeClock
from watcher.config import CameraConfig
from watcher.errors import SourceError

from .conftest import DATA, PEOPLE, camera


def test_relative_file_path_resolves_against_the_config_folder() -> None:
    source = open_source(camera(PEOPLE.name), FakeClock(), base_dir=DATA)
    assert isinstance(source, FileSource)
    assert source.url == str(PEOPLE)


def test_file_url_opens_the_file() -> None:
    assert isinstance(open_source(camera(f"file://{PEOPLE}"), FakeClock()), FileSource)


def test_missing_file_raises_source_error_naming_the_camera(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"camera cam: video file not found: .*nope\.mp4") as info:
        open_source(camera("nope.mp4"), FakeClock(), base_dir=tmp_path)
    assert info.value.camera == "cam"


def _unvalidated(url: str) -> CameraConfig:
    """A camera the config loader would reject (tests/test_config.py), as code can still build one."""
    return CameraConfig.model_construct(name="cam", url=url)


@pytest.mark.parametrize(
    "url",
    ["ftp://host/clip.mp4", "rtsp://", "http:///path", "rtsp://host:notaport/x", "usb:front", "usb:", "  "],
)
def test_malformed_url_raises_source_error_naming_the_camera(url: str) -> None:
    with pytest.raises(SourceError, match=r"^camera cam: bad url") as info:
        open_source(_unvalidated(url), FakeClock())
    assert info.value.camera == "cam"


def test_malformed_url_error_does_not_show_the_password() -> None:
    with pytest.raises(SourceError) as info:
        open_source(_unvalidated("rtsp://admin:hunter2@cam:99999/x"), FakeClock())
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize(
    "url", ["rtsp://cam.local/live", "rtsps://cam.local/live", "https://cam.local/v.mjpg", "usb:0"]
)
def test_stream_and_usb_urls_give_a_stream_source(url: str) -> None:
    assert isinstance(open_source(camera(url), FakeClock()), StreamSource)


def test_stream_source_url_is_redacted() -> None:
    source = open_source(camera("rtsp://user:pass@cam.local/live"), FakeClock())
    assert source.url == "rtsp://***@cam.local/live"


def test_demo_is_the_packaged_clip_looped_in_real_time() -> None:
    clock = FakeClock()
    source = open_source(camera("demo"), clock)
    assert isinstance(source, FileSource)
    assert source.url == str(demo_path())
    source.open()
    try:
        frames = [source.read() for _ in range(3)]
    finally:
        source.close()
    assert [f.index for f in frames if f is not None] == [0, 1, 2]
    assert source.fps is not None
    assert clock.monotonic() == pytest.approx(2 / source.fps)


def test_file_realtime_defaults_to_true_when_config_leaves_it_unset() -> None:
    clock = FakeClock()
    source = open_source(camera(str(PEOPLE)), clock)
    source.open()
    try:
        source.read()
        source.read()
    finally:
        source.close()
    assert clock.monotonic() > 0
