"""The outbox on a full disk: events wait in memory, in order, still reach the broker; then the file again."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.reliability.support import fill_disk
from tests.sinks.mqtt.helpers import event
from watcher.faults import PartFault, PartFaults
from watcher.sinks import EventStore, SinkRunner, StoreSink
from watcher.sinks.mqtt import Outbox
from watcher.testing import FakeSink


def test_events_added_while_the_disk_is_full_are_delivered_in_order_then_the_file_is_used_again(
    small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outbox = Outbox(small_disk / "watcher.db")
    outbox.add(event(1))
    (delivered,) = outbox.after(0, 10)
    outbox.remove(delivered.seq)  # acked: the file is empty, its seq stays the high-water mark
    watermark = delivered.seq
    fill_disk(small_disk)
    with caplog.at_level(logging.ERROR, logger="watcher.mqtt"):
        outbox.add(event(2))
        outbox.add(event(3))
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [
        f"mqtt outbox: {small_disk / 'watcher.db'} cannot take events"
    ]
    queued = outbox.after(watermark, 10)
    assert [(q.id, q.seq) for q in queued] == [("ev-2", watermark + 1), ("ev-3", watermark + 2)]
    assert len(outbox) == 2
    for q in queued:
        outbox.remove(q.seq)
    assert len(outbox) == 0
    (small_disk / "filler").unlink()
    outbox.add(event(4))
    (stored,) = outbox.after(watermark + 2, 10)
    assert (stored.id, stored.seq) == ("ev-4", watermark + 3)  # after the ones from memory, not before
    outbox.close()
    reopened = Outbox(small_disk / "watcher.db")
    assert reopened.ids() == ["ev-4"]  # it is in the file
    reopened.close()


def test_a_second_event_while_some_wait_in_memory_goes_behind_them_even_once_the_disk_has_room(
    small_disk: Path,
) -> None:
    outbox = Outbox(small_disk / "watcher.db")
    fill_disk(small_disk)
    outbox.add(event(1))
    (small_disk / "filler").unlink()
    outbox.add(event(2))  # the disk has room again, but ev-1 is still waiting: order first
    assert [q.id for q in outbox.after(0, 10)] == ["ev-1", "ev-2"]
    outbox.close()


def test_the_store_on_a_full_disk_logs_one_line_per_event_and_the_other_sinks_still_get_it(
    small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = EventStore(small_disk / "watcher.db")
    other = FakeSink()
    runner = SinkRunner([StoreSink(store), other])
    fill_disk(small_disk)
    runner.submit_event(event(1))
    assert runner.close(10)
    assert [e.id for e in other.events] == ["ev-1"]
    (line,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert line.exc_info is None  # no traceback for a full disk
    assert line.getMessage() == (
        "sink store: start event ev-1 of rule someone_at_door not stored: database or disk is full"
    )
    assert runner.stats()["store"].failed == 1


def test_an_outbox_whose_file_cannot_be_opened_at_start_keeps_events_and_discovery_in_memory(
    small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = small_disk / "watcher.db"
    fill_disk(small_disk)
    faults = PartFaults()
    with caplog.at_level(logging.ERROR, logger="watcher.mqtt"):
        outbox = Outbox(db, max_rows=2, faults=faults)
    assert [r.getMessage() for r in caplog.records] == [
        f"mqtt outbox: cannot open {db} (store.path): database or disk is full; events wait in memory "
        "(at most 2, mqtt.outbox_max) and still go to the broker; a restart loses those not yet delivered"
    ]
    assert faults.current() == (
        PartFault(
            "mqtt outbox", f"{db}: database or disk is full; events wait in memory until the next start"
        ),
    )
    for n in (1, 2, 3):
        outbox.add(event(n))
    assert [(q.id, q.seq) for q in outbox.after(0, 10)] == [("ev-2", 2), ("ev-3", 3)]  # bounded: ev-1 dropped
    assert (outbox.dropped, len(outbox), outbox.in_file()) == (1, 2, 0)
    outbox.remove(2)
    assert outbox.ids() == ["ev-3"]
    outbox.remember_discovery(["homeassistant/a/config", "homeassistant/b/config"])
    outbox.forget_discovery("homeassistant/a/config")
    assert outbox.discovery_topics() == {"homeassistant/b/config"}
    (small_disk / "filler").unlink()
    outbox.add(event(4))  # memory until the next start, even with room again: the file's rows stay ordered
    assert (outbox.ids(), outbox.in_file()) == (["ev-3", "ev-4"], 0)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="watcher.mqtt"):
        outbox.close()
    assert caplog.messages == ["mqtt outbox: 2 event(s) waiting in memory are lost (not in the file)"]
