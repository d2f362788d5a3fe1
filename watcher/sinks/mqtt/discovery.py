"""Home Assistant MQTT discovery payloads: one device per camera, linked to the watcher node.

Every entity has a stable `unique_id` (`watcher_<node>_<camera>_<rule>[_<what>]`), an
`object_id` for a predictable entity id, and the node's availability topic (with its bridge's
state topic when `[mqtt] bridge_state_topic` is set).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from watcher import __version__
from watcher.config import Config, RuleConfig, iter_rules
from watcher.sinks.mqtt.topics import DETECT, Topics
from watcher.types import WHOLE_FRAME

BINARY_DEVICE_CLASS: dict[str, str | None] = {
    "presence": "occupancy",
    "occupancy": "occupancy",
    "left_object": "presence",
    "state": "opening",
    "missing_associate": "safety",
    "area": "problem",
    "line_count": None,
}
"""Rule kind to the HA binary_sensor device_class it reads best as."""

NUMERIC_KINDS = frozenset({"presence", "occupancy", "area", "line_count"})
"""Kinds whose sensor value is a number (HA `state_class: measurement`); `state` reports a label."""

PROBLEM_TEMPLATE = "{{ 'ON' if value_json else 'OFF' }}"
"""`<prefix>/faults` (`{}` when all is well) to the problem sensor's state."""

EVENT_TYPES = ("start", "end")
_EVENT_TEMPLATE = (
    '{{ {"event_type": value_json.type, "id": value_json.id, "zone": value_json.zone, '
    '"value": value_json.value, "start_time": value_json.start_time} | to_json }}'
)


@dataclass(frozen=True, slots=True)
class Discovery:
    """One retained discovery config: its topic and JSON payload."""

    topic: str
    payload: dict[str, Any]


def discovery_messages(config: Config, topics: Topics) -> list[Discovery]:
    """Every discovery config of the node and its enabled cameras, in a stable order."""
    node = config.node_id
    node_device = {
        "identifiers": [f"watcher_{node}"],
        "name": config.mqtt.node_name or ("watcher" if node == "watcher" else f"watcher {node}"),
        "manufacturer": "watcher",
        "model": "watcher node",
        "sw_version": __version__,
    }
    out = [
        _entity(
            topics,
            "binary_sensor",
            "status",
            node_device,
            name="Status",
            state_topic=topics.availability,
            payload_on="online",
            payload_off="offline",
            device_class="connectivity",
            entity_category="diagnostic",
        ),
        # ON while a part runs without its file (a store on a full disk); the parts and reasons
        # are its attributes, so HA shows "store: /var/lib/watcher/watcher.db: database or disk is full".
        _entity(
            topics,
            "binary_sensor",
            "problem",
            node_device,
            name="Problem",
            state_topic=topics.faults,
            value_template=PROBLEM_TEMPLATE,
            payload_on="ON",
            payload_off="OFF",
            json_attributes_topic=topics.faults,
            device_class="problem",
            entity_category="diagnostic",
        ),
    ]
    for camera in (c for c in config.cameras if c.enabled):
        device = {
            "identifiers": [f"watcher_{node}_{camera.name}"],
            # Several nodes often name a camera alike ("door"): the node tells their devices apart.
            "name": camera.name if node == "watcher" else f"{node} {camera.name}",
            "manufacturer": "watcher",
            "model": "watcher camera",
            "sw_version": __version__,
            "via_device": f"watcher_{node}",
        }
        out.extend(_camera_entities(config, topics, camera.name, device))
        for rule in iter_rules(config, camera.name):
            out.extend(_rule_entities(topics, rule, device))
    return out


