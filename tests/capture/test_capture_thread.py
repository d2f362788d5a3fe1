import gc
import logging
import threading
import time
import weakref
from collections.abc import Iterator

import numpy as np
import pytest

from tests.support.waiting import poll
from watcher.capture import CaptureThread, FakeSource, FileSource
from watcher.clock import FakeClock, SystemClock
from watcher.errors import SourceError
from watcher.types import Frame

from .conftest import PEOPLE


def frame(index: int) -> Frame:
    return Frame("cam", index, index / 10, np.zeros((4, 4, 3), dtype=np.uint8))


def run_to_end(capture: CaptureThread) -> None:
    capture.start()
    wait_until_ended(capture)


def wait_until_ended(capture: CaptureThread) -> None:
    assert poll(lambda: capture.status().state in ("ended", "error"), timeout=10)
    assert capture.stop(timeout=5)


def test_consumer_slower_than_producer_sees_only_the_newest_frame() -> None:
    capture = CaptureThread(FakeSource.counting(50, camera="cam"), FakeClock())
    run_to_end(capture)
    newest = capture.latest()
    assert newest is not None
    assert newest.index == 49


def test_frames_replaced_before_being_read_count_as_dropped() -> None:
    capture = CaptureThread(FakeSource.counting(50, camera="cam"), FakeClock())
    run_to_end(capture)
    status = capture.status()
    assert (status.frames_read, status.frames_dropped) == (50, 49)


def test_a_backlog_hands_over_the_newest_frames_oldest_first_and_drops_the_rest() -> None:
    capture = CaptureThread(FakeSource.counting(10, camera="cam"), FakeClock(), backlog=3)
    run_to_end(capture)
    handed = [capture.next(), capture.next(), capture.next(), capture.next()]
    assert [f.index if f else None for f in handed] == [7, 8, 9, None]
    assert capture.status().frames_dropped == 7


def test_next_skips_frames_the_consumer_has_already_seen() -> None:
    capture = CaptureThread(FakeSource.counting(5, camera="cam"), FakeClock(), backlog=4)
    run_to_end(capture)
    got = capture.next(after_index=2)
    assert got is not None
    assert got.index == 3


def test_a_consumer_that_keeps_up_through_a_backlog_drops_nothing() -> None:
    gate = threading.Semaphore(0)

    def script() -> Iterator[Frame]:
        for i in range(6):
            gate.acquire()
            yield frame(i)

    capture = CaptureThread(FakeSource(script(), camera="cam"), FakeClock(), backlog=3)
    capture.start()
    for _ in range(3):  # three frames arrive while the consumer is busy elsewhere
        gate.release()
    assert poll(lambda: capture.status().frames_read == 3, timeout=5)
    seen = [f.index for f in iter(capture.next, None)]
    for _ in range(3):
        gate.release()
    wait_until_ended(capture)
    seen += [f.index for f in iter(capture.next, None)]
    assert seen == [0, 1, 2, 3, 4, 5]
    assert capture.status().frames_dropped == 0


def test_frames_read_by_the_consumer_do_not_count_as_dropped() -> None:
    gate = threading.Semaphore(0)

    def script() -> Iterator[Frame]:
        for i in range(5):
            gate.acquire()
            yield frame(i)

    capture = CaptureThread(FakeSource(script(), camera="cam"), FakeClock())
    capture.start()
    seen: list[int] = []
    for _ in range(5):
        gate.release()
        got = capture.wait(after_index=seen[-1] if seen else -1, timeout=5)
        assert got is not None
        seen.append(got.index)
    assert capture.stop(timeout=5)
    assert seen == [0, 1, 2, 3, 4]
    assert capture.status().frames_dropped == 0


def test_slot_keeps_no_more_than_one_frame_alive() -> None:
    images: list[weakref.ref[np.ndarray]] = []

    def script() -> Iterator[Frame]:
        for i in range(200):
            image = np.zeros((120, 160, 3), dtype=np.uint8)
            images.append(weakref.ref(image))
            yield Frame("cam", i, i / 10, image)

    capture = CaptureThread(FakeSource(script(), camera="cam"), FakeClock())
    run_to_end(capture)
    gc.collect()
    assert sum(ref() is not None for ref in images) == 1


def test_latest_returns_none_when_nothing_is_newer_than_after_index() -> None:
    capture = CaptureThread(FakeSource.counting(3, camera="cam"), FakeClock())
    run_to_end(capture)
    assert capture.latest(after_index=2) is None


def test_latest_never_blocks_before_the_first_frame() -> None:
    capture = CaptureThread(FakeSource([], camera="cam"), FakeClock())
    assert capture.latest() is None


