"""SIGTERM flushes and exits 0 within 5 s with `offline` published; SIGKILL mid-write leaves SQLite intact."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import paho.mqtt.client as mqtt

from tests.reliability.support import WORKER_EVENT, WatcherProcess, write_config
from tests.support.mosquitto import Mosquitto
from tests.support.waiting import poll
from watcher.sinks import EventStore
from watcher.types import Event, EventType

EXIT_WITHIN_S = 5.0
# Writes events through the real EventStore as fast as it can, printing nothing; killed from outside.
WRITER = """
import sys
from watcher.sinks import EventStore
from watcher.types import Event, EventType
store = EventStore(sys.argv[1])
for i in range(1_000_000):
    store.add(Event(f"e{i:07d}", EventType.START, "r", "presence", "cam", None, float(i), None, 1))
"""


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _events(db: Path) -> list[tuple[str, str]]:
    """(id, type) of every stored event in write order; none before the table exists."""
    try:
        with sqlite3.connect(db) as conn:
            return list(conn.execute("SELECT id, type FROM events ORDER BY rowid"))
    except sqlite3.OperationalError:
        return []


def _saved_states(db: Path) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return int(conn.execute("SELECT count(*) FROM rule_states").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _event_ids(db: Path) -> list[str]:
    return [event_id for event_id, _ in _events(db)]


class _Listener:
    """A paho client that records every message under `watcher/#`, retained ones included."""

    def __init__(self, broker: Mosquitto) -> None:
        self.messages: list[tuple[str, bytes, bool]] = []
        self._lock = threading.Lock()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="reliability-listener")
        self.client.on_message = self._on_message
        self.client.connect(broker.host, broker.port)
        self.client.subscribe("watcher/#", qos=1)
        self.client.loop_start()

    def _on_message(self, _client: mqtt.Client, _userdata: object, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append((message.topic, message.payload, bool(message.retain)))

    def payloads(self, topic: str) -> list[bytes]:
        with self._lock:
            return [payload for t, payload, _ in self.messages if t == topic]

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def test_sigterm_delivers_the_event_publishes_offline_and_exits_0_within_5_s(
    tmp_path: Path, mosquitto: Mosquitto
) -> None:
    path = write_config(tmp_path, f"\n[mqtt]\nenabled = true\nport = {mosquitto.port}\n")
    listener = _Listener(mosquitto)
    proc = WatcherProcess(path)
    try:
        assert poll(lambda: proc.saw(WORKER_EVENT), 60), proc.output[-3000:]
        assert poll(lambda: listener.payloads("watcher/availability") == [b"online"], 10)
        code, took = proc.terminate()
        assert poll(lambda: listener.payloads("watcher/availability")[-1:] == [b"offline"], 5)
        events = listener.payloads("watcher/events")
    finally:
        proc.kill()
        listener.close()
    stored = EventStore(tmp_path / "watcher.db").events()
    assert (code, took < EXIT_WITHIN_S) == (0, True), (took, proc.output[-2000:])
    assert [(e.type, e.rule) for e in stored] == [(EventType.START, "worker_left_of_tape")]
    assert [b'"id": "' + stored[0].id.encode() in e or stored[0].id.encode() in e for e in events] == [True]
    assert proc.output.rstrip().endswith("watcher: stopped")


def test_sigkill_mid_write_leaves_sqlite_intact_with_a_prefix_of_the_events(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db)])
    try:
        assert poll(lambda: db.exists() and len(_event_ids(db)) >= 300, timeout=60)
    finally:
        writer.kill()
        writer.wait(timeout=10)
    assert _integrity(db) == "ok"
    ids = _event_ids(db)
    assert ids == [f"e{i:07d}" for i in range(len(ids))]
    store = EventStore(db)
    store.add(Event("resumed", EventType.START, "r", "presence", "cam", None, 0.0, None, 1))
    store.close()
    assert _event_ids(db) == [*ids, "resumed"]


def test_watcher_killed_after_an_event_restarts_on_the_same_store_and_keeps_it(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    db = tmp_path / "watcher.db"
    first = WatcherProcess(path)
    try:
        # The event and the rule state it leaves commit together: kill the moment the event is there.
        assert poll(lambda: len(_events(db)) == 1, 60, interval=0.002), first.output[-3000:]
    finally:
        first.kill()
    assert _integrity(db) == "ok"
    assert _saved_states(db) == 1
    before = _events(db)
    second = WatcherProcess(path)
    try:
        assert poll(lambda: second.saw(WORKER_EVENT), 60), second.output[-3000:]
        code, _ = second.terminate()
    finally:
        second.kill()
    after = _events(db)
    assert code == 0
    assert _integrity(db) == "ok"
    # The first run's event is kept as it was. The rule state it left was restored, so the second run
    # goes on from there: strictly start, end, start... (no second start without an end, no lone end).
    types = [kind for _, kind in after]
    assert after[:1] == before
    assert types == ["start", "end"] * (len(types) // 2) + ["start"] * (len(types) % 2)
    assert len(types) >= 2
    assert db.stat().st_mode & 0o777 == 0o600
