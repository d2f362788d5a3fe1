"""The daemon with `[mqtt]` on: real clip, real detector, events and commands over a real broker."""

from __future__ import annotations

import threading
from pathlib import Path

from tests.sinks.mqtt.helpers import Recorder, publish
from tests.support.mosquitto import Mosquitto
from watcher import config
from watcher.daemon import Daemon
from watcher.testing import FakeSink
from watcher.types import EventType

DATA = Path(__file__).resolve().parents[2] / "data"
RULE = "worker_left_of_tape"


def _daemon(tmp_path: Path, port: int, sink: FakeSink) -> Daemon:
    text = (DATA / "worker.toml").read_text()
    text = text.replace('url = "worker-zone-detection.mp4"', f'url = "{DATA / "worker-zone-detection.mp4"}"')
    text = text.replace("realtime = false", "realtime = true")
    text += f"\n[mqtt]\nenabled = true\nport = {port}\n"
    return Daemon(config.loads(text, file=str(tmp_path / "config.toml")), tmp_path, extra_sinks=[sink])


def test_the_daemon_publishes_its_events_and_obeys_a_rule_switch(
    tmp_path: Path, mosquitto: Mosquitto, recorder: Recorder
) -> None:
    sink = FakeSink()
    daemon = _daemon(tmp_path, mosquitto.port, sink)
    runner = threading.Thread(target=daemon.run)
    runner.start()
    try:
        assert sink.wait_for_events(1, timeout=30)
        assert recorder.wait_for("watcher/events")
        assert recorder.wait_for(f"watcher/floor/{RULE}/state", b"ON")
        publish(mosquitto, f"watcher/floor/{RULE}/set", b"OFF")
        assert sink.wait_for_events(2, timeout=10)
        assert recorder.wait_for("watcher/events", count=2)
        assert recorder.wait_for(f"watcher/floor/{RULE}/enabled", b"OFF")
        assert recorder.wait_for("watcher/floor/counts")
    finally:
        daemon.stop()
        runner.join(timeout=15)
    assert not runner.is_alive()
    assert [(e.type, e.rule) for e in sink.events] == [(EventType.START, RULE), (EventType.END, RULE)]
    assert recorder.event_ids() == [e.id for e in sink.events]
    # The broker forwards the last messages to the recorder after the daemon has returned: wait for them.
    assert recorder.wait_for(f"watcher/floor/{RULE}/state", b"OFF")
    assert recorder.last(f"watcher/floor/{RULE}/state") == b"OFF"
    assert recorder.wait_for("watcher/availability", b"offline")
    assert recorder.last("watcher/availability") == b"offline"
    assert daemon.engine.state(RULE).enabled is False
