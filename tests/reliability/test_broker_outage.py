"""The daemon through a real minute without its MQTT broker (issue 8): nothing lost, nothing twice.

A real `Daemon` on the looping worker clip, a detector seam switched by the test so that events
happen on demand, real presence rules, the SQLite outbox and a real mosquitto stopped for 60 s and
started again on the same port.

Two subscribers look at the broker. `events` keeps a persistent session from before the outage, so
the broker queues for it whatever the daemon delivers after the restart, whichever of the two
reconnects first; it sees every event that reached the broker. `home_assistant` is what Home
Assistant is after the outage: a clean session that connects once the daemon is back and reads the
retained topics.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.support import WORKER_SCENE, Scene, WorkerSwitch
from tests.sinks.mqtt.helpers import Recorder, persistent
from tests.support.mosquitto import Mosquitto, mosquitto_missing
from tests.support.waiting import poll
from watcher import config
from watcher.daemon import Daemon
from watcher.testing import FakeSink
from watcher.types import Event, EventType, RuleState

DATA = Path(__file__).parents[1] / "data"
RULE = "worker_left_of_tape"
OUTAGE_S = 60.0
RETAINED = ("state", "attributes", "enabled")
# After the outage the publisher retries every 30 s at most: the events must be through well within that.
BACK_WITHIN_S = 45.0
CONFIG = f"""
[[cameras]]
name = "floor"
url = "{DATA / "worker-zone-detection.mp4"}"
detect_fps = 10
realtime = true
loop = true
[cameras.motion]
detect_when = "always"
{WORKER_SCENE}
[mqtt]
enabled = true
port = {{port}}
"""


@pytest.fixture
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mosquitto]:
    """A broker with persistence on: queued messages of persistent sessions survive its restart."""
    if mosquitto_missing():
        pytest.skip(mosquitto_missing() or "")
    started = persistent(Mosquitto(tmp_path_factory.mktemp("broker")))
    started.start()
    yield started
    started.stop()


def _outbox(db: Path) -> list[str]:
    """Event ids waiting in the daemon's outbox, oldest first."""
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT id FROM mqtt_outbox ORDER BY seq")]


def _event_time(event: Event) -> float:
    return event.end_time if event.type is EventType.END and event.end_time is not None else event.start_time


def _expected_retained(state: RuleState) -> dict[str, object]:
    """What the retained topics of a presence rule say about its engine state."""
    return {
        "state": "ON" if state.active else "OFF",
        "enabled": "ON" if state.enabled else "OFF",
        "active": state.active,
        "value": state.value,
        "since": None if state.since is None else round(state.since, 3),
    }


def _retained(recorder: Recorder) -> dict[str, object]:
    base = f"watcher/floor/{RULE}"
    attributes = json.loads(recorder.last(f"{base}/attributes") or b"{}")
    return {
        "state": (recorder.last(f"{base}/state") or b"").decode(),
        "enabled": (recorder.last(f"{base}/enabled") or b"").decode(),
        **{key: attributes.get(key) for key in ("active", "value", "since")},
    }


def test_a_minute_without_the_broker_loses_no_event_repeats_none_and_restores_the_retained_states(
    tmp_path: Path, broker: Mosquitto, caplog: pytest.LogCaptureFixture
) -> None:
    detector = WorkerSwitch()
    sink = FakeSink()
    cfg = config.loads(CONFIG.format(port=broker.port), file=str(tmp_path / "config.toml"))
    daemon = Daemon(cfg, tmp_path, detector=detector, extra_sinks=[sink])
    events = Recorder(broker, "watcher/#", client_id="events-subscriber")
    runner = threading.Thread(target=daemon.run)
    scene = Scene(detector, sink)
    try:
        assert events.subscribed.wait(5)
        runner.start()
        before = [scene.step(True, EventType.START), scene.step(False, EventType.END)]
        assert events.wait_for("watcher/events", count=2)
        assert poll(lambda: _outbox(tmp_path / "watcher.db") == [], 5)
        # The subscriber's acks reach the broker before this publish does: nothing of it is in flight
        # when the broker stops, so nothing is redelivered to it after the restart.
        events.client.publish("test/barrier", b"", qos=1).wait_for_publish(5)

        broker.stop()
        stopped = time.monotonic()
        during = [
            scene.step(True, EventType.START),
            scene.step(False, EventType.END),
            scene.step(True, EventType.START),
        ]
        assert _outbox(tmp_path / "watcher.db") == [e.id for e in during]
        # The fault itself: the broker stays down for a real minute while the daemon keeps retrying.
        time.sleep(max(0.0, stopped + OUTAGE_S - time.monotonic()))
        assert _outbox(tmp_path / "watcher.db") == [e.id for e in during]
        seen_before_restart = len(events.messages)
        broker.start()

        assert poll(lambda: len(events.event_ids()) >= 5, BACK_WITHIN_S)
        assert poll(lambda: _outbox(tmp_path / "watcher.db") == [], 5)
        home_assistant = Recorder(broker, "watcher/#")
        assert home_assistant.subscribed.wait(5)
        topics = ["watcher/availability", *(f"watcher/floor/{RULE}/{t}" for t in RETAINED)]
        assert poll(lambda: all(home_assistant.last(t) is not None for t in topics), 5)
        retained = _retained(home_assistant)
        availability = home_assistant.last("watcher/availability")
        home_assistant.close()
        states = daemon.engine.states()
        after_restart = events.messages[seen_before_restart:]
    finally:
        daemon.stop()
        runner.join(timeout=15)
        events.close()
    assert not runner.is_alive()
    # An outage is logged as a warning and retried; nothing in the daemon may fail on the way.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []

    emitted = before + during
    assert sink.events == emitted
    assert [(e.type, e.rule) for e in emitted] == [
        (EventType.START, RULE),
        (EventType.END, RULE),
        (EventType.START, RULE),
        (EventType.END, RULE),
        (EventType.START, RULE),
    ]
    assert [_event_time(e) for e in emitted] == sorted(_event_time(e) for e in emitted)
    assert events.event_ids() == [e.id for e in emitted]
    live = [m.payload for m in after_restart if m.topic == "watcher/availability" and not m.retain]
    # First perhaps the daemon's will, which the broker sent as it went down; then `online`, once.
    assert (live[-1:], live.count(b"online")) == ([b"online"], 1)
    # Sent again by the daemon, not only kept by this broker's persistence: `enabled` did not change.
    republished = {m.topic for m in after_restart if not m.retain}
    assert {f"watcher/floor/{RULE}/{t}" for t in RETAINED} <= republished
    assert availability == b"online"
    assert [(s.rule, s.active) for s in states] == [(RULE, True)]
    assert retained == _expected_retained(states[0])
