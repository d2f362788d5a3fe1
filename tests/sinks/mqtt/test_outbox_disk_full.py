"""The outbox on a full disk: events wait in memory, in order, still reach the broker; then the file again."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.reliability.support import fill_disk
from tests.sinks.mqtt.helpers import event
from watcher.errors import StoreOpenError
from watcher.faults import PartFault, PartFaults
from watcher.sinks import EventStore, SinkRunner, StoreSink
from watcher.sinks.mqtt import Outbox
from watcher.testing import FakeSink

FULL = "database or disk is full"


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


def _deliver(outbox: Outbox, watermark: int) -> list[str]:
    """Publish and ack what waits above `watermark` as the publisher does; the ids, in order."""
    delivered = []
    while rows := outbox.after(watermark, 2):
        for row in rows:
            delivered.append(row.id)
            outbox.remove(row.seq)
            watermark = row.seq
    return delivered


def test_attach_moves_memory_into_the_file_and_delivers_an_earlier_runs_rows_once_without_seq_collision(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "watcher.db"
    earlier = Outbox(db)
    for n in (1, 2, 3):
        earlier.add(event(n))
    earlier.remove(earlier.after(0, 1)[0].seq)  # ev-1 acked; ev-2 (seq 2) and ev-3 (seq 3) left
    earlier.close()
    faults = PartFaults()
    failed = StoreOpenError(str(db), "full", FULL)
    outbox = Outbox(db, faults=faults, failed=failed)  # the store could not open the file at start
    assert faults.current() == (
        PartFault("mqtt outbox", f"{db}: {FULL}; events wait in memory until the store opens again"),
    )
    for n in (4, 5, 6):
        outbox.add(event(n))
    assert [(q.id, q.seq) for q in outbox.after(0, 10)] == [("ev-4", 1), ("ev-5", 2), ("ev-6", 3)]
    (in_flight,) = outbox.after(0, 1)  # published, its PUBACK not yet in: the watermark is 1
    outbox.remember_discovery(["homeassistant/a/config"])
    with caplog.at_level(logging.INFO, logger="watcher.mqtt"):
        assert outbox.attach()
    assert caplog.messages == [
        f"mqtt outbox: back in {db}; 3 event(s) from memory moved into it, 2 left by an earlier run "
        "go to the broker after them"
    ]
    assert faults.current() == ()
    assert (outbox.in_memory, outbox.in_file()) == (0, 5)
    outbox.add(event(7))
    queued = outbox.after(0, 10)
    assert [q.id for q in queued] == ["ev-4", "ev-5", "ev-6", "ev-2", "ev-3", "ev-7"]
    seqs = [q.seq for q in queued]
    assert seqs == sorted(set(seqs))
    assert seqs[:3] == [1, 2, 3]  # this run's keep theirs: one is in flight
    outbox.remove(in_flight.seq)  # its PUBACK
    assert _deliver(outbox, in_flight.seq) == ["ev-5", "ev-6", "ev-2", "ev-3", "ev-7"]
    assert len(outbox) == 0
    assert outbox.discovery_topics() == {"homeassistant/a/config"}
    outbox.add(event(8))
    assert outbox.after(0, 10)[0].seq > seqs[-1]  # seq never goes back
    outbox.close()
    again = Outbox(db)
    assert (again.ids(), again.discovery_topics()) == (["ev-8"], {"homeassistant/a/config"})
    again.close()


def test_events_moved_into_the_file_by_attach_wait_there_for_the_next_start(tmp_path: Path) -> None:
    db = tmp_path / "watcher.db"
    earlier = Outbox(db)
    earlier.add(event(1))
    earlier.close()
    outbox = Outbox(db, failed=StoreOpenError(str(db), "full", FULL))
    outbox.add(event(2))
    assert outbox.attach()
    outbox.add(event(3))
    outbox.close()  # no broker came: nothing is lost
    again = Outbox(db)
    assert _deliver(again, 0) == ["ev-2", "ev-1", "ev-3"]
    again.close()


def test_attach_after_close_does_not_reopen_the_file(tmp_path: Path) -> None:
    # The store's last try at the daemon's stop may come after the MQTT sink closed its outbox.
    db = tmp_path / "watcher.db"
    outbox = Outbox(db, failed=StoreOpenError(str(db), "full", FULL))
    outbox.add(event(1))
    outbox.close()
    assert not outbox.attach()
    assert (outbox.in_file(), outbox.in_memory) == (0, 1)
