"""The dashboard's one state model: cameras, counts with history, rules and recent events.

Feeds (in-process or MQTT) change it only through `watcher.tui.messages`; widgets only read it.
Times shown to the user are wall-clock times from the injected clock, so tests can fix them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from watcher.clock import Clock
from watcher.status import CameraHealth
from watcher.types import Event

EVENTS_KEPT = 200
SPARK_BUCKET_S = 15.0
SPARK_BUCKETS = 20
"""Twenty buckets of fifteen seconds: the last five minutes of each count."""


@dataclass(slots=True)
class CountSeries:
    """One count (camera, zone, label) and its history: the highest value in each time bucket."""

    camera: str
    zone: str
    label: str
    value: int = 0
    history: deque[tuple[int, int, int]] = field(default_factory=lambda: deque(maxlen=SPARK_BUCKETS))
    """(bucket number, highest value in it, last value in it), oldest first."""

    def record(self, bucket: int, value: int) -> None:
        """Set the current value at time bucket `bucket`."""
        self.value = value
        if self.history and self.history[-1][0] == bucket:
            self.history[-1] = (bucket, max(self.history[-1][1], value), value)
        else:
            self.history.append((bucket, value, value))

    def series(self, bucket: int) -> list[int]:
        """The highest value of each of the last `SPARK_BUCKETS` buckets up to `bucket`.

        Counts are sent only when they change, so a bucket without a record holds the last value.
        """
        first = bucket - SPARK_BUCKETS + 1
        held = 0
        known: dict[int, tuple[int, int]] = {}
        for number, peak, last in self.history:
            if number < first:
                held = last
            else:
                known[number] = (peak, last)
        out: list[int] = []
        for number in range(first, bucket + 1):
            if number in known:
                peak, held = known[number]
                out.append(peak)
            else:
                out.append(held)
        return out


@dataclass(frozen=True, slots=True)
class RuleRow:
    """A rule as the dashboard shows it."""

    rule: str
    camera: str
    kind: str
    active: bool
    value: bool | float | int | str | None
    since: datetime | None
    """Wall time the current state began, when known."""
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class RuleUpdate:
    """A change to one rule; None fields keep what the model had."""

    rule: str
    camera: str
    kind: str | None = None
    active: bool | None = None
    value: bool | float | int | str | None = None
    since: datetime | None = None
    enabled: bool | None = None


@dataclass(frozen=True, slots=True)
class EventRow:
    """An event and the wall time it reached the dashboard."""

    event: Event
    received: datetime

    def text(self) -> str:
        """Everything the events filter matches against, lower case."""
        e = self.event
        labels = " ".join(o.label for o in e.objects)
        return f"{e.type} {e.rule} {e.kind} {e.camera} {e.zone or ''} {labels} {e.value}".lower()


class DashboardState:
    """Everything the widgets render; mutated on the UI thread only."""

    def __init__(self, clock: Clock, *, events_kept: int = EVENTS_KEPT) -> None:
        self.clock = clock
        self.cameras: dict[str, CameraHealth] = {}
        self.counts: dict[tuple[str, str, str], CountSeries] = {}
        self.rules: dict[str, RuleRow] = {}
        self.events: deque[EventRow] = deque(maxlen=events_kept)
        self.event_filter = ""
        self.feed = ""
        """Where the data comes from, and whether that connection is up."""
        self.availability = ""
        """The daemon's own `online`/`offline` (MQTT availability), when known."""

    def headline(self) -> str:
        """The feed and the daemon's availability in one line."""
        if not self.availability:
            return self.feed
        return f"{self.feed} · daemon {self.availability}"

    def bucket(self) -> int:
        """The sparkline time bucket of now."""
        return int(self.clock.monotonic() // SPARK_BUCKET_S)

    def set_cameras(self, rows: Sequence[CameraHealth]) -> None:
        """Replace the health of the given cameras (others are kept)."""
        for row in rows:
            self.cameras[row.camera] = row

    def set_counts(self, camera: str, counts: Mapping[str, Mapping[str, int]]) -> None:
        """The camera's counts now: every zone and label; ones no longer there drop to 0."""
        bucket = self.bucket()
        seen: set[tuple[str, str, str]] = set()
        for zone, labels in counts.items():
            for label, n in labels.items():
                key = (camera, zone, label)
                seen.add(key)
                self.counts.setdefault(key, CountSeries(camera, zone, label)).record(bucket, n)
        for key, series in self.counts.items():
            if key[0] == camera and key not in seen and series.value:
                series.record(bucket, 0)

    def update_rule(self, update: RuleUpdate) -> None:
        """Merge one rule change into its row (creating the row on first sight)."""
        row = self.rules.get(update.rule) or RuleRow(
            update.rule, update.camera, "?", active=False, value=None, since=None
        )
        changes: dict[str, object] = {"camera": update.camera}
        if update.kind is not None:
            changes["kind"] = update.kind
        if update.enabled is not None:
            changes["enabled"] = update.enabled
        # The same state again (MQTT re-publishes every state on reconnect) keeps its since-when.
        if update.active is not None and (update.active, update.value) != (row.active, row.value):
            changes["active"] = update.active
            changes["value"] = update.value
            changes["since"] = update.since
        self.rules[update.rule] = replace(row, **changes)  # type: ignore[arg-type]

    def add_event(self, event: Event, received: datetime) -> None:
        """Remember an event (the oldest goes when the log is full)."""
        self.events.appendleft(EventRow(event, received))

    def shown_events(self) -> Iterator[EventRow]:
        """Events newest first, filtered by `event_filter` (words that must all appear)."""
        words = self.event_filter.lower().split()
        for row in self.events:
            text = row.text()
            if all(word in text for word in words):
                yield row

    def set_detecting(self, camera: str, detecting: bool) -> None:
        """Mark detection paused/resumed before the daemon confirms it."""
        row = self.cameras.get(camera) or CameraHealth(camera, "unknown")
        self.cameras[camera] = replace(row, detecting=detecting)
