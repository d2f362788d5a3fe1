"""The frame-ready event a capture thread sets, which the worker waits on instead of polling."""

from __future__ import annotations

import threading

from watcher.capture import CaptureThread, FakeSource
from watcher.clock import FakeClock, SystemClock


def test_a_new_frame_sets_the_ready_event_and_is_then_waiting() -> None:
    ready = threading.Event()
    capture = CaptureThread(FakeSource.counting(1, camera="cam"), FakeClock(), backlog=4, ready=ready)
    capture.start()
    try:
        assert ready.wait(10)
        frame = capture.next()
        assert frame is not None
        assert frame.index == 0
    finally:
        assert capture.stop(timeout=5)


def test_the_end_of_a_video_sets_the_ready_event_too() -> None:
    ready = threading.Event()
    capture = CaptureThread(FakeSource([], camera="cam"), FakeClock(), ready=ready)
    capture.start()
    try:
        assert ready.wait(10)
    finally:
        assert capture.stop(timeout=5)
    assert capture.status().state == "ended"


def test_a_fake_clock_waits_without_sleeping_and_a_set_event_ends_any_wait_at_once() -> None:
    clock, event = FakeClock(), threading.Event()
    assert clock.wait(event, 30.0) is False
    assert clock.monotonic() == 30.0
    event.set()
    assert clock.wait(event, 30.0) is True
    assert clock.monotonic() == 30.0
    assert SystemClock().wait(event, 30.0) is True
