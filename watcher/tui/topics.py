"""DESIGN.md §5 topics → dashboard messages: pure parsing, no broker, so it is tested by feeding values."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from watcher.errors import SinkError
from watcher.status import CameraHealth
from watcher.tui.messages import (
    AvailabilityChanged,
    CamerasUpdated,
    CountsChanged,
    DetectionChanged,
    EventArrived,
    FaultsChanged,
    RuleChanged,
    StateMessage,
)
from watcher.tui.state import RuleUpdate
from watcher.types import Event, EventObject, EventType

log = logging.getLogger("watcher.tui")


def parse_message(
    prefix: str, topic: str, payload: bytes, *, retained: bool, received: datetime
) -> StateMessage | None:
    """The dashboard message for one MQTT message of the node at `prefix`, or None for topics it
    does not show. The node of every message is its prefix.

    Raises `SinkError` naming the topic when a payload is malformed.
    """
    if not topic.startswith(prefix + "/"):
        return None
    parts = topic[len(prefix) + 1 :].split("/")
    node = prefix
    try:
        match parts:
            case ["availability"]:
                return AvailabilityChanged(payload.decode(), node, None if retained else received)
            case ["faults"]:
                return FaultsChanged(_faults(json.loads(payload)), node)
            case ["events"]:
                return EventArrived(event_from_json(json.loads(payload)), received, node)
            case [camera, "status"]:
                return CamerasUpdated([CameraHealth.from_json(camera, payload)], node)
            case [camera, "counts"]:
                return CountsChanged(camera, _counts(json.loads(payload)), node)
            case [camera, "detect", "state"]:
                return DetectionChanged(camera, _on_off(payload), node)
            case [camera, rule, "state"]:
                return RuleChanged(_state(node, camera, rule, payload.decode(), retained, received))
            case [camera, rule, "attributes"]:
                return RuleChanged(_attributes(node, camera, rule, json.loads(payload)))
            case [camera, rule, "enabled"]:
                return RuleChanged(RuleUpdate(rule, camera, enabled=_on_off(payload), node=node))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise SinkError("tui", f"topic {topic}: bad payload: {exc}") from None
    return None


def event_from_json(data: Mapping[str, Any]) -> Event:
    """An `Event` from its DESIGN.md §5 JSON (the inverse of `Event.to_json`)."""
    return Event(
        id=str(data["id"]),
        type=EventType(data["type"]),
        rule=str(data["rule"]),
        kind=str(data["kind"]),
        camera=str(data["camera"]),
        zone=data.get("zone"),
        start_time=float(data["start_time"]),
        end_time=None if data.get("end_time") is None else float(data["end_time"]),
        value=data.get("value"),
        objects=tuple(
            EventObject(int(o["track_id"]), str(o["label"]), float(o["score"]), _box(o["box"]))
            for o in data.get("objects", ())
        ),
        snapshot=data.get("snapshot"),
    )


def _box(values: list[float]) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in values)
    return x1, y1, x2, y2


def _counts(data: Any) -> dict[str, dict[str, int]]:
    if not isinstance(data, Mapping):
        raise TypeError("counts must be a JSON object of zone to {label: count}")
    return {str(zone): {str(k): int(v) for k, v in labels.items()} for zone, labels in data.items()}


def _faults(data: Any) -> dict[str, str]:
    if not isinstance(data, Mapping):
        raise TypeError("faults must be a JSON object of part to reason")
    return {str(part): str(reason) for part, reason in data.items()}


def _on_off(payload: bytes) -> bool:
    if payload not in (b"ON", b"OFF"):
        raise ValueError(f"expected ON or OFF (got {payload[:20]!r})")
    return payload == b"ON"


def bridge_up(topic: str, payload: bytes) -> bool:
    """A mosquitto bridge's notification: `1` up, `0` down; `SinkError` naming the topic otherwise."""
    if payload not in (b"1", b"0"):
        raise SinkError("tui", f"topic {topic}: bad payload: expected 1 or 0 (got {payload[:20]!r})")
    return payload == b"1"


def node_of_status(topic: str, payload: bytes) -> str | None:
    """The node (topic prefix) of a `<node>/<camera>/status` message that is a watcher camera
    status, else None: other software on the broker may use the same topic shape."""
    node, _, rest = topic.partition("/")
    camera, _, tail = rest.partition("/")
    if not node or not camera or tail != "status":
        return None
    try:
        CameraHealth.from_json(camera, payload)
    except SinkError:
        return None
    return node


def _state(node: str, camera: str, rule: str, text: str, retained: bool, received: datetime) -> RuleUpdate:
    value: bool | float | int | str | None
    if text in ("ON", "OFF"):
        active = text == "ON"
        value = active
    elif not text:
        active, value = False, None  # an idle sensor
    else:
        try:
            number = float(text)
        except ValueError:
            active, value = True, text  # a label, e.g. a state rule's "open"
        else:
            value = int(number) if number.is_integer() else number
            active = number != 0
    # A retained state was set before we connected: when it began is unknown.
    return RuleUpdate(
        rule, camera, active=active, value=value, since=None if retained else received, node=node
    )


def _attributes(node: str, camera: str, rule: str, data: Any) -> RuleUpdate:
    if not isinstance(data, Mapping):
        raise TypeError("attributes must be a JSON object")
    kind = data.get("kind")
    enabled = data.get("enabled")
    status = data.get("status")
    return RuleUpdate(
        rule,
        camera,
        kind=None if kind is None else str(kind),
        enabled=None if enabled is None else bool(enabled),
        node=node,
        status=None if status is None else str(status),
    )