def test_wait_returns_none_at_once_when_the_source_has_ended() -> None:
    capture = CaptureThread(FakeSource.counting(3, camera="cam"), FakeClock())
    run_to_end(capture)
    started = time.monotonic()
    assert capture.wait(after_index=2, timeout=10) is None
    assert time.monotonic() - started < 1


def test_wait_times_out_with_none_while_no_frame_comes() -> None:
    blocked = threading.Event()

    def script() -> Iterator[Frame]:
        blocked.wait(10)
        yield frame(0)

    capture = CaptureThread(FakeSource(script(), camera="cam"), FakeClock())
    capture.start()
    assert capture.wait(timeout=0.05) is None
    blocked.set()
    assert capture.stop(timeout=5)


def test_file_that_ends_without_loop_turns_state_to_ended() -> None:
    capture = CaptureThread(FileSource("cam", PEOPLE, FakeClock(), realtime=False), FakeClock())
    run_to_end(capture)
    status = capture.status()
    assert (status.state, status.reason, status.frames_read) == ("ended", "end of video", 23)


def test_read_error_reconnects_with_doubling_backoff_reset_by_a_good_frame() -> None:
    clock = FakeClock()
    error = SourceError("cam", "stream stalled")
    source = FakeSource([frame(0), error, error, error, frame(1), error, frame(2)], camera="cam")
    capture = CaptureThread(source, clock, backoff_initial_s=0.5, backoff_max_s=30.0)
    run_to_end(capture)
    assert clock.monotonic() == pytest.approx(0.5 + 1.0 + 2.0 + 0.5)
    assert capture.status().reconnects == 4
    assert source.opens == 5


def test_backoff_is_capped_at_backoff_max() -> None:
    clock = FakeClock()
    source = FakeSource([SourceError("cam", "down")] * 5, camera="cam")
    run_to_end(CaptureThread(source, clock, backoff_initial_s=1.0, backoff_max_s=3.0))
    assert clock.monotonic() == pytest.approx(1 + 2 + 3 + 3 + 3)


def test_open_failure_is_retried_like_a_read_failure() -> None:
    source = FakeSource([frame(0)], camera="cam", open_errors=[SourceError("cam", "refused")])
    capture = CaptureThread(source, FakeClock())
    run_to_end(capture)
    assert (source.opens, capture.status().frames_read, capture.status().reconnects) == (2, 1, 1)


def test_read_failure_logs_a_warning_naming_camera_and_url(caplog: pytest.LogCaptureFixture) -> None:
    source = FakeSource([SourceError("cam", "stream stalled")], camera="cam")
    with caplog.at_level(logging.WARNING, logger="watcher.capture"):
        run_to_end(CaptureThread(source, FakeClock()))
    assert "camera cam (fake://cam): stream stalled; reconnecting in 0.5 s" in caplog.messages


def test_status_while_reconnecting_gives_the_reason() -> None:
    source = FakeSource([SourceError("cam", "stream stalled")], camera="cam")
    capture = CaptureThread(source, SystemClock(), backoff_initial_s=30.0)
    capture.start()
    assert poll(lambda: capture.status().state == "reconnecting", timeout=5)
    assert capture.status().reason == "stream stalled"
    assert capture.stop(timeout=5)


def test_stop_interrupts_a_long_backoff_wait_promptly() -> None:
    source = FakeSource([SourceError("cam", "down")], camera="cam")
    capture = CaptureThread(source, SystemClock(), backoff_initial_s=30.0)
    capture.start()
    assert poll(lambda: capture.status().state == "reconnecting", timeout=5)
    started = time.monotonic()
    assert capture.stop(timeout=5)
    assert time.monotonic() - started < 1
    assert not source.is_open


def test_unexpected_exception_turns_state_to_error_and_closes_the_source() -> None:
    source = FakeSource([frame(0), RuntimeError("bug")], camera="cam")
    capture = CaptureThread(source, FakeClock())
    run_to_end(capture)
    assert capture.status().state == "error"
    assert source.closes >= 1
    assert not source.is_open


def test_fps_is_measured_over_recent_frames_by_the_clock() -> None:
    clock = FakeClock()

    def script() -> Iterator[Frame]:
        for i in range(10):
            clock.advance(0.25)
            yield frame(i)

    capture = CaptureThread(FakeSource(script(), camera="cam"), clock)
    run_to_end(capture)
    assert capture.status().fps == pytest.approx(4.0)


def test_starting_twice_is_an_error() -> None:
    capture = CaptureThread(FakeSource([], camera="cam"), FakeClock())
    capture.start()
    with pytest.raises(RuntimeError):
        capture.start()
    capture.stop()
