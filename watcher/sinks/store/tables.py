"""SQLite table models of the store; read models (`Event`) are converted in `events.py`."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class EventRow(SQLModel, table=True):
    """One event as stored; `value` and `objects` are JSON text, `created` is wall-clock epoch seconds."""

    __tablename__ = "events"

    id: str = Field(primary_key=True)
    type: str
    rule: str = Field(index=True)
    kind: str
    camera: str
    zone: str | None = None
    start_time: float
    end_time: float | None = None
    value: str
    objects: str
    snapshot: str | None = None
    created: float = Field(index=True)
