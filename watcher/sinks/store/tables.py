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


class RuleStateRow(SQLModel, table=True):
    """A rule's last known state, for restart recovery; `value` is JSON text."""

    __tablename__ = "rule_states"

    rule: str = Field(primary_key=True)
    camera: str
    kind: str
    active: bool
    value: str
    since: float | None = None
    enabled: bool = True
    updated: float
    seen_at: float | None = None
    """Capture time of the rule's last observation, and its wall-clock epoch: `since` on the next
    run's clock after a reboot. Added after the first release (`db.migrate`)."""
    seen_wall: float | None = None


class CountSampleRow(SQLModel, table=True):
    """Objects of one label in one zone at one time (downsampled); `time` is wall-clock epoch seconds."""

    __tablename__ = "count_samples"

    id: int | None = Field(default=None, primary_key=True)
    camera: str = Field(index=True)
    zone: str
    label: str
    count: int
    time: float = Field(index=True)
