"""The dashboard's one state model: nodes, cameras, counts with history, rules and recent events.

Feeds (in-process or MQTT) change it only through `watcher.tui.messages`; widgets only read it.
Everything is keyed by node first: over MQTT a node is a daemon's topic prefix, so cameras and
rules of the same name on two nodes stay apart; in-process the one node is "".
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
_OFFLINE_NAMED = 3
"""Offline nodes named in the header; more are `…`."""


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
    status: str | None = None
    """The kind's readiness (`left_object`: learning or learned), when it has one."""


@dataclass(frozen=True, slots=True)
class NodeRow:
    """A watcher node as the dashboard shows it: its `online`/`offline` and since when."""

    node: str
    availability: str
    since: datetime | None
    """Wall time the availability was seen to change; None when it was retained."""


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
    node: str = ""
    status: str | None = None


@dataclass(frozen=True, slots=True)
class EventRow:
    """An event, the wall time it reached the dashboard, and the node that sent it."""

    event: Event
    received: datetime
    node: str = ""

    def text(self) -> str:
        """Everything the events filter matches against, lower case."""
        e = self.event
        labels = " ".join(o.label for o in e.objects)
        return f"{e.type} {e.rule} {e.kind} {e.camera} {e.zone or ''} {labels} {e.value} {self.node}".lower()


