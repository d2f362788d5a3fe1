import logging
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.support.waiting import free_port, poll
from watcher.capture import CaptureThread, StreamSource, open_source
from watcher.clock import FakeClock, SystemClock
from watcher.errors import SourceError

from .conftest import camera


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never sends a byte, like a hung camera."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)
    accepted: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        while not done.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    done.set()
    thread.join(5)
    for conn in accepted:
        conn.close()
    listener.close()


def stream(url: str, open_timeout_s: float = 1.0, read_timeout_s: float = 1.0) -> StreamSource:
    return StreamSource(
        "cam", url, SystemClock(), open_timeout_s=open_timeout_s, read_timeout_s=read_timeout_s
    )


@pytest.mark.parametrize("scheme", ["rtsp", "http"])
def test_open_on_a_server_that_sends_nothing_gives_up_after_the_open_timeout(
    silent_server: int, scheme: str
) -> None:
    source = stream(f"{scheme}://127.0.0.1:{silent_server}/cam", open_timeout_s=1.0)
    started = time.monotonic()
    with pytest.raises(SourceError, match="camera cam: cannot open"):
        source.open()
    assert time.monotonic() - started < 4


def test_open_on_a_closed_port_fails_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"camera cam: cannot open rtsp://127\.0\.0\.1"):
        stream(f"rtsp://127.0.0.1:{free_port()}/cam").open()
    assert time.monotonic() - started < 4


def test_read_before_open_raises_source_error() -> None:
    with pytest.raises(SourceError, match="is not open"):
        stream("rtsp://127.0.0.1:1/cam").read()


def test_hung_server_turns_capture_to_reconnecting_within_the_timeout(silent_server: int) -> None:
    source = open_source(camera(f"rtsp://127.0.0.1:{silent_server}/cam", open_timeout_s=1.0), SystemClock())
    capture = CaptureThread(source, SystemClock(), backoff_initial_s=10.0)
    capture.start()
    try:
        assert poll(lambda: capture.status().state == "reconnecting", timeout=5)
    finally:
        assert capture.stop(timeout=5)


def test_reconnect_warning_never_shows_the_password(caplog: pytest.LogCaptureFixture) -> None:
    url = f"rtsp://admin:hunter2@127.0.0.1:{free_port()}/cam"
    capture = CaptureThread(open_source(camera(url), FakeClock()), SystemClock(), backoff_initial_s=10.0)
    with caplog.at_level(logging.WARNING, logger="watcher.capture"):
        capture.start()
        assert poll(lambda: bool(caplog.records), timeout=5)
        assert capture.stop(timeout=5)
    assert "rtsp://***@127.0.0.1" in caplog.text
    assert "hunter2" not in caplog.text