def _camera_entities(
    config: Config, topics: Topics, camera: str, device: dict[str, Any]
) -> Iterator[Discovery]:
    yield _entity(
        topics,
        "switch",
        f"{camera}_{DETECT}",
        device,
        name="Detection",
        command_topic=topics.set(camera, DETECT),
        state_topic=topics.detect_state(camera),
        payload_on="ON",
        payload_off="OFF",
        entity_category="config",
        icon="mdi:motion-sensor",
    )
    zones = [WHOLE_FRAME, *(z.name for z in config.zones if z.camera == camera)]
    for zone in zones:
        for label in count_labels(config, camera):
            where = "" if zone == WHOLE_FRAME else f"{zone}_"
            yield _entity(
                topics,
                "sensor",
                f"{camera}_{where}{label}_count",
                device,
                name=f"{_human(zone if zone != WHOLE_FRAME else 'all')} {label} count",
                state_topic=topics.counts(camera),
                value_template=f"{{{{ value_json['{zone}']['{label}'] | default(0) }}}}",
                state_class="measurement",
                icon="mdi:counter",
            )


def _rule_entities(topics: Topics, rule: RuleConfig, device: dict[str, Any]) -> Iterator[Discovery]:
    camera, name = rule.camera, rule.name
    common: dict[str, Any] = {"json_attributes_topic": topics.attributes(camera, name)}
    if rule.report == "binary_sensor":
        device_class = BINARY_DEVICE_CLASS.get(rule.kind)
        extra = {} if device_class is None else {"device_class": device_class}
        yield _entity(
            topics,
            "binary_sensor",
            f"{camera}_{name}",
            device,
            name=_human(name),
            state_topic=topics.state(camera, name),
            payload_on="ON",
            payload_off="OFF",
            **common,
            **extra,
        )
    elif rule.report == "sensor":
        numeric = {"state_class": "measurement"} if rule.kind in NUMERIC_KINDS else {}
        yield _entity(
            topics,
            "sensor",
            f"{camera}_{name}",
            device,
            name=_human(name),
            state_topic=topics.state(camera, name),
            **common,
            **numeric,
        )
    else:
        yield _entity(
            topics,
            "event",
            f"{camera}_{name}",
            device,
            name=_human(name),
            state_topic=topics.rule_event(camera, name),
            event_types=list(EVENT_TYPES),
            value_template=_EVENT_TEMPLATE,
            **common,
        )
    yield _entity(
        topics,
        "switch",
        f"{camera}_{name}_enabled",
        device,
        name=f"{_human(name)} enabled",
        command_topic=topics.set(camera, name),
        state_topic=topics.enabled(camera, name),
        payload_on="ON",
        payload_off="OFF",
        entity_category="config",
    )
    if rule.snapshot:
        yield _entity(
            topics,
            "image",
            f"{camera}_{name}_snapshot",
            device,
            name=f"{_human(name)} snapshot",
            image_topic=topics.snapshot(camera, name),
            content_type="image/jpeg",
        )


def count_labels(config: Config, camera: str) -> list[str]:
    """Labels counted as sensors on a camera: its rules' classes, else the detector filter, else person."""
    labels: dict[str, None] = {}
    for rule in iter_rules(config, camera):
        labels.update(dict.fromkeys(rule.classes))
    return list(labels) or list(config.detector_for(config.camera(camera)).classes) or ["person"]


def _entity(
    topics: Topics, component: str, object_id: str, device: dict[str, Any], **fields: Any
) -> Discovery:
    unique_id = f"watcher_{topics.node}_{object_id}"
    payload = {
        "unique_id": unique_id,
        "object_id": f"{topics.node}_{object_id}",
        # Home Assistant 2025.10+ reads this instead of object_id; older ones drop unknown keys.
        "default_entity_id": f"{component}.{topics.node}_{object_id}",
        **_availability(topics),
        "device": device,
        "origin": {"name": "watcher", "sw_version": __version__},
        **fields,
    }
    return Discovery(topics.discovery(component, object_id), payload)


def _availability(topics: Topics) -> dict[str, Any]:
    """The node's last will; behind a bridge also the bridge's state, which the central broker
    turns to 0 when the bridge goes, as it does when the node's Pi loses power with its broker."""
    if topics.bridge_state is None:
        return {"availability_topic": topics.availability}
    return {
        "availability": [
            {"topic": topics.availability},
            {"topic": topics.bridge_state, "payload_available": "1", "payload_not_available": "0"},
        ],
        "availability_mode": "all",
    }


def _human(name: str) -> str:
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]
