from pathlib import Path

import cv2
import numpy as np
import pytest

from watcher.capture import FileSource
from watcher.clock import FakeClock
from watcher.types import Frame

from .conftest import PEOPLE, TRAFFIC

PEOPLE_FRAMES = 23
TRAFFIC_FRAMES = 41


def read_all(source: FileSource, limit: int = 1000) -> list[Frame]:
    frames = []
    for _ in range(limit):
        frame = source.read()
        if frame is None:
            break
        frames.append(frame)
    return frames


def opened(path: Path, clock: FakeClock, *, realtime: bool = True, loop: bool = False) -> FileSource:
    source = FileSource("cam", path, clock, realtime=realtime, loop=loop)
    source.open()
    return source


def test_fps_is_the_rate_the_file_states() -> None:
    source = opened(TRAFFIC, FakeClock())
    assert source.fps == pytest.approx(4100 / 341, rel=1e-6)


def test_timestamps_are_index_over_fps_exactly() -> None:
    source = opened(TRAFFIC, FakeClock(), realtime=False)
    frames = read_all(source)
    assert source.fps is not None
    assert [f.index for f in frames] == list(range(TRAFFIC_FRAMES))
    assert [f.timestamp for f in frames] == [i / source.fps for i in range(TRAFFIC_FRAMES)]


def test_frames_are_bgr_uint8_images_of_the_clip_size_for_the_camera() -> None:
    frame = opened(PEOPLE, FakeClock()).read()
    assert frame is not None
    assert frame.camera == "cam"
    assert frame.image.dtype == np.uint8
    assert frame.image.shape == (270, 480, 3)


def test_first_frame_matches_what_opencv_decodes() -> None:
    frame = opened(PEOPLE, FakeClock(), realtime=False).read()
    _, expected = cv2.VideoCapture(str(PEOPLE)).read()
    assert frame is not None
    assert np.array_equal(frame.image, expected)


def test_end_of_file_without_loop_reads_none() -> None:
    source = opened(PEOPLE, FakeClock(), realtime=False)
    assert len(read_all(source)) == PEOPLE_FRAMES
    assert source.read() is None


def test_loop_keeps_index_and_timestamp_increasing_over_the_end() -> None:
    source = opened(PEOPLE, FakeClock(), realtime=False, loop=True)
    frames = [source.read() for _ in range(2 * PEOPLE_FRAMES + 5)]
    assert source.fps is not None
    assert [f.index for f in frames if f is not None] == list(range(2 * PEOPLE_FRAMES + 5))
    assert [f.timestamp for f in frames if f is not None] == [
        i / source.fps for i in range(2 * PEOPLE_FRAMES + 5)
    ]


def test_loop_starts_again_with_the_first_image() -> None:
    source = opened(PEOPLE, FakeClock(), realtime=False, loop=True)
    frames = [source.read() for _ in range(PEOPLE_FRAMES + 1)]
    assert frames[0] is not None
    assert frames[-1] is not None
    assert np.array_equal(frames[-1].image, frames[0].image)


def test_realtime_false_reads_without_sleeping() -> None:
    clock = FakeClock()
    read_all(opened(PEOPLE, clock, realtime=False))
    assert clock.monotonic() == 0.0


def test_realtime_paces_each_frame_to_its_timestamp() -> None:
    clock = FakeClock(start=100.0)
    source = opened(PEOPLE, clock, realtime=True)
    assert source.fps is not None
    for i in range(10):
        frame = source.read()
        assert frame is not None
        assert clock.monotonic() == pytest.approx(100.0 + i / source.fps)


def test_realtime_does_not_drift_when_reading_takes_time() -> None:
    clock = FakeClock()
    source = opened(PEOPLE, clock, realtime=True)
    assert source.fps is not None
    for _ in range(PEOPLE_FRAMES):
        source.read()
        clock.advance(0.3 / source.fps)  # the consumer's work eats part of each frame interval
    assert clock.monotonic() == pytest.approx((PEOPLE_FRAMES - 1 + 0.3) / source.fps)


def test_realtime_loop_keeps_pacing_across_the_end_of_the_clip() -> None:
    clock = FakeClock()
    source = opened(PEOPLE, clock, realtime=True, loop=True)
    assert source.fps is not None
    for _ in range(PEOPLE_FRAMES + 3):
        source.read()
    assert clock.monotonic() == pytest.approx((PEOPLE_FRAMES + 2) / source.fps)


def test_reopening_continues_the_index() -> None:
    source = opened(PEOPLE, FakeClock(), realtime=False)
    source.read()
    source.read()
    source.open()
    frame = source.read()
    assert frame is not None
    assert frame.index == 2
