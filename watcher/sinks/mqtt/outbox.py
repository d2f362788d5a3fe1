"""The MQTT outbox: events in SQLite until the broker acks them, and the discovery topics published.

An event row is written before it is published and deleted only after its PUBACK, so a broker
outage or a crash loses nothing. The table is bounded: past `max_rows` the oldest rows are
dropped with a warning. `seq` is AUTOINCREMENT so it never goes back, which keeps delivery in
insertion order across restarts.

When the file cannot take a row (disk full, an I/O error), events queue in memory instead, in order
after the stored rows, so the broker still gets them while the daemon runs (a crash loses those);
the outbox goes back to the file once the memory queue is delivered. When the file cannot even be
opened at start, the outbox keeps events (and the discovery topics it published) in memory until
`attach` (the store opened the file again) moves them into it, or until the next start.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, func, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Field, Session, SQLModel, col, select

from watcher.errors import StoreOpenError
from watcher.faults import PartFaults
from watcher.sinks.store.db import open_database
from watcher.types import Event

_log = logging.getLogger("watcher.mqtt")

PART = "mqtt outbox"
"""The outbox's name in the daemon's part faults."""


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
    """Bounded, ordered event queue in SQLite; safe to use from several threads.

    `failed`: the file is known not to open (the store just failed on it), so do not try; either
    way a file that does not open is marked in `faults`.
    """

    def __init__(
        self,
        path: str | Path,
        max_rows: int = 10000,
        *,
        faults: PartFaults | None = None,
        failed: StoreOpenError | None = None,
    ) -> None:
        self.path = Path(path)
        self.max_rows = max_rows
        self._engine: Engine | None = None
        retried = failed is not None
        if failed is None:
            try:
                self._engine = open_database(self.path)
            except StoreOpenError as exc:
                failed = exc
                _log.error(
                    "mqtt outbox: cannot open %s (store.path): %s; events wait in memory (at most %d, "
                    "mqtt.outbox_max) and still go to the broker; a restart loses those not yet delivered",
                    exc.path,
                    exc.reason,
                    max_rows,
                )
        self._faults = faults
        if failed is not None and faults is not None:
            # Given `failed`, the store retries the file and `attach`es the outbox once it opens.
            until = "the store opens again" if retried else "the next start"
            faults.failed(PART, f"{failed.path}: {failed.reason}; events wait in memory until {until}")
        self._closed = False
        self._discovery: set[str] = set()
        """Discovery topics published, when there is no file to remember them in."""
        self.dropped = 0
        # Events the file could not take, in order; their seq continues the file's, and the next
        # stored row continues theirs (`_next_seq`), so delivery order and the watermark hold.
        self._memory: list[Queued] = []
        self._next_seq: int | None = None
        self._lock = threading.Lock()

    def attach(self) -> bool:
        """Go back to the file that could not be opened at start (the store opened it again): True
        once the events and discovery topics in memory are in it, and the fault is cleared.

        Memory events keep their seqs (the publisher may have them in flight); rows an earlier run
        left in the file are renumbered above every seq given so far, so nothing collides and they
        go to the broker now, after this run's events and before the next ones.
        """
        with self._lock:
            if self._engine is not None or self._closed:
                return self._engine is not None
        try:
            engine = open_database(self.path)
        except StoreOpenError as exc:
            _log.error(
                "mqtt outbox: cannot open %s again: %s; events still wait in memory", exc.path, exc.reason
            )
            return False
        with self._lock:
            if self._closed:
                engine.dispose()
                return False
            try:
                moved, earlier = len(self._memory), self._move_into(engine)
            except DatabaseError as exc:
                engine.dispose()
                _log.error(
                    "mqtt outbox: %s cannot take the events waiting in memory (%s); they stay there",
                    self.path,
                    exc.orig,
                )
                return False
            self._engine, self._memory, self._next_seq = engine, [], None
            self._discovery.clear()
        if self._faults is not None:
            self._faults.recovered(PART)
        _log.info(
            "mqtt outbox: back in %s; %d event(s) from memory moved into it, %d left by an earlier run "
            "go to the broker after them",
            self.path,
            moved,
            earlier,
        )
        return True

    def _move_into(self, engine: Engine) -> int:
        """Write memory (events, discovery topics) into the file in one transaction, the earlier
        run's rows renumbered above it; how many rows the earlier run left."""
        with engine.begin() as conn:
            # Every seq in the file is <= `top` and so is every seq given out from memory (the
            # publisher's watermark too): adding `top` moves the earlier rows past all of them.
            top = max(_high_water_in(conn), (self._next_seq or 1) - 1)
            earlier = conn.execute(text("UPDATE mqtt_outbox SET seq = seq + :top"), {"top": top}).rowcount
            if self._memory:
                conn.execute(
                    text(
                        "INSERT INTO mqtt_outbox (seq, id, camera, rule, payload) "
                        "VALUES (:seq, :id, :camera, :rule, :payload)"
                    ),
                    [
                        {
                            "seq": q.seq,
                            "id": q.id,
                            "camera": q.camera,
                            "rule": q.rule,
                            "payload": q.payload.decode(),
                        }
                        for q in self._memory
                    ],
                )
            if self._discovery:
                conn.execute(
                    text("INSERT OR IGNORE INTO mqtt_discovery (topic) VALUES (:topic)"),
                    [{"topic": t} for t in sorted(self._discovery)],
                )
            # An UPDATE does not raise AUTOINCREMENT's high water: set it, so seqs never go back.
            last = max(top, int(conn.execute(text("SELECT MAX(seq) FROM mqtt_outbox")).scalar() or 0))
            if not conn.execute(
                text("UPDATE sqlite_sequence SET seq = :last WHERE name = 'mqtt_outbox'"), {"last": last}
            ).rowcount:
                conn.execute(
                    text("INSERT INTO sqlite_sequence (name, seq) VALUES ('mqtt_outbox', :last)"),
                    {"last": last},
                )
        return int(earlier)

    def add(self, event: Event) -> None:
        """Store one event; drop the oldest rows (with a warning) past `max_rows`."""
        payload = json.dumps(event.to_json())
        with self._lock:
            if not self._memory and self._engine is not None:
                row = OutboxRow(
                    seq=self._next_seq, id=event.id, camera=event.camera, rule=event.rule, payload=payload
                )
                try:
                    self._store(row)
                    self._next_seq = None
                    return
                except DatabaseError as exc:
                    _log.error(
                        "mqtt outbox: %s cannot take events (%s); queueing them in memory",
                        self.path,
                        exc.orig,
                    )
            seq = (
                self._memory[-1].seq + 1 if self._memory else max(self._next_seq or 0, self._high_water() + 1)
            )
            self._memory.append(Queued(seq, event.id, event.camera, event.rule, payload.encode()))
            self._next_seq = seq + 1
            if len(self._memory) > self.max_rows:
                old = self._memory.pop(0)
                self._dropped([(old.id, old.rule)])

    def _high_water(self) -> int:
        """The largest seq the file ever gave."""
        if self._engine is None:
            return 0
        with self._engine.connect() as conn:
            return _high_water_in(conn)

    def _store(self, row: OutboxRow) -> None:
        assert self._engine is not None
        with Session(self._engine) as session:
            session.add(row)
            session.flush()
            count = session.exec(select(func.count()).select_from(OutboxRow)).one()
            over = count - self.max_rows
            if over > 0:
                oldest = session.exec(select(OutboxRow).order_by(col(OutboxRow.seq)).limit(over)).all()
                for old in oldest:
                    session.delete(old)
                self._dropped([(o.id, o.rule) for o in oldest])
            session.commit()

    def _dropped(self, oldest: list[tuple[str, str]]) -> None:
        """Count and report the (id, rule) of events dropped to stay within `max_rows`."""
        ids = ", ".join(f"{event_id} ({rule})" for event_id, rule in oldest)
        _log.warning("mqtt outbox full (%d events): dropped the oldest: %s", self.max_rows, ids)
        self.dropped += len(oldest)

    def after(self, seq: int, limit: int) -> list[Queued]:
        """Up to `limit` rows with a `seq` above `seq`, oldest first (stored ones, then those in memory)."""
        stored: list[Queued] = []
        if self._engine is not None:
            query = (
                select(OutboxRow).where(col(OutboxRow.seq) > seq).order_by(col(OutboxRow.seq)).limit(limit)
            )
            with Session(self._engine) as session:
                rows = session.exec(query).all()
            stored = [Queued(r.seq or 0, r.id, r.camera, r.rule, r.payload.encode()) for r in rows]
        with self._lock:
            return (stored + [q for q in self._memory if q.seq > seq])[:limit]

    def remove(self, seq: int) -> None:
        """Forget a delivered row (a row already dropped is fine)."""
        with self._lock:
            if (self._memory and seq >= self._memory[0].seq) or self._engine is None:
                self._memory = [q for q in self._memory if q.seq != seq]
                return
        with Session(self._engine) as session:
            session.exec(delete(OutboxRow).where(col(OutboxRow.seq) == seq))
            session.commit()

    def __len__(self) -> int:
        return self.in_file() + self.in_memory

    def in_file(self) -> int:
        """Events waiting in the file: what the next start delivers."""
        if self._engine is None:
            return 0
        with Session(self._engine) as session:
            return int(session.exec(select(func.count()).select_from(OutboxRow)).one())

    @property
    def in_memory(self) -> int:
        """Events waiting in memory (the file could not take them): a stop loses them."""
        with self._lock:
            return len(self._memory)

    def ids(self) -> list[str]:
        """Event ids still queued, oldest first."""
        return [q.id for q in self.after(0, self.max_rows)]

    def discovery_topics(self) -> set[str]:
        """Discovery topics published by an earlier run (or this one)."""
        if self._engine is None:
            return set(self._discovery)
        with Session(self._engine) as session:
            return set(session.exec(select(DiscoveryRow.topic)).all())

    def remember_discovery(self, topics: Iterable[str]) -> None:
        """Record discovery topics before they are published, so a later run can clear them."""
        if self._engine is None:
            self._discovery.update(topics)
            return
        with Session(self._engine) as session:
            for topic in topics:
                session.merge(DiscoveryRow(topic=topic))
            session.commit()

    def forget_discovery(self, topic: str) -> None:
        """A discovery topic was cleared on the broker."""
        if self._engine is None:
            self._discovery.discard(topic)
            return
        with Session(self._engine) as session:
            session.exec(delete(DiscoveryRow).where(col(DiscoveryRow.topic) == topic))
            session.commit()

    def close(self) -> None:
        """Release the database connections; say how many events only memory held (lost now)."""
        with self._lock:
            self._closed = True
        lost = self.in_memory
        if lost:
            _log.warning("mqtt outbox: %d event(s) waiting in memory are lost (not in the file)", lost)
        if self._engine is not None:
            self._engine.dispose()


def _high_water_in(conn: Connection) -> int:
    """The largest seq the outbox table ever gave (AUTOINCREMENT keeps it in sqlite_sequence)."""
    found = conn.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'mqtt_outbox'")).scalar()
    return int(found or 0)
