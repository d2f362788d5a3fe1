"""Typed Textual messages: the only way a feed changes the dashboard state (safe from any thread)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

from textual.message import Message

from watcher.status import CameraHealth
from watcher.tui.state import DashboardState, RuleUpdate
from watcher.types import Event


class StateMessage(Message):
    """A change to the dashboard state; the app applies it on the UI thread and re-renders."""

    def apply(self, state: DashboardState) -> None:
        """Change `state` accordingly."""
        raise NotImplementedError


class CamerasUpdated(StateMessage):
    """Fresh health rows for some cameras of a node."""

    def __init__(self, rows: Sequence[CameraHealth], node: str = "") -> None:
        super().__init__()
        self.rows = tuple(rows)
        self.node = node

    def apply(self, state: DashboardState) -> None:
        state.set_cameras(self.rows, self.node)


class CountsChanged(StateMessage):
    """A camera's counts, zone to label to count, after they changed."""

    def __init__(self, camera: str, counts: Mapping[str, Mapping[str, int]], node: str = "") -> None:
        super().__init__()
        self.camera = camera
        self.counts = {zone: dict(labels) for zone, labels in counts.items()}
        self.node = node

    def apply(self, state: DashboardState) -> None:
        state.set_counts(self.camera, self.counts, self.node)


class DetectionChanged(StateMessage):
    """Detection was paused or resumed on a camera."""

    def __init__(self, camera: str, detecting: bool, node: str = "") -> None:
        super().__init__()
        self.camera = camera
        self.detecting = detecting
        self.node = node

    def apply(self, state: DashboardState) -> None:
        state.set_detecting(self.camera, self.detecting, self.node)


class RuleChanged(StateMessage):
    """A rule's state, kind or enabled flag changed."""

    def __init__(self, update: RuleUpdate) -> None:
        super().__init__()
        self.update = update

    def apply(self, state: DashboardState) -> None:
        state.update_rule(self.update)


class EventArrived(StateMessage):
    """A rule event, as it arrived."""

    def __init__(self, event: Event, received: datetime, node: str = "") -> None:
        super().__init__()
        self.event = event
        self.received = received
        self.node = node

    def apply(self, state: DashboardState) -> None:
        state.add_event(self.event, self.received, self.node)


class FaultsChanged(StateMessage):
    """A node's failed parts (`store`, `mqtt outbox`) and why; empty once they work again."""

    def __init__(self, faults: Mapping[str, str], node: str = "") -> None:
        super().__init__()
        self.faults = dict(faults)
        self.node = node

    def apply(self, state: DashboardState) -> None:
        state.set_faults(self.faults, self.node)


class FeedChanged(StateMessage):
    """Where the data comes from, or that its source went away."""

    def __init__(self, description: str) -> None:
        super().__init__()
        self.description = description

    def apply(self, state: DashboardState) -> None:
        state.feed = self.description


class AvailabilityChanged(StateMessage):
    """A node said it is `online` or `offline` (its MQTT availability topic, `offline` its last will)."""

    def __init__(self, availability: str, node: str = "", since: datetime | None = None) -> None:
        super().__init__()
        self.availability = availability
        self.node = node
        self.since = since

    def apply(self, state: DashboardState) -> None:
        state.set_availability(self.node, self.availability, self.since)


class BridgeChanged(StateMessage):
    """The mosquitto bridge a node publishes through went up (`1`) or down (`0`)."""

    def __init__(self, up: bool, node: str, since: datetime | None = None) -> None:
        super().__init__()
        self.up = up
        self.node = node
        self.since = since

    def apply(self, state: DashboardState) -> None:
        state.set_bridge(self.node, self.up, self.since)


class FeedEnded(FeedChanged):
    """The feed's source stopped for good (the in-process daemon exited): the app closes."""


class Notice(Message):
    """A log line worth showing the user (a warning or an error) as a notification."""

    def __init__(self, text: str, severity: Literal["information", "warning", "error"]) -> None:
        super().__init__()
        self.text = text
        self.severity = severity


def snapshot_notice(camera: str, path: Path | None) -> Notice:
    """What the dashboard says when a snapshot asked for with `s` was saved (or not)."""
    if path is None:
        return Notice(f"snapshot of {camera} not saved (see the log)", "warning")
    return Notice(f"snapshot of {camera} saved: {path}", "information")
