"""The MQTT outbox: events in SQLite until the broker acks them, and the discovery topics published.

An event row is written before it is published and deleted only after its PUBACK, so a broker
outage or a crash loses nothing. The table is bounded: past `max_rows` the oldest rows are
dropped with a warning. `seq` is AUTOINCREMENT so it never goes back, which keeps delivery in
insertion order across restarts.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func
from sqlmodel import Field, Session, SQLModel, col, select

from watcher.sinks.store.db import open_database
from watcher.types import Event

_log = logging.getLogger("watcher.mqtt")


class OutboxRow(SQLModel, table=True):
    """One event waiting for its PUBACK; `payload` is the event JSON as published."""

    __tablename__ = "mqtt_outbox"
    __table_args__ = {"sqlite_autoincrement": True}

    seq: int | None = Field(default=None, primary_key=True)
    id: str = Field(index=True)
    camera: str
    rule: str
    payload: str


class DiscoveryRow(SQLModel, table=True):
    """A retained Home Assistant discovery topic this node published, to clear it once unused."""

    __tablename__ = "mqtt_discovery"

    topic: str = Field(primary_key=True)


@dataclass(frozen=True, slots=True)
class Queued:
    """An outbox row read back for delivery."""

    seq: int
    id: str
    camera: str
    rule: str
    payload: bytes


class Outbox:
    """Bounded, ordered event queue in SQLite; safe to use from several threads."""

    def __init__(self, path: str | Path, max_rows: int = 10000) -> None:
        self.path = Path(path)
        self.max_rows = max_rows
        self._engine = open_database(self.path)
        self.dropped = 0

    def add(self, event: Event) -> None:
        """Store one event; drop the oldest rows (with a warning) past `max_rows`."""
        row = OutboxRow(
            id=event.id, camera=event.camera, rule=event.rule, payload=json.dumps(event.to_json())
        )
        with Session(self._engine) as session:
            session.add(row)
            session.flush()
            count = session.exec(select(func.count()).select_from(OutboxRow)).one()
            over = count - self.max_rows
            if over > 0:
                oldest = session.exec(select(OutboxRow).order_by(col(OutboxRow.seq)).limit(over)).all()
                for old in oldest:
                    session.delete(old)
                ids = ", ".join(f"{o.id} ({o.rule})" for o in oldest)
                _log.warning("mqtt outbox full (%d events): dropped the oldest: %s", self.max_rows, ids)
                self.dropped += over
            session.commit()

    def after(self, seq: int, limit: int) -> list[Queued]:
        """Up to `limit` rows with a `seq` above `seq`, oldest first."""
        query = select(OutboxRow).where(col(OutboxRow.seq) > seq).order_by(col(OutboxRow.seq)).limit(limit)
        with Session(self._engine) as session:
            rows = session.exec(query).all()
        return [Queued(r.seq or 0, r.id, r.camera, r.rule, r.payload.encode()) for r in rows]

    def remove(self, seq: int) -> None:
        """Forget a delivered row (a row already dropped is fine)."""
        with Session(self._engine) as session:
            session.exec(delete(OutboxRow).where(col(OutboxRow.seq) == seq))
            session.commit()

    def __len__(self) -> int:
        with Session(self._engine) as session:
            return int(session.exec(select(func.count()).select_from(OutboxRow)).one())

    def ids(self) -> list[str]:
        """Event ids still queued, oldest first."""
        return [q.id for q in self.after(0, self.max_rows)]

    def discovery_topics(self) -> set[str]:
        """Discovery topics published by an earlier run (or this one)."""
        with Session(self._engine) as session:
            return set(session.exec(select(DiscoveryRow.topic)).all())

    def remember_discovery(self, topics: Iterable[str]) -> None:
        """Record discovery topics before they are published, so a later run can clear them."""
        with Session(self._engine) as session:
            for topic in topics:
                session.merge(DiscoveryRow(topic=topic))
            session.commit()

    def forget_discovery(self, topic: str) -> None:
        """A discovery topic was cleared on the broker."""
        with Session(self._engine) as session:
            session.exec(delete(DiscoveryRow).where(col(DiscoveryRow.topic) == topic))
            session.commit()

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()
