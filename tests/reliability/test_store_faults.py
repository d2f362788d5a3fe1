"""A store that cannot be opened at start (full disk, read-only folder): the daemon runs without it.

A real `Daemon` on the looping worker clip with the switchable worker (events on demand), its
store on a real tmpfs that is full or read-only, a real mosquitto and a `FakeSink`.
"""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest

from tests.reliability.support import WORKER_SCENE, Scene, WorkerSwitch, fill_disk, running, tmpfs
from tests.sinks.mqtt.helpers import Recorder
from tests.support.mosquitto import Mosquitto
from tests.support.waiting import poll
from watcher import config
from watcher.clock import SystemClock
from watcher.daemon import Daemon
from watcher.faults import PartFault
from watcher.sinks import EventStore
from watcher.sinks.mqtt import MqttSink, Outbox
from watcher.sinks.snapshots import WithSnapshot
from watcher.sinks.store.standby import HELD_EVENTS, REOPEN_EVERY_S
from watcher.testing import FakeSink
from watcher.types import Event, EventType

DATA = Path(__file__).parents[1] / "data"
CAMERA = f"""
[[cameras]]
name = "floor"
url = "{DATA / "worker-zone-detection.mp4"}"
detect_fps = 10
realtime = true
loop = true
[cameras.motion]
detect_when = "always"
{WORKER_SCENE}
"""
FULL = "database or disk is full"


class JumpClock(SystemClock):
    """The real clock, which the test can move forward at once (to a store's next retry)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def monotonic(self) -> float:
        return super().monotonic() + self.offset


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs (room for the store's WAL once freed), unmounted after the test."""
    with tmpfs(tmp_path / "disk", "size=1m") as folder:
        yield folder


def _stored(db: Path) -> list[Event]:
    """The events in the store file, read as another process would."""
    store = EventStore(db)
    try:
        return store.events()
    finally:
        store.close()


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_daemon_started_on_a_full_disk_publishes_and_stores_the_held_events_once_there_is_room(
    tmp_path: Path, disk: Path, mosquitto: Mosquitto, caplog: pytest.LogCaptureFixture
) -> None:
    db = disk / "watcher.db"
    fill_disk(disk)
    text = CAMERA + f'[store]\npath = "{db}"\n[mqtt]\nenabled = true\nport = {mosquitto.port}\n'
    detector, sink, clock = WorkerSwitch(), FakeSink(), JumpClock()
    recorder = Recorder(mosquitto, "watcher/#")
    assert recorder.subscribed.wait(5)
    with caplog.at_level(logging.INFO, logger="watcher"):
        cfg = config.loads(text, "config.toml", env={})
        daemon = Daemon(cfg, tmp_path, clock=clock, detector=detector, extra_sinks=[sink])
        assert _errors(caplog) == [
            f"store: cannot open {db} (store.path): {FULL}; cameras, rules and MQTT go on "
            f"without the event history (rule states start fresh; the store is tried again every "
            f"{REOPEN_EVERY_S:g} s and the last {HELD_EVENTS} events wait in memory for it; MQTT events "
            "wait in memory, not in the file)"
        ]
        outbox = PartFault("mqtt outbox", f"{db}: {FULL}; events wait in memory until the store opens again")
        assert daemon.part_faults.current() == (outbox, PartFault("store", f"{db}: {FULL}"))
        scene = Scene(detector, sink)
        with running(daemon):
            held = [scene.step(True, EventType.START), scene.step(False, EventType.END)]
            assert recorder.wait_for("watcher/events", count=2)
            faults = {"mqtt outbox": outbox.reason, "store": f"{db}: {FULL}"}
            assert recorder.wait_for("watcher/faults", json.dumps(faults).encode())
            daemon.log_status()
            assert f"store: error: {db}: {FULL}" in caplog.messages
            assert poll(lambda: len(_outbox(daemon)) == 0, 10)  # both acked: none left to move
            (disk / "filler").unlink()
            clock.offset += REOPEN_EVERY_S  # the next observation tries the store, then the outbox
            assert poll(lambda: daemon.part_faults.current() == (), 20)
            assert recorder.wait_for("watcher/faults", b"{}")
            assert [e.id for e in _stored(db)] == [e.id for e in held]
            mosquitto.stop()  # the next event waits for the broker, in the outbox file
            after = scene.step(True, EventType.START)
            assert poll(lambda: _outbox(daemon).in_file() == 1, 10)
    events = [(e.id, e.type) for e in sink.events]
    assert events == [(e.id, e.type) for e in [*held, after]]
    assert [(e.id, e.type) for e in _stored(db)] == events
    assert recorder.event_ids() == [e.id for e in held]
    assert f"store: {db} opened; wrote 2 event(s) held in memory while it could not be" in caplog.messages
    assert (
        f"mqtt outbox: back in {db}; 0 event(s) from memory moved into it, 0 left by an earlier run "
        "go to the broker after them"
    ) in caplog.messages
    assert "mqtt: 1 event(s) left in the outbox for the next start" in caplog.messages
    recorder.close()
    mosquitto.start()
    recorder = Recorder(mosquitto, "watcher/#")
    assert recorder.subscribed.wait(5)
    with running(Daemon(cfg, tmp_path, detector=WorkerSwitch())):
        assert recorder.wait_for("watcher/events", count=1)
        assert recorder.wait_for("watcher/faults", b"{}")
    assert recorder.event_ids() == [after.id]  # once: from the file, after the restart
    recorder.close()


def _outbox(daemon: Daemon) -> Outbox:
    """The daemon's MQTT outbox (its sinks see snapshot paths through a wrapper)."""
    (mqtt,) = [
        s.inner for s in daemon.sinks.sinks if isinstance(s, WithSnapshot) and isinstance(s.inner, MqttSink)
    ]
    return mqtt.outbox


