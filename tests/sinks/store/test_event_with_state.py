"""An event and the rule state it implies are written in one transaction: both rows or neither."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.sinks.conftest import snapshot_of
from watcher.clock import FakeClock
from watcher.errors import SinkError
from watcher.sinks import EventStore, StoreSink
from watcher.types import Event, EventType

WALL = datetime(2026, 1, 1, tzinfo=UTC)
# Makes every write of a rule state fail, as a full disk or an I/O error would at that moment.
FAIL_STATE_WRITES = """
CREATE TRIGGER fail_insert BEFORE INSERT ON rule_states BEGIN SELECT RAISE(ABORT, 'state write failed'); END;
CREATE TRIGGER fail_update BEFORE UPDATE ON rule_states BEGIN SELECT RAISE(ABORT, 'state write failed'); END;
"""


def _rows(db: Path) -> tuple[list[tuple[str, str, float]], list[tuple[str, bool, float | None, float]]]:
    """(events, rule states) as a separate connection sees them: only what was committed."""
    with sqlite3.connect(db) as conn:
        events = list(conn.execute("SELECT id, type, created FROM events ORDER BY rowid"))
        states = list(conn.execute("SELECT rule, active, since, updated FROM rule_states ORDER BY rule"))
    return events, [(rule, bool(active), since, updated) for rule, active, since, updated in states]


@pytest.mark.parametrize(
    ("type_", "active", "since"), [(EventType.START, True, 12.3), (EventType.END, False, 15.5)]
)
def test_once_handle_event_returns_another_reader_sees_the_event_and_its_rule_state(
    tmp_path: Path, event: Callable[..., Event], type_: EventType, active: bool, since: float
) -> None:
    db = tmp_path / "watcher.db"
    clock = FakeClock(wall_start=WALL)
    sink = StoreSink(EventStore(db, clock=clock), clock=clock)
    sink.handle_states(snapshot_of(event(0, type_)))
    sink.handle_event(event(0, type_), None)
    wall = WALL.timestamp()
    assert _rows(db) == ([("ev-0", str(type_), wall)], [("presence_on_path", active, since, wall)])
    sink.close()


def test_an_event_whose_rule_state_cannot_be_written_is_not_stored_either(
    tmp_path: Path, event: Callable[..., Event]
) -> None:
    db = tmp_path / "watcher.db"
    sink = StoreSink(EventStore(db))
    with sqlite3.connect(db) as conn:
        conn.executescript(FAIL_STATE_WRITES)
    sink.handle_states(snapshot_of(event(0)))
    with pytest.raises(SinkError, match=r"not stored: state write failed$"):
        sink.handle_event(event(0), None)
    sink.close()
    assert _rows(db) == ([], [])


def test_a_failed_write_leaves_the_previous_event_and_state_as_they_were(
    tmp_path: Path, event: Callable[..., Event]
) -> None:
    db = tmp_path / "watcher.db"
    clock = FakeClock(wall_start=WALL)
    sink = StoreSink(EventStore(db, clock=clock), clock=clock)
    sink.handle_states(snapshot_of(event(0)))
    sink.handle_event(event(0), None)
    with sqlite3.connect(db) as conn:
        conn.executescript(FAIL_STATE_WRITES)
    sink.handle_states(snapshot_of(event(1, EventType.END)))
    with pytest.raises(SinkError, match=r"not stored: state write failed$"):
        sink.handle_event(event(1, EventType.END), None)
    sink.close()
    wall = WALL.timestamp()
    assert _rows(db) == ([("ev-0", "start", wall)], [("presence_on_path", True, 12.3, wall)])