class DashboardState:
    """Everything the widgets render; mutated on the UI thread only."""

    def __init__(self, clock: Clock, *, events_kept: int = EVENTS_KEPT) -> None:
        self.clock = clock
        self.nodes: dict[str, NodeRow] = {}
        self._said: dict[str, str] = {}
        """Each node's own availability payload, before its bridge's state is taken into account."""
        self._bridge_down: set[str] = set()
        """Nodes whose mosquitto bridge reads 0: the central broker cannot hear their last will."""
        self.cameras: dict[tuple[str, str], CameraHealth] = {}
        """(node, camera) to its health."""
        self.counts: dict[tuple[str, str, str, str], CountSeries] = {}
        """(node, camera, zone, label) to its count."""
        self.rules: dict[tuple[str, str], RuleRow] = {}
        """(node, rule) to its row, in the order first seen."""
        self.events: deque[EventRow] = deque(maxlen=events_kept)
        self.event_filter = ""
        self.node_filter: str | None = None
        """Show only this node's cameras, counts, rules and events; None shows every node."""
        self.feed = ""
        """Where the data comes from, and whether that connection is up."""
        self.faults: dict[str, dict[str, str]] = {}
        """Node to its failed parts (`store`, `mqtt outbox`) and why; a node without any has none here."""

    @property
    def fleet(self) -> bool:
        """More than one node is known: the panels name each row's node."""
        return len(self.nodes) > 1

    def headline(self) -> str:
        """The feed, and the daemon's availability (one node) or how many nodes are online."""
        parts = [self.feed]
        if self.fleet:
            offline = [node for node, row in self.nodes.items() if row.availability == "offline"]
            online = sum(row.availability == "online" for row in self.nodes.values())
            parts.append(f"{online}/{len(self.nodes)} nodes online")
            if offline:
                # The nodes panel may be scrolled on a small terminal: name the first few here.
                names = ", ".join(offline[:_OFFLINE_NAMED]) + (", …" if len(offline) > _OFFLINE_NAMED else "")
                parts.append(f"offline: {names}")
        elif self.nodes:
            parts.append(f"daemon {next(iter(self.nodes.values())).availability}")
        if self.node_filter is not None:
            parts.append(f"node {self.node_filter}")
        for node, faults in sorted(self.faults.items()):
            if self.shows(node):
                where = f"{node}: " if self.fleet else ""
                parts.extend(f"{where}{part} failed: {reason}" for part, reason in faults.items())
        return " · ".join(parts)

    def online(self, node: str) -> bool:
        """False once the node said `offline` (its last will): what it retained is stale."""
        row = self.nodes.get(node)
        return row is None or row.availability != "offline"

    def shows(self, node: str) -> bool:
        """Whether the node filter lets this node's rows through."""
        return self.node_filter is None or node == self.node_filter

    def set_faults(self, faults: Mapping[str, str], node: str = "") -> None:
        """The failed parts of `node` now (none: it has recovered)."""
        if faults:
            self.faults[node] = dict(sorted(faults.items()))
        else:
            self.faults.pop(node, None)

    def set_availability(self, node: str, availability: str, since: datetime | None) -> None:
        """A node's `online`/`offline`; the same value again keeps its since-when."""
        self._said[node] = availability
        self._show_availability(node, since)

    def set_bridge(self, node: str, up: bool, since: datetime | None) -> None:
        """The state of the bridge the node publishes through: while it is down the node is
        `offline`, whatever it said last (a Pi without power cannot say so itself)."""
        if up:
            self._bridge_down.discard(node)
        else:
            self._bridge_down.add(node)
        self._show_availability(node, since)

    def _show_availability(self, node: str, since: datetime | None) -> None:
        said = self._said.get(node)
        if said is None:
            return  # the bridge's state came first: the node's row waits for its own availability
        availability = "offline" if node in self._bridge_down else said
        row = self.nodes.get(node)
        if row is None or row.availability != availability:
            self.nodes[node] = NodeRow(node, availability, since)
            self.nodes = dict(sorted(self.nodes.items()))

    def next_node(self) -> str | None:
        """Step the node filter: all nodes, then each node in name order, then all again."""
        names = list(self.nodes)
        if self.node_filter in names:
            index = names.index(self.node_filter) + 1
            self.node_filter = names[index] if index < len(names) else None
        else:
            self.node_filter = names[0] if names else None
        return self.node_filter

    def bucket(self) -> int:
        """The sparkline time bucket of now."""
        return int(self.clock.monotonic() // SPARK_BUCKET_S)

    def set_cameras(self, rows: Sequence[CameraHealth], node: str = "") -> None:
        """Replace the health of the given cameras of `node` (others are kept)."""
        for row in rows:
            self.cameras[(node, row.camera)] = row

    def set_counts(self, camera: str, counts: Mapping[str, Mapping[str, int]], node: str = "") -> None:
        """The camera's counts now: every zone and label; ones no longer there drop to 0."""
        bucket = self.bucket()
        seen: set[tuple[str, str, str, str]] = set()
        for zone, labels in counts.items():
            for label, n in labels.items():
                key = (node, camera, zone, label)
                seen.add(key)
                self.counts.setdefault(key, CountSeries(camera, zone, label)).record(bucket, n)
        for key, series in self.counts.items():
            if key[:2] == (node, camera) and key not in seen and series.value:
                series.record(bucket, 0)

    def update_rule(self, update: RuleUpdate) -> None:
        """Merge one rule change into its row (creating the row on first sight)."""
        key = (update.node, update.rule)
        row = self.rules.get(key) or RuleRow(
            update.rule, update.camera, "?", active=False, value=None, since=None
        )
        changes: dict[str, object] = {"camera": update.camera}
        if update.kind is not None:
            changes["kind"] = update.kind
        if update.enabled is not None:
            changes["enabled"] = update.enabled
        if update.status is not None:
            changes["status"] = update.status
        # The same state again (MQTT re-publishes every state on reconnect) keeps its since-when.
        if update.active is not None and (update.active, update.value) != (row.active, row.value):
            changes["active"] = update.active
            changes["value"] = update.value
            changes["since"] = update.since
        self.rules[key] = replace(row, **changes)  # type: ignore[arg-type]

    def add_event(self, event: Event, received: datetime, node: str = "") -> None:
        """Remember an event (the oldest goes when the log is full)."""
        self.events.appendleft(EventRow(event, received, node))

    def shown_events(self) -> Iterator[EventRow]:
        """Events newest first, of the shown node(s), that have every word of `event_filter`."""
        words = self.event_filter.lower().split()
        for row in self.events:
            if not self.shows(row.node):
                continue
            text = row.text()
            if all(word in text for word in words):
                yield row

    def set_detecting(self, camera: str, detecting: bool, node: str = "") -> None:
        """Mark detection paused/resumed before the daemon confirms it."""
        row = self.cameras.get((node, camera)) or CameraHealth(camera, "unknown")
        self.cameras[(node, camera)] = replace(row, detecting=detecting)