def test_home_assistant_sees_the_store_on_a_full_disk_as_a_problem_with_its_reason_until_it_is_gone(
    tmp_path: Path, disk: Path, mosquitto: Mosquitto
) -> None:
    db = disk / "watcher.db"
    fill_disk(disk)
    text = CAMERA + f'[store]\npath = "{db}"\n[mqtt]\nenabled = true\nport = {mosquitto.port}\n'
    cfg = config.loads(text, "config.toml", env={})
    recorder = Recorder(mosquitto, "watcher/#", "homeassistant/#")
    assert recorder.subscribed.wait(5)
    problem = "homeassistant/binary_sensor/watcher_watcher/problem/config"
    outbox = f"{db}: {FULL}; events wait in memory until the store opens again"
    clock = JumpClock()
    daemon = Daemon(cfg, tmp_path, clock=clock, detector=WorkerSwitch())
    with running(daemon):
        assert recorder.wait_for(problem)
        entity = recorder.on(problem)[-1].json()
        (topic,) = {entity["state_topic"], entity["json_attributes_topic"]}
        shut = {"mqtt outbox": outbox, "store": f"{db}: {FULL}"}
        assert recorder.wait_for(topic, json.dumps(shut).encode())
        assert _home_assistant_state(entity, recorder.last(topic)) == "ON"
        (disk / "filler").unlink()
        clock.offset += REOPEN_EVERY_S
        # The store opens again, and its outbox, in the same file, goes back to it.
        assert recorder.wait_for(topic, b"{}", timeout=20)
        assert _home_assistant_state(entity, recorder.last(topic)) == "OFF"
    recorder.close()


def _home_assistant_state(entity: dict[str, Any], payload: bytes | None) -> str:
    """The state Home Assistant gives a binary_sensor for `payload`: its value_template rendered
    with the JSON as `value_json`, compared with payload_on/payload_off."""
    assert payload is not None
    value = jinja2.Environment().from_string(entity["value_template"]).render(value_json=json.loads(payload))
    assert value in (entity["payload_on"], entity["payload_off"])
    return "ON" if value == entity["payload_on"] else "OFF"


@pytest.fixture(params=["read_only", "corrupt_read_only"])
def read_only_disk(request: pytest.FixtureRequest, disk: Path) -> tuple[Path, str]:
    """A read-only tmpfs, empty or with a store SQLite cannot read; the reason the store gives."""
    reason = "cannot create the file: Read-only file system"
    if request.param == "corrupt_read_only":
        (disk / "watcher.db").write_bytes(b"not a database, " * 512)
        reason = (
            "not a readable SQLite database (file is not a database); "
            "cannot move it aside: Read-only file system"
        )
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    return disk, reason


def test_a_daemon_whose_store_folder_is_read_only_still_delivers_events_and_says_what_it_lost(
    tmp_path: Path, read_only_disk: tuple[Path, str], caplog: pytest.LogCaptureFixture
) -> None:
    disk, reason = read_only_disk
    db = disk / "watcher.db"
    detector, sink = WorkerSwitch(), FakeSink()
    with caplog.at_level(logging.INFO, logger="watcher"):
        cfg = config.loads(CAMERA + f'[store]\npath = "{db}"\n', "config.toml", env={})
        daemon = Daemon(cfg, tmp_path, detector=detector, extra_sinks=[sink])
        assert daemon.part_faults.current() == (PartFault("store", f"{db}: {reason}"),)
        scene = Scene(detector, sink)
        with running(daemon):
            start = scene.step(True, EventType.START)
    assert [(e.id, e.type) for e in sink.events] == [(start.id, EventType.START)]
    assert _errors(caplog) == [
        f"store: cannot open {db} (store.path): {reason}; cameras and rules go on "
        f"without the event history (rule states start fresh; the store is tried again every "
        f"{REOPEN_EVERY_S:g} s and the last {HELD_EVENTS} events wait in memory for it)",
        f"store: {db} still cannot be opened ({reason}): 1 event(s) held in memory are lost (0 more "
        "were dropped before), and the rule states are not saved",
    ]


def test_a_store_shut_at_start_is_tried_again_after_every_camera_has_ended(
    tmp_path: Path, disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = disk / "watcher.db"
    fill_disk(disk)
    # The clip once, not looping: the camera ends, and no event or frame comes after its START.
    camera = CAMERA.replace("realtime = true\nloop = true\n", "")
    detector, sink, clock = WorkerSwitch(), FakeSink(), JumpClock()
    detector.present.set()
    cfg = config.loads(camera + f'[store]\npath = "{db}"\n', "config.toml", env={})
    with caplog.at_level(logging.INFO, logger="watcher"):
        daemon = Daemon(cfg, tmp_path, clock=clock, detector=detector, extra_sinks=[sink])
        with running(daemon):
            assert sink.wait_for_events(1, timeout=20)
            assert poll(lambda: _capture_state(daemon) == "ended", 20)
            (disk / "filler").unlink()
            clock.offset += REOPEN_EVERY_S  # the store's retry is due: only the idle loop can take it
            assert poll(lambda: daemon.part_faults.current() == (), 10)
            assert [(e.id, e.type) for e in _stored(db)] == [(sink.events[0].id, EventType.START)]
    assert [(e.rule, e.type) for e in sink.events] == [("worker_left_of_tape", EventType.START)]
    assert f"store: {db} opened; wrote 1 event(s) held in memory while it could not be" in caplog.messages


def _capture_state(daemon: Daemon) -> str | None:
    (row,) = daemon.status()
    return None if row.capture is None else row.capture.state
