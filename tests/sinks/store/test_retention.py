"""Retention: old snapshots and rows deleted by age, snapshots also by total size."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from watcher.clock import FakeClock
from watcher.sinks import EventStore, StoreSink
from watcher.sinks.snapshots import SnapshotWriter
from watcher.sinks.store import CountSample, prune_snapshots
from watcher.types import Event, Observation

DAY = 86400.0
NOW = datetime(2026, 3, 1, tzinfo=UTC).timestamp()


def _file(folder: Path, name: str, age_days: float, size: int = 1000) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    os.utime(path, (NOW - age_days * DAY, NOW - age_days * DAY))
    return path


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.jpg"))


def test_snapshots_older_than_the_retention_are_deleted(tmp_path: Path) -> None:
    for name, age in (("a.jpg", 40), ("cam/b.jpg", 31), ("cam/c.jpg", 29), ("d.jpg", 1)):
        _file(tmp_path, name, age)
    pruned = prune_snapshots(tmp_path, older_than=NOW - 30 * DAY, max_bytes=10**9)
    assert (pruned.deleted, pruned.freed, pruned.kept) == (2, 2000, 2000)
    assert _left(tmp_path) == ["c.jpg", "d.jpg"]


def test_oldest_snapshots_are_deleted_past_the_total_size(tmp_path: Path) -> None:
    for name, age in (("a.jpg", 4), ("b.jpg", 3), ("c.jpg", 2), ("d.jpg", 1)):
        _file(tmp_path, name, age)
    pruned = prune_snapshots(tmp_path, older_than=NOW - 30 * DAY, max_bytes=2500)
    assert (pruned.deleted, pruned.kept) == (2, 2000)
    assert _left(tmp_path) == ["c.jpg", "d.jpg"]


def test_files_that_are_not_snapshots_are_left_alone(tmp_path: Path) -> None:
    _file(tmp_path, "notes.txt", 400)
    prune_snapshots(tmp_path, older_than=NOW, max_bytes=0)
    assert (tmp_path / "notes.txt").exists()


def test_writer_applies_retention_when_it_writes(tmp_path: Path, event: Callable[..., Event]) -> None:
    _file(tmp_path / "demo", "old.jpg", 10)
    clock = FakeClock(wall_start=datetime.fromtimestamp(NOW, UTC))
    writer = SnapshotWriter(tmp_path, max_age_s=7 * DAY, clock=clock)
    new = writer.write(event(0), np.zeros((40, 40, 3), np.uint8))
    assert new is not None
    assert _left(tmp_path) == [new.name]


def test_store_deletes_events_and_samples_older_than_retention(
    tmp_path: Path, event: Callable[..., Event], observation: Callable[..., Observation]
) -> None:
    clock = FakeClock(wall_start=datetime.fromtimestamp(NOW, UTC))
    store = EventStore(tmp_path / "watcher.db", clock=clock)
    store.add(event(0))
    store.counts.add([CountSample("demo", "path", "person", 1, NOW)])
    clock.advance(8 * DAY)
    store.add(event(1))
    store.counts.add([CountSample("demo", "path", "person", 2, NOW + 8 * DAY)])
    sink = StoreSink(store, retention_days=7, clock=clock)
    sink.handle_observation(observation(0))
    assert [e.id for e in store.events()] == ["ev-1"]
    assert [s.count for s in store.counts.since(0)] == [2]
    sink.close()
