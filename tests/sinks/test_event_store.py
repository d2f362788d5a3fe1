from __future__ import annotations

import sqlite3
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from watcher.clock import FakeClock
from watcher.sinks import EventStore, SinkRunner, StoreSink
from watcher.types import Event, EventType

WALL = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(wall_start=WALL)


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[EventStore]:
    opened = EventStore(tmp_path / "data" / "watcher.db", clock=clock)
    yield opened
    opened.close()


def test_store_round_trips_events(store: EventStore, event: Callable[..., Event]) -> None:
    written = [event(0), event(1, EventType.END)]
    for e in written:
        store.add(e)
    assert store.events() == written


def test_store_creates_parent_dir_and_owner_only_file(store: EventStore) -> None:
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_store_uses_wal_journal(store: EventStore, event: Callable[..., Event]) -> None:
    store.add(event())
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_events_filter_by_rule_and_wall_time(
    store: EventStore, clock: FakeClock, event: Callable[..., Event]
) -> None:
    store.add(event(0, rule="a"))
    clock.advance(60)
    store.add(event(1, rule="a"))
    store.add(event(2, rule="b"))
    since = clock.wall()
    assert [e.id for e in store.events(since_wall=since, rule="a")] == ["ev-1"]


def test_events_limit_keeps_the_latest_oldest_first(store: EventStore, event: Callable[..., Event]) -> None:
    for n in range(5):
        store.add(event(n))
    assert [e.id for e in store.events(limit=2)] == ["ev-3", "ev-4"]


def test_writing_the_same_event_twice_keeps_one_row(store: EventStore, event: Callable[..., Event]) -> None:
    store.add(event(0))
    store.add(event(0))
    assert len(store.events()) == 1


def test_store_sink_writes_events_through_the_runner(tmp_path: Path, event: Callable[..., Event]) -> None:
    path = tmp_path / "watcher.db"
    runner = SinkRunner([StoreSink(EventStore(path))])
    runner.submit_event(event(0))
    assert runner.close(5)
    reopened = EventStore(path)
    assert [e.id for e in reopened.events()] == ["ev-0"]
    reopened.close()
