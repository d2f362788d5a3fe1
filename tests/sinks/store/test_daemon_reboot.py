"""The daemon on a live camera across a reboot of its host: the rule active before the power cut ends
after it with its start moved onto the new monotonic clock (docs/store.md, "Restarts")."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.capture.mjpeg_server import MjpegServer
from watcher import config
from watcher.cli import main
from watcher.daemon import Daemon
from watcher.sinks import EventStore
from watcher.sinks.store.recovery import load_states
from watcher.testing import FakeSink, HostClock, ScriptedDetector
from watcher.types import EventType

DATA = Path(__file__).parents[2] / "data"
WORKER = [("person", 0.9, (20.0, 100.0, 60.0, 200.0))]
"""A worker standing in zone left_of_tape (bottom centre at 0.08, 0.74 of 480x270)."""
W0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def camera() -> Iterator[MjpegServer]:
    server = MjpegServer(DATA / "worker-zone-detection.mp4", fps=15.0)
    yield server
    server.close()


def _config(tmp_path: Path, url: str) -> Path:
    text = (DATA / "worker.toml").read_text()
    text = text.replace('url = "worker-zone-detection.mp4"', f'url = "{url}"')
    text = text.replace("realtime = false", '[cameras.motion]\ndetect_when = "always"')
    text = text.replace("[store]\nenabled = false", "[store]\nenabled = true")
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def _run(path: Path, clock: HostClock, worker_calls: int) -> list[EventType]:
    """Run the daemon until its first event, then stop it (saving every rule state)."""
    sink = FakeSink()
    detector = ScriptedDetector([WORKER] * worker_calls)
    daemon = Daemon(config.load(path), path.parent, clock=clock, detector=detector, extra_sinks=[sink])
    runner = threading.Thread(target=daemon.run)
    runner.start()
    try:
        assert sink.wait_for_events(1, timeout=30), daemon.status()
    finally:
        daemon.stop()
        runner.join(timeout=10)
    assert not runner.is_alive()
    return [e.type for e in sink.events]


def test_rule_active_before_a_reboot_ends_after_it_with_the_wall_clock_span(
    tmp_path: Path, camera: MjpegServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _config(tmp_path, camera.url)
    db = tmp_path / "watcher.db"
    # The host has been up 5000 s when the worker comes.
    assert _run(path, HostClock(5000.0, W0), worker_calls=100_000) == [EventType.START]
    (saved,) = load_states(db)
    assert saved.active
    # A 2 h power cut: the host is up again for 10 s, 2 h after the first run began. The worker
    # stays 15 detector calls (1 s) more, then leaves.
    assert _run(path, HostClock(10.0, W0 + timedelta(hours=2)), worker_calls=15) == [EventType.END]

    store = EventStore(db)
    started, ended = store.events()
    store.close()
    assert (started.type, ended.type) == (EventType.START, EventType.END)
    assert ended.end_time is not None
    assert ended.end_time >= 10.0
    # Wall minus capture time was W0 - 5000 s in the first run and W0 + 2 h - 10 s in the second:
    # the start moves by their difference, so the span is the real one, power cut included. The
    # engine reads the wall clock when it processes a frame, a few ms after its capture (at most the
    # worker's backlog of 4 frames, 0.27 s at 15 fps), so each run's difference is off by that much.
    moved = started.start_time - 5000.0 - (7200.0 - 10.0)
    assert ended.start_time == pytest.approx(moved, abs=0.6)
    assert ended.start_time <= ended.end_time

    assert main(["events", "--json", "-c", str(path)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["type"], e["start_time"], e["end_time"]) for e in lines] == [
        ("start", round(started.start_time, 3), None),
        ("end", round(ended.start_time, 3), round(ended.end_time, 3)),
    ]
