import logging
import time

import pytest

from tests.support.waiting import poll
from watcher.capture import CaptureThread, Source, open_source
from watcher.clock import SystemClock
from watcher.errors import SourceError
from watcher.types import Frame

from .conftest import RtspServer, camera

pytestmark = pytest.mark.rtsp

# Short timeouts keep the suite fast; the open timeout leaves room for FFmpeg's stream probing (~2 s).
TIMEOUTS = {"open_timeout_s": 5.0, "read_timeout_s": 2.0}


def capture_of(server: RtspServer) -> CaptureThread:
    clock = SystemClock()
    source = open_source(camera(server.url, **TIMEOUTS), clock)
    return CaptureThread(source, clock, backoff_initial_s=0.2, backoff_max_s=1.0)


def next_frame(capture: CaptureThread, after_index: int, timeout: float = 15.0) -> Frame:
    frame = capture.wait(after_index=after_index, timeout=timeout)
    assert frame is not None, capture.status()
    return frame


def read_until_error(source: Source) -> None:
    for _ in range(1000):
        source.read()


def test_capture_thread_reads_frames_from_a_live_rtsp_stream(rtsp_server: RtspServer) -> None:
    clock = SystemClock()
    capture = capture_of(rtsp_server)
    capture.start()
    try:
        first = next_frame(capture, -1)
        second = next_frame(capture, first.index)
    finally:
        capture.stop(timeout=5)
    assert first.size == (480, 270)
    assert second.index > first.index
    assert first.timestamp < second.timestamp <= clock.monotonic()
    assert capture.status().state == "streaming"


def test_killing_the_server_turns_status_to_reconnecting_and_logs_it(
    rtsp_server: RtspServer, caplog: pytest.LogCaptureFixture
) -> None:
    capture = capture_of(rtsp_server)
    capture.start()
    try:
        next_frame(capture, -1)
        with caplog.at_level(logging.WARNING, logger="watcher.capture"):
            rtsp_server.kill()
            assert poll(lambda: capture.status().state == "reconnecting", timeout=10), capture.status()
    finally:
        capture.stop(timeout=5)
    assert any("camera cam" in m and rtsp_server.url in m and "reconnecting" in m for m in caplog.messages), (
        caplog.messages
    )


def test_restarting_the_server_on_the_same_port_brings_frames_back(rtsp_server: RtspServer) -> None:
    capture = capture_of(rtsp_server)
    capture.start()
    try:
        before = next_frame(capture, -1)
        rtsp_server.kill()
        assert poll(lambda: capture.status().state == "reconnecting", timeout=10), capture.status()
        last = capture.latest(after_index=-1)
        assert last is not None
        rtsp_server.start()
        after = next_frame(capture, last.index, timeout=20)
        status = capture.status()
    finally:
        capture.stop(timeout=5)
    assert after.index > last.index >= before.index
    assert after.timestamp > last.timestamp
    assert status.state == "streaming"
    assert status.reconnects >= 1


def test_frozen_server_makes_read_fail_after_the_read_timeout(rtsp_server: RtspServer) -> None:
    source = open_source(camera(rtsp_server.url, **TIMEOUTS), SystemClock())
    source.open()
    try:
        assert source.read() is not None
        rtsp_server.freeze()
        frozen_at = time.monotonic()
        # Frames already buffered in the socket still arrive; then the read timeout must fire.
        with pytest.raises(SourceError, match="camera cam: no frame from"):
            read_until_error(source)
        assert time.monotonic() - frozen_at < TIMEOUTS["read_timeout_s"] + 3
    finally:
        source.close()


def test_stream_reports_the_fps_of_the_clip(rtsp_server: RtspServer) -> None:
    source = open_source(camera(rtsp_server.url, **TIMEOUTS), SystemClock())
    source.open()
    source.close()
    assert source.fps == pytest.approx(12.04, abs=0.1)
