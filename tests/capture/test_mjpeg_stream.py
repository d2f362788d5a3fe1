from collections.abc import Iterator

import pytest

from tests.support.waiting import poll
from watcher.capture import CaptureThread, open_source
from watcher.clock import SystemClock

from .conftest import PEOPLE, camera
from .mjpeg_server import MjpegServer


@pytest.fixture
def mjpeg_server() -> Iterator[MjpegServer]:
    server = MjpegServer(PEOPLE)
    yield server
    server.close()


def test_capture_thread_reads_frames_from_an_http_mjpeg_stream(mjpeg_server: MjpegServer) -> None:
    clock = SystemClock()
    source = open_source(camera(mjpeg_server.url, open_timeout_s=5.0, read_timeout_s=2.0), clock)
    capture = CaptureThread(source, clock)
    capture.start()
    try:
        first = capture.wait(timeout=10)
        assert first is not None, capture.status()
        second = capture.wait(after_index=first.index, timeout=10)
    finally:
        capture.stop(timeout=5)
    assert second is not None
    assert first.size == (480, 270)
    assert second.index > first.index


def test_mjpeg_server_going_away_turns_status_to_reconnecting(mjpeg_server: MjpegServer) -> None:
    clock = SystemClock()
    source = open_source(camera(mjpeg_server.url, open_timeout_s=5.0, read_timeout_s=2.0), clock)
    capture = CaptureThread(source, clock, backoff_initial_s=5.0)
    capture.start()
    try:
        assert capture.wait(timeout=10) is not None, capture.status()
        mjpeg_server.close()
        assert poll(lambda: capture.status().state == "reconnecting", timeout=10), capture.status()
    finally:
        capture.stop(timeout=5)
