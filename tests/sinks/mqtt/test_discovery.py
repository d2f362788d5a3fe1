"""Home Assistant discovery: payloads field by field, re-publish on HA's birth, removal of old entities."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tests.sinks.mqtt.helpers import Recorder, event, make_config, publish
from tests.support.mosquitto import Mosquitto
from watcher import __version__, config
from watcher.sinks.mqtt import MqttSink, Topics
from watcher.sinks.mqtt.discovery import count_labels, discovery_messages
from watcher.types import EventType, Observation

# Home Assistant 2024.3's binary_sensor device classes and sensor state classes.
BINARY_CLASSES = {
    "battery",
    "battery_charging",
    "carbon_monoxide",
    "cold",
    "connectivity",
    "door",
    "garage_door",
    "gas",
    "heat",
    "light",
    "lock",
    "moisture",
    "motion",
    "moving",
    "occupancy",
    "opening",
    "plug",
    "power",
    "presence",
    "problem",
    "running",
    "safety",
    "smoke",
    "sound",
    "tamper",
    "update",
    "vibration",
    "window",
}
STATE_CLASSES = {"measurement", "total", "total_increasing"}
PREFIX = "homeassistant/"


def _configs(port: int = 1883) -> dict[str, dict[str, Any]]:
    cfg = make_config(port)
    return {d.topic: d.payload for d in discovery_messages(cfg, Topics(node=cfg.node_id))}


def _one(component: str, object_id: str) -> dict[str, Any]:
    return _configs()[f"homeassistant/{component}/watcher_test/{object_id}/config"]


PORCH_DEVICE = {
    "identifiers": ["watcher_test_porch"],
    "name": "test porch",
    "manufacturer": "watcher",
    "model": "watcher camera",
    "sw_version": __version__,
    "via_device": "watcher_test",
}
COMMON = {
    "availability_topic": "watcher/availability",
    "origin": {"name": "watcher", "sw_version": __version__},
}


def test_the_discovery_topics_are_one_per_entity_under_the_node() -> None:
    assert sorted(_configs()) == [
        f"homeassistant/{c}/watcher_test/{o}/config"
        for c, o in sorted(
            [
                ("binary_sensor", "status"),
                ("binary_sensor", "problem"),
                ("switch", "porch_detect"),
                ("sensor", "porch_person_count"),
                ("sensor", "porch_step_person_count"),
                ("binary_sensor", "porch_someone_at_door"),
                ("switch", "porch_someone_at_door_enabled"),
                ("image", "porch_someone_at_door_snapshot"),
                ("sensor", "porch_people_count"),
                ("switch", "porch_people_count_enabled"),
                ("event", "porch_doorbell"),
                ("switch", "porch_doorbell_enabled"),
                ("image", "porch_doorbell_snapshot"),
            ]
        )
    ]


def test_the_node_device_has_a_connectivity_sensor_on_the_availability_topic() -> None:
    assert _one("binary_sensor", "status") == {
        **COMMON,
        "unique_id": "watcher_test_status",
        "object_id": "test_status",
        "default_entity_id": "binary_sensor.test_status",
        "device": {
            "identifiers": ["watcher_test"],
            "name": "watcher test",
            "manufacturer": "watcher",
            "model": "watcher node",
            "sw_version": __version__,
        },
        "name": "Status",
        "state_topic": "watcher/availability",
        "payload_on": "online",
        "payload_off": "offline",
        "device_class": "connectivity",
        "entity_category": "diagnostic",
    }


def test_the_node_device_has_a_problem_sensor_on_the_failed_parts_with_their_reasons() -> None:
    assert _one("binary_sensor", "problem") == {
        **COMMON,
        "unique_id": "watcher_test_problem",
        "object_id": "test_problem",
        "default_entity_id": "binary_sensor.test_problem",
        "device": _one("binary_sensor", "status")["device"],
        "name": "Problem",
        "state_topic": "watcher/faults",
        "value_template": "{{ 'ON' if value_json else 'OFF' }}",
        "payload_on": "ON",
        "payload_off": "OFF",
        "json_attributes_topic": "watcher/faults",
        "device_class": "problem",
        "entity_category": "diagnostic",
    }


def test_a_binary_rule_is_a_binary_sensor_with_attributes_and_a_device_class() -> None:
    assert _one("binary_sensor", "porch_someone_at_door") == {
        **COMMON,
        "unique_id": "watcher_test_porch_someone_at_door",
        "object_id": "test_porch_someone_at_door",
        "default_entity_id": "binary_sensor.test_porch_someone_at_door",
        "device": PORCH_DEVICE,
        "name": "Someone at door",
        "state_topic": "watcher/porch/someone_at_door/state",
        "json_attributes_topic": "watcher/porch/someone_at_door/attributes",
        "payload_on": "ON",
        "payload_off": "OFF",
        "device_class": "occupancy",
    }


def test_a_sensor_rule_is_a_measurement_sensor() -> None:
    assert _one("sensor", "porch_people_count") == {
        **COMMON,
        "unique_id": "watcher_test_porch_people_count",
        "object_id": "test_porch_people_count",
        "default_entity_id": "sensor.test_porch_people_count",
        "device": PORCH_DEVICE,
        "name": "People count",
        "state_topic": "watcher/porch/people_count/state",
        "json_attributes_topic": "watcher/porch/people_count/attributes",
        "state_class": "measurement",
    }


def test_an_event_rule_is_an_event_entity_with_start_and_end() -> None:
    payload = _one("event", "porch_doorbell")
    assert payload["state_topic"] == "watcher/porch/doorbell/event"
    assert payload["event_types"] == ["start", "end"]
    assert payload["value_template"].startswith('{{ {"event_type": value_json.type')
    assert payload["unique_id"] == "watcher_test_porch_doorbell"
    assert payload["device"] == PORCH_DEVICE


def test_the_snapshot_is_an_image_entity_on_the_snapshot_topic() -> None:
    payload = _one("image", "porch_someone_at_door_snapshot")
    assert {k: payload[k] for k in ("image_topic", "content_type", "unique_id", "name")} == {
        "image_topic": "watcher/porch/someone_at_door/snapshot",
        "content_type": "image/jpeg",
        "unique_id": "watcher_test_porch_someone_at_door_snapshot",
        "name": "Someone at door snapshot",
    }
    assert "url_topic" not in payload


@pytest.mark.parametrize(
    ("object_id", "command", "state"),
    [
        (
            "porch_someone_at_door_enabled",
            "watcher/porch/someone_at_door/set",
            "watcher/porch/someone_at_door/enabled",
        ),
        ("porch_detect", "watcher/porch/detect/set", "watcher/porch/detect/state"),
    ],
)
def test_switches_command_the_set_topic_and_read_their_state(
    object_id: str, command: str, state: str
) -> None:
    payload = _one("switch", object_id)
    assert (payload["command_topic"], payload["state_topic"]) == (command, state)
    assert (payload["payload_on"], payload["payload_off"], payload["entity_category"]) == (
        "ON",
        "OFF",
        "config",
    )


def test_count_sensors_read_their_zone_and_label_from_the_counts_json() -> None:
    whole, step = _one("sensor", "porch_person_count"), _one("sensor", "porch_step_person_count")
    assert (whole["state_topic"], whole["state_class"]) == ("watcher/porch/counts", "measurement")
    assert whole["value_template"] == "{{ value_json['*']['person'] | default(0) }}"
    assert step["value_template"] == "{{ value_json['step']['person'] | default(0) }}"
    assert (whole["name"], step["name"]) == ("All person count", "Step person count")


def test_every_payload_has_what_home_assistant_requires() -> None:
    configs = _configs()
    unique_ids = [p["unique_id"] for p in configs.values()]
    assert len(set(unique_ids)) == len(unique_ids)
    for topic, payload in configs.items():
        component = topic.split("/")[1]
        assert isinstance(payload["name"], str), topic
        assert payload["availability_topic"] == "watcher/availability", topic
        assert payload["device"]["identifiers"], topic
        assert payload["unique_id"].startswith("watcher_test_"), topic
        assert (
            "device_class" not in payload
            or component != "binary_sensor"
            or payload["device_class"] in BINARY_CLASSES
        )
        assert "state_class" not in payload or payload["state_class"] in STATE_CLASSES
        required = {"switch": "command_topic", "image": "image_topic", "event": "event_types"}.get(component)
        assert required is None or payload[required], topic


def test_unique_ids_and_payloads_are_the_same_on_every_start() -> None:
    assert json.dumps(_configs(), sort_keys=True) == json.dumps(_configs(), sort_keys=True)


def test_every_topic_an_entity_reads_is_one_the_sink_publishes(
    make_sink: Callable[..., MqttSink], recorder: Recorder, mosquitto: Mosquitto
) -> None:
    sink = make_sink(faults=lambda: ())
    image = np.zeros((48, 64, 3), np.uint8)
    sink.handle_observation(Observation("porch", 0, 0.0, (64, 48), (), {"*": {"person": 1}, "step": {}}))
    for rule in ("someone_at_door", "doorbell"):
        sink.handle_event(event(1 if rule == "doorbell" else 0, EventType.START, rule=rule), image)
    assert recorder.wait_for("watcher/events", count=2)
    assert recorder.wait_for("watcher/porch/doorbell/snapshot")
    published = {m.topic for m in recorder.messages if m.payload}
    read_keys = ("state_topic", "json_attributes_topic", "image_topic", "availability_topic")
    for topic, payload in _configs(mosquitto.port).items():
        assert topic in published
        for key in read_keys:
            if key in payload:
                assert payload[key] in published, f"{topic}: {key} {payload[key]} is never published"


def test_home_assistant_coming_online_gets_discovery_and_states_again(
    make_sink: Callable[..., MqttSink], recorder: Recorder, mosquitto: Mosquitto
) -> None:
    make_sink()
    status = "homeassistant/binary_sensor/watcher_test/status/config"
    assert recorder.wait_for("watcher/porch/doorbell/enabled")
    assert recorder.wait_for(status)
    publish(mosquitto, "homeassistant/status", b"offline")
    publish(mosquitto, "homeassistant/status", b"online")
    assert recorder.wait_for(status, count=2)
    assert recorder.wait_for("watcher/porch/doorbell/enabled", count=2)
    assert recorder.wait_for("watcher/porch/someone_at_door/state", count=2)
    assert len(recorder.on(status)) == 2


def test_a_rule_removed_from_the_config_has_its_entities_cleared_on_the_next_start(
    make_sink: Callable[..., MqttSink], recorder: Recorder, mosquitto: Mosquitto
) -> None:
    gone = {
        "homeassistant/event/watcher_test/porch_doorbell/config",
        "homeassistant/switch/watcher_test/porch_doorbell_enabled/config",
        "homeassistant/image/watcher_test/porch_doorbell_snapshot/config",
    }
    first = make_sink()
    assert all(recorder.wait_for(topic) for topic in gone)
    first.close()
    recorder.clear()
    make_sink(make_config(mosquitto.port, drop_rule="doorbell"))
    assert all(recorder.wait_for(topic, b"") for topic in gone)
    cleared = {m.topic for m in recorder.messages if m.topic.startswith(PREFIX) and m.payload == b""}
    assert cleared == gone
    assert recorder.wait_for("homeassistant/switch/watcher_test/porch_someone_at_door_enabled/config")


def test_a_camera_without_rules_counts_the_classes_of_its_own_detector_filter() -> None:
    cfg = config.loads(
        """
