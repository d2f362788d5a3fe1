"""The events panel: recent rule events, newest first, filtered by the `/` filter."""

from __future__ import annotations

from collections import Counter

from rich.text import Text

from watcher.tui.state import DashboardState, EventRow
from watcher.tui.widgets.format import clock_time, zone_name
from watcher.tui.widgets.table import Row, StateTable
from watcher.types import EventType

_TYPE_STYLES = {EventType.START: "bold green", EventType.UPDATE: "cyan", EventType.END: "dim"}


def objects_text(row: EventRow) -> str:
    """The event's objects as labels with counts: `person×2 car`."""
    counts = Counter(o.label for o in row.event.objects)
    return " ".join(label if n == 1 else f"{label}×{n}" for label, n in sorted(counts.items()))


class EventsTable(StateTable):
    """The most recent events the state keeps."""

    COLUMNS = (
        ("time", "time"),
        ("type", "type"),
        ("rule", "rule"),
        ("camera", "camera"),
        ("zone", "zone"),
        ("objects", "objects"),
        ("value", "value"),
    )

    def show(self, state: DashboardState) -> None:
        """Render the filtered events of `state`."""
        rows: list[Row] = []
        for row in state.shown_events():
            e = row.event
            rows.append(
                (
                    (row.node, e.id),
                    (
                        clock_time(row.received),
                        Text(str(e.type), style=_TYPE_STYLES[e.type]),
                        e.rule,
                        e.camera,
                        zone_name(e.zone),
                        objects_text(row),
                        _value(e.value),
                    ),
                )
            )
        self.sync(rows, nodes=state.fleet)
        suffix = f" (filter: {state.event_filter})" if state.event_filter else ""
        self.border_title = f"events{suffix}"


def _value(value: bool | float | int | str | None) -> str:
    # A binary rule's True/False says no more than start/end does.
    return "" if value is None or isinstance(value, bool) else str(value)
