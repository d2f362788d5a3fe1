"""The SQLite outbox on its own: order, persistence, the bound."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.sinks.mqtt.helpers import event
from watcher.sinks.mqtt import Outbox


def test_queued_events_come_back_in_insertion_order_after_reopening(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "w.db")
    for n in (3, 1, 2):
        outbox.add(event(n))
    outbox.close()
    again = Outbox(tmp_path / "w.db")
    assert again.ids() == ["ev-3", "ev-1", "ev-2"]
    assert [q.rule for q in again.after(0, 10)] == ["someone_at_door"] * 3


def test_removing_a_row_keeps_the_order_of_the_rest_and_seq_never_goes_back(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "w.db")
    outbox.add(event(0))
    outbox.add(event(1))
    first, second = outbox.after(0, 10)
    outbox.remove(second.seq)
    outbox.remove(first.seq)
    outbox.add(event(2))
    (third,) = outbox.after(0, 10)
    assert third.seq > second.seq


def test_past_the_bound_the_oldest_events_are_dropped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outbox = Outbox(tmp_path / "w.db", max_rows=3)
    with caplog.at_level(logging.WARNING, logger="watcher.mqtt"):
        for n in range(5):
            outbox.add(event(n))
    assert outbox.ids() == ["ev-2", "ev-3", "ev-4"]
    assert outbox.dropped == 2
    assert [r.getMessage() for r in caplog.records] == [
        "mqtt outbox full (3 events): dropped the oldest: ev-0 (someone_at_door)",
        "mqtt outbox full (3 events): dropped the oldest: ev-1 (someone_at_door)",
    ]


def test_up_to_the_bound_nothing_is_dropped_or_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outbox = Outbox(tmp_path / "w.db", max_rows=3)
    with caplog.at_level(logging.WARNING, logger="watcher.mqtt"):
        for n in range(3):
            outbox.add(event(n))
    assert len(outbox) == 3
    assert caplog.records == []


def test_the_outbox_file_is_private(tmp_path: Path) -> None:
    Outbox(tmp_path / "w.db").close()
    assert (tmp_path / "w.db").stat().st_mode & 0o777 == 0o600
