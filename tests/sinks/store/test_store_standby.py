"""A store that cannot be opened (a real full tmpfs): events wait in memory, then go into the file."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.reliability.support import fill_disk
from tests.sinks.conftest import make_event, make_obs, snapshot_of
from watcher.clock import FakeClock
from watcher.errors import StoreOpenError
from watcher.faults import PartFault, PartFaults
from watcher.sinks import EventStore, StoreSink
from watcher.sinks.store.standby import REOPEN_EVERY_S, open_at_start
from watcher.types import Event, EventType

FULL = "database or disk is full"


def _shut_store(disk: Path, clock: FakeClock) -> StoreOpenError:
    fill_disk(disk)
    failure = open_at_start(disk / "watcher.db", clock=clock, outbox=False, notify=False)
    assert isinstance(failure, StoreOpenError)
    return failure


def _deliver(sink: StoreSink, *events: Event) -> None:
    for event in events:
        sink.handle_states(snapshot_of(event))
        sink.handle_event(event, None)


def _stored(db: Path) -> list[tuple[str, EventType]]:
    store = EventStore(db)
    try:
        return [(e.id, e.type) for e in store.events()]
    finally:
        store.close()


def test_held_events_go_into_the_file_with_their_states_at_the_first_retry_after_room_comes_back(
    small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = small_disk / "watcher.db"
    clock, faults = FakeClock(), PartFaults()
    sink = StoreSink(_shut_store(small_disk, clock), clock=clock, faults=faults)
    assert faults.current() == (PartFault("store", f"{db}: {FULL}"),)
    start, end = make_event(1), make_event(2, EventType.END)
    _deliver(sink, start, end)
    (small_disk / "filler").unlink()
    clock.advance(REOPEN_EVERY_S - 1)
    sink.handle_observation(make_obs(1))
    assert (sink.store, faults.current()) == (None, (PartFault("store", f"{db}: {FULL}"),))  # not yet due
    clock.advance(1)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="watcher.store"):
        sink.handle_observation(make_obs(2))
    assert faults.current() == ()
    assert caplog.messages == [f"store: {db} opened; wrote 2 event(s) held in memory while it could not be"]
    assert _stored(db) == [("ev-1", EventType.START), ("ev-2", EventType.END)]
    assert sink.store is not None
    assert sink.store.states.load() == list(snapshot_of(end).states)
    sink.close()


def test_past_the_bound_the_oldest_held_events_are_dropped_and_counted_in_one_line(
    small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = small_disk / "watcher.db"
    clock = FakeClock()
    sink = StoreSink(_shut_store(small_disk, clock), clock=clock, hold=2)
    _deliver(sink, *(make_event(n) for n in range(5)))
    (small_disk / "filler").unlink()
    clock.advance(REOPEN_EVERY_S)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="watcher.store"):
        _deliver(sink, make_event(5))
    assert caplog.messages == [
        f"store: {db} opened; wrote 2 event(s) held in memory while it could not be; "
        "3 older event(s) were dropped (memory holds 2)"
    ]
    assert _stored(db) == [(f"ev-{n}", EventType.START) for n in (3, 4, 5)]
    sink.close()


def test_close_tries_the_file_once_more_and_writes_what_was_held(small_disk: Path) -> None:
    db = small_disk / "watcher.db"
    clock = FakeClock()
    sink = StoreSink(_shut_store(small_disk, clock), clock=clock)
    _deliver(sink, make_event(1), make_event(2))
    (small_disk / "filler").unlink()
    sink.close()  # long before the retry is due
    assert _stored(db) == [("ev-1", EventType.START), ("ev-2", EventType.START)]


def test_close_on_a_store_still_shut_says_in_one_line_what_is_lost(
    small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = small_disk / "watcher.db"
    clock = FakeClock()
    sink = StoreSink(_shut_store(small_disk, clock), clock=clock, hold=1)
    _deliver(sink, make_event(1), make_event(2))
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="watcher.store"):
        sink.close()
    assert caplog.messages == [
        f"store: {db} still cannot be opened ({FULL}): 1 event(s) held in memory are lost (1 more were "
        "dropped before), and the rule states are not saved"
    ]


@pytest.mark.parametrize(
    ("outbox", "notify", "going_on"),
    [
        (False, False, "cameras and rules go on"),
        (True, False, "cameras, rules and MQTT go on"),
        (False, True, "cameras, rules and notifications go on"),
        (True, True, "cameras, rules, MQTT and notifications go on"),
    ],
)
def test_the_start_line_names_only_the_parts_that_are_configured(
    small_disk: Path, caplog: pytest.LogCaptureFixture, outbox: bool, notify: bool, going_on: str
) -> None:
    fill_disk(small_disk)
    db = small_disk / "watcher.db"
    with caplog.at_level(logging.ERROR, logger="watcher"):
        assert isinstance(open_at_start(db, clock=FakeClock(), outbox=outbox, notify=notify), StoreOpenError)
    mqtt = "; MQTT events wait in memory, not in the file" if outbox else ""
    assert caplog.messages == [
        f"store: cannot open {db} (store.path): {FULL}; {going_on} without the event history (rule states "
        f"start fresh; the store is tried again every {REOPEN_EVERY_S:g} s and the last 1000 events wait in "
        f"memory for it{mqtt})"
    ]