[detector]
classes = ["person", "dog"]

[[cameras]]
name = "drive"
url = "demo"
detector = { classes = ["car"] }

[[cameras]]
name = "yard"
url = "demo"
"""
    )
    assert count_labels(cfg, "drive") == ["car"]
    assert count_labels(cfg, "yard") == ["person", "dog"]


BRIDGE_STATE = 'bridge_state_topic = "watcher-bridge/garage/state"\n'
AVAILABILITY_KEYS = {"availability_topic": ("availability", "availability_mode")}


def test_behind_a_bridge_every_entity_is_available_only_while_node_and_bridge_both_are() -> None:
    cfg = make_config(1883, BRIDGE_STATE)
    topics = Topics(node=cfg.node_id, bridge_state=cfg.mqtt.bridge_state_topic)
    bridged = {d.topic: d.payload for d in discovery_messages(cfg, topics)}
    plain = _configs()
    assert sorted(bridged) == sorted(plain)
    for topic, payload in bridged.items():
        # In the place of the plain payload's availability_topic; nothing else changed.
        keys = [k for key in plain[topic] for k in AVAILABILITY_KEYS.get(key, (key,))]
        assert list(payload) == keys, topic
        assert payload["availability"] == [
            {"topic": "watcher/availability"},
            {"topic": "watcher-bridge/garage/state", "payload_available": "1", "payload_not_available": "0"},
        ]
        assert payload["availability_mode"] == "all"
        assert {k: v for k, v in payload.items() if not k.startswith("availability")} == {
            k: v for k, v in plain[topic].items() if k != "availability_topic"
        }


def test_behind_a_bridge_the_node_names_its_bridge_state_topic_retained(
    make_sink: Callable[..., MqttSink], recorder: Recorder, mosquitto: Mosquitto
) -> None:
    make_sink(make_config(mosquitto.port, BRIDGE_STATE))
    assert recorder.wait_for("watcher/bridge")
    late = Recorder(mosquitto, "watcher/bridge")  # what a dashboard that connects later is given
    try:
        assert late.wait_for("watcher/bridge")
        assert [(m.payload, m.retain) for m in late.on("watcher/bridge")] == [
            (b"watcher-bridge/garage/state", True)
        ]
    finally:
        late.close()


def test_without_a_bridge_the_node_publishes_no_bridge_topic(
    make_sink: Callable[..., MqttSink], recorder: Recorder
) -> None:
    make_sink()
    assert recorder.wait_for("watcher/porch/doorbell/enabled")
    assert recorder.on("watcher/bridge") == []


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (
            '"site/+/state"',
            "config.toml: mqtt.bridge_state_topic: expected one topic name, without + or # "
            "(got 'site/+/state')",
        ),
        ('""', "config.toml: mqtt.bridge_state_topic: expected one topic name, without + or # (got '')"),
        (
            '"watcher/bridge_state"',
            "config.toml: mqtt: bridge_state_topic 'watcher/bridge_state' must not be under the node's "
            "prefix 'watcher/', which the bridge forwards",
        ),
    ],
)
def test_a_bridge_state_topic_that_cannot_work_is_refused_at_load(value: str, error: str) -> None:
    with pytest.raises(config.ConfigError) as info:
        make_config(1883, f"bridge_state_topic = {value}\n")
    assert str(info.value) == error
