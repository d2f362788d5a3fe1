"""A store SQLite cannot read (power cut, failing SD card): set aside at start, a new store, events go on."""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.sinks.conftest import make_event
from tests.test_daemon import _run_until_first_event, _worker_config
from watcher import config
from watcher.daemon import Daemon
from watcher.errors import SinkError
from watcher.sinks import EventStore
from watcher.sinks.store.db import open_database, set_aside_if_corrupt
from watcher.testing import FakeSink

# 2026-01-02 03:04:05 UTC: the last write of the broken file names it.
MTIME = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()
NOISE = bytes(range(256)) * 160


def _stored(db: Path, *ids: int) -> None:
    store = EventStore(db)
    for n in ids:
        store.add(make_event(n))
    store.close()


def _malform_schema(db: Path) -> None:
    """Overwrite page 1 after its header: the header still says SQLite, the schema is garbage."""
    with db.open("r+b") as f:
        f.seek(100)
        f.write(NOISE[:3000])


def _ids(db: Path) -> list[str]:
    store = EventStore(db)
    ids = [e.id for e in store.events()]
    store.close()
    return ids


@pytest.mark.parametrize("damage", ["not_a_database", "malformed_schema"])
def test_a_corrupt_file_is_moved_aside_with_one_error_line_and_a_new_store_works(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "watcher.db"
    if damage == "not_a_database":
        db.write_bytes(NOISE)
        reason = "file is not a database"
    else:
        _stored(db, 0, 1)
        with closing(sqlite3.connect(db)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the rows into the main file
        _malform_schema(db)
        reason = "database disk image is malformed"
    broken = db.read_bytes()
    os.utime(db, (MTIME, MTIME))
    moved = set_aside_if_corrupt(db)
    assert moved == tmp_path / "watcher.db.corrupt-20260102-030405"
    assert moved.read_bytes() == broken  # kept as it was, for `sqlite3 .recover`
    (record,) = caplog.records
    assert (record.levelname, record.name) == ("ERROR", "watcher.store")
    assert record.getMessage() == (
        f"store: {db} is not a readable SQLite database ({reason}); "
        "moved it to watcher.db.corrupt-20260102-030405 and started a new store"
    )
    _stored(db, 2)
    assert _ids(db) == ["ev-2"]


def test_a_second_corrupt_file_from_the_same_second_gets_its_own_name(tmp_path: Path) -> None:
    db = tmp_path / "watcher.db"
    names = []
    for _ in range(2):
        db.write_bytes(NOISE)
        os.utime(db, (MTIME, MTIME))
        moved = set_aside_if_corrupt(db)
        assert moved is not None
        names.append(moved.name)
    assert names == ["watcher.db.corrupt-20260102-030405", "watcher.db.corrupt-20260102-030405-1"]


def test_the_wal_and_shm_of_a_corrupt_file_move_with_it(tmp_path: Path) -> None:
    db = tmp_path / "watcher.db"
    db.write_bytes(NOISE)
    Path(f"{db}-wal").write_bytes(b"wal")
    Path(f"{db}-shm").write_bytes(b"shm")
    os.utime(db, (MTIME, MTIME))
    moved = set_aside_if_corrupt(db)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "watcher.db.corrupt-20260102-030405",
        "watcher.db.corrupt-20260102-030405-shm",
        "watcher.db.corrupt-20260102-030405-wal",
    ]
    assert Path(f"{moved}-wal").read_bytes() == b"wal"


def test_a_healthy_or_missing_store_is_left_as_it_is(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "watcher.db"
    assert set_aside_if_corrupt(db) is None
    assert not db.exists()
    _stored(db, 0)
    assert set_aside_if_corrupt(db) is None
    assert _ids(db) == ["ev-0"]
    assert caplog.records == []


def test_a_file_that_cannot_be_opened_is_an_error_not_set_aside(tmp_path: Path) -> None:
    db = tmp_path / "watcher.db"
    db.mkdir()  # not corrupt: a folder where the file should be; moving it would hide the mistake
    assert set_aside_if_corrupt(db) is None
    assert db.is_dir()
    with pytest.raises(SinkError, match=r"watcher\.db cannot be opened \(unable to open database file\)$"):
        open_database(db)


def test_opening_a_corrupt_file_elsewhere_is_one_line_and_leaves_it(tmp_path: Path) -> None:
    db = tmp_path / "watcher.db"
    db.write_bytes(NOISE)
    with pytest.raises(SinkError) as raised:
        open_database(db)  # `watcher events`: reports, does not move the user's file
    assert str(raised.value) == f"sink store: {db} is not a readable SQLite database (file is not a database)"
    assert db.read_bytes() == NOISE


def test_daemon_sets_a_corrupt_store_aside_and_stores_its_events_in_a_new_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _worker_config(tmp_path, store=True)
    db = tmp_path / "watcher.db"
    db.write_bytes(NOISE)
    caplog.set_level(logging.ERROR, logger="watcher")
    sink = FakeSink()
    _run_until_first_event(Daemon(config.load(path), tmp_path, extra_sinks=[sink]), sink)
    assert _ids(db) == [sink.events[0].id]
    assert [p.name.startswith("watcher.db.corrupt-") for p in tmp_path.glob("watcher.db.*")] == [True]
    assert [r.getMessage().split(";")[0] for r in caplog.records] == [
        f"store: {db} is not a readable SQLite database (file is not a database)"
    ]
