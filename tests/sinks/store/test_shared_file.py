"""The store and the MQTT outbox share one SQLite file: another process reading it loses nothing.

Opening the file outside SQLite (to create it owner-only) and closing it again drops every POSIX
lock the process holds on it, those of the store's live connections too. A reader in another
process then took itself for the last user on close, deleted the WAL, and the daemon's next
events went into the deleted file: invisible to everyone, gone at the next SIGKILL.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from watcher.sinks import EventStore
from watcher.sinks.mqtt.outbox import Outbox
from watcher.types import Event, EventType

READ_IDS = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
print(" ".join(row[0] for row in conn.execute("SELECT id FROM events ORDER BY rowid")))
conn.close()
"""


def _event(n: int) -> Event:
    return Event(f"e{n}", EventType.START, "gate_open", "presence", "gate", None, float(n), None, 1)


def _ids_seen_by_another_process(db: Path) -> list[str]:
    read = subprocess.run(
        [sys.executable, "-c", READ_IDS, str(db)], capture_output=True, text=True, check=True
    )
    return read.stdout.split()


def test_events_written_after_the_outbox_opened_the_shared_file_reach_other_processes(tmp_path: Path) -> None:
    db = tmp_path / "watcher.db"
    store = EventStore(db)
    store.add(_event(1))
    outbox = Outbox(db)  # the MQTT sink opens the same file after the store
    try:
        assert _ids_seen_by_another_process(db) == ["e1"]  # `watcher events`, a backup, sqlite3
        store.add(_event(2))
        assert _ids_seen_by_another_process(db) == ["e1", "e2"]
        assert Path(f"{db}-wal").exists()  # still the WAL the store writes to
    finally:
        outbox.close()
        store.close()
    assert _ids_seen_by_another_process(db) == ["e1", "e2"]
