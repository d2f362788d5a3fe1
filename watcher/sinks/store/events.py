"""`EventStore`: events written to and read back from the SQLite store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, literal_column
from sqlmodel import Session, col, select

from watcher.clock import Clock, SystemClock
from watcher.sinks.store.counts import CountSamples
from watcher.sinks.store.db import open_database
from watcher.sinks.store.states import RuleStates, state_row
from watcher.sinks.store.tables import CountSampleRow, EventRow
from watcher.types import Event, EventObject, EventType, RuleState


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event read back with the wall-clock time (epoch seconds) it was stored."""

    event: Event
    created: float


class EventStore:
    """The event log in SQLite; one session per call, safe to use from several threads."""

    def __init__(self, path: str | Path, *, clock: Clock | None = None) -> None:
        self.path = Path(path)
        self._clock = clock or SystemClock()
        self._engine = open_database(self.path)
        self.states = RuleStates(self._engine)
        self.counts = CountSamples(self._engine)

    def add(self, event: Event, state: RuleState | None = None) -> None:
        """Write one event (the same id again replaces it) and the rule `state` it leaves, if given.

        Both rows commit in one transaction: a crash between them would restore the rule as it was
        before the event, and a restart would then send the event again (a phantom `start`).
        """
        wall = self._clock.wall().timestamp()
        with Session(self._engine) as session:
            session.merge(_to_row(event, wall))
            if state is not None:
                session.merge(state_row(state, wall))
            session.commit()

    def events(
        self, since_wall: datetime | None = None, rule: str | None = None, limit: int = 1000
    ) -> list[Event]:
        """The latest `limit` events (optionally since a wall time, of one rule), oldest first."""
        return [stored.event for stored in self.history(since_wall, rule, limit)]

    def history(
        self, since_wall: datetime | None = None, rule: str | None = None, limit: int | None = 1000
    ) -> list[StoredEvent]:
        """Like `events`, with the time each was stored; `limit` None reads them all."""
        query = select(EventRow)
        if since_wall is not None:
            query = query.where(col(EventRow.created) >= since_wall.timestamp())
        if rule is not None:
            query = query.where(EventRow.rule == rule)
        query = query.order_by(col(EventRow.created).desc(), literal_column("rowid").desc())
        if limit is not None:
            query = query.limit(limit)
        with Session(self._engine) as session:
            rows = session.exec(query).all()
        return [StoredEvent(_from_row(row), row.created) for row in reversed(rows)]

    def prune(self, before_wall: float) -> int:
        """Delete events and count samples stored before wall-clock epoch `before_wall`; rows deleted."""
        with Session(self._engine) as session:
            events = session.exec(delete(EventRow).where(col(EventRow.created) < before_wall))
            counts = session.exec(delete(CountSampleRow).where(col(CountSampleRow.time) < before_wall))
            session.commit()
        return int(events.rowcount) + int(counts.rowcount)

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()


def _to_row(event: Event, created: float) -> EventRow:
    return EventRow(
        id=event.id,
        type=str(event.type),
        rule=event.rule,
        kind=event.kind,
        camera=event.camera,
        zone=event.zone,
        start_time=event.start_time,
        end_time=event.end_time,
        value=json.dumps(event.value),
        objects=json.dumps([_object_json(o) for o in event.objects]),
        snapshot=event.snapshot,
        created=created,
    )


def _object_json(obj: EventObject) -> dict[str, Any]:
    return {"track_id": obj.track_id, "label": obj.label, "score": obj.score, "box": list(obj.box)}


def _from_row(row: EventRow) -> Event:
    objects = tuple(
        EventObject(
            o["track_id"], o["label"], o["score"], (o["box"][0], o["box"][1], o["box"][2], o["box"][3])
        )
        for o in json.loads(row.objects)
    )
    return Event(
        id=row.id,
        type=EventType(row.type),
        rule=row.rule,
        kind=row.kind,
        camera=row.camera,
        zone=row.zone,
        start_time=row.start_time,
        end_time=row.end_time,
        value=json.loads(row.value),
        objects=objects,
        snapshot=row.snapshot,
    )
