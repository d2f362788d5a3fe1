"""DESIGN.md §5 topics parsed into dashboard messages, applied to the state model."""

from __future__ import annotations

import json

import pytest

from tests.tui.conftest import NOON, make_event
from watcher.errors import SinkError
from watcher.status import CameraHealth
from watcher.tui.state import DashboardState
from watcher.tui.topics import bridge_up, event_from_json, node_of_status, parse_message
from watcher.types import EventType


def apply(state: DashboardState, topic: str, payload: bytes, *, retained: bool = True) -> bool:
    """Parse and apply one message; False when the topic is not one the dashboard shows."""
    message = parse_message("watcher", topic, payload, retained=retained, received=NOON)
    if message is None:
        return False
    message.apply(state)
    return True


def test_counts_topic_sets_every_zone_and_label(state: DashboardState) -> None:
    apply(state, "watcher/floor/counts", b'{"*": {"person": 2}, "left_of_tape": {"person": 1}, "door": {}}')
    assert {key: s.value for key, s in state.counts.items()} == {
        ("watcher", "floor", "*", "person"): 2,
        ("watcher", "floor", "left_of_tape", "person"): 1,
    }


def test_status_topic_sets_the_camera_health(state: DashboardState) -> None:
    row = CameraHealth("floor", "streaming", None, 15.0, 5.0, 40.0, 1.5, 2)
    apply(state, "watcher/floor/status", row.to_json().encode())
    assert state.cameras == {("watcher", "floor"): row}


@pytest.mark.parametrize(
    ("payload", "retained", "active", "value", "since"),
    [
        (b"ON", True, True, True, None),
        (b"ON", False, True, True, NOON),
        (b"OFF", False, False, False, NOON),
        (b"3", False, True, 3, NOON),
        (b"0", False, False, 0, NOON),
        (b"2.5", False, True, 2.5, NOON),
        (b"open", False, True, "open", NOON),
        (b"", True, False, None, None),
    ],
)
def test_state_topic_sets_the_rule_state_and_since_when_seen_live(
    state: DashboardState, payload: bytes, retained: bool, active: bool, value: object, since: object
) -> None:
    apply(state, "watcher/floor/worker/state", payload, retained=retained)
    row = state.rules[("watcher", "worker")]
    assert (row.camera, row.active, row.value, row.since) == ("floor", active, value, since)


def test_attributes_topic_sets_kind_and_enabled_but_not_the_state(state: DashboardState) -> None:
    apply(state, "watcher/floor/worker/state", b"ON", retained=False)
    attributes = {"kind": "presence", "active": False, "since": 12.5, "enabled": False, "zone": "z"}
    apply(state, "watcher/floor/worker/attributes", json.dumps(attributes).encode())
    row = state.rules[("watcher", "worker")]
    assert (row.kind, row.enabled, row.active, row.since) == ("presence", False, True, NOON)


def test_attributes_topic_carries_a_left_object_zones_learning_state(state: DashboardState) -> None:
    attributes = {"kind": "left_object", "active": False, "status": "learning: a person is in the zone"}
    apply(state, "watcher/floor/parcel/attributes", json.dumps(attributes).encode())
    assert state.rules[("watcher", "parcel")].status == "learning: a person is in the zone"
    apply(state, "watcher/floor/parcel/attributes", json.dumps(attributes | {"status": "learned"}).encode())
    assert state.rules[("watcher", "parcel")].status == "learned"


@pytest.mark.parametrize(("payload", "enabled"), [(b"ON", True), (b"OFF", False)])
def test_enabled_topic_sets_the_rule_switch(state: DashboardState, payload: bytes, enabled: bool) -> None:
    apply(state, "watcher/floor/worker/enabled", payload)
    assert state.rules[("watcher", "worker")].enabled is enabled


def test_detect_state_topic_marks_the_camera_paused(state: DashboardState) -> None:
    apply(state, "watcher/floor/detect/state", b"OFF")
    assert state.cameras[("watcher", "floor")].detecting is False
    assert ("watcher", "detect") not in state.rules


def test_events_topic_adds_the_event_as_received(state: DashboardState) -> None:
    event = make_event(4, EventType.END)
    apply(state, "watcher/events", json.dumps(event.to_json()).encode(), retained=False)
    assert [(row.event, row.received, row.node) for row in state.events] == [(event, NOON, "watcher")]


def test_availability_topic_is_shown_after_the_feed_line(state: DashboardState) -> None:
    state.feed = "mqtt broker:1883"
    apply(state, "watcher/availability", b"offline")
    assert state.headline() == "mqtt broker:1883 · daemon offline"


def test_faults_topic_shows_the_failed_parts_in_the_headline_until_they_recover(
    state: DashboardState,
) -> None:
    state.feed = "mqtt broker:1883"
    apply(state, "watcher/availability", b"online")
    apply(state, "watcher/faults", b'{"store": "/data/watcher.db: database or disk is full"}')
    assert state.headline() == (
        "mqtt broker:1883 · daemon online · store failed: /data/watcher.db: database or disk is full"
    )
    apply(state, "watcher/faults", b"{}")
    assert state.headline() == "mqtt broker:1883 · daemon online"


@pytest.mark.parametrize(
    "topic",
    [
        "watcher/floor/worker/snapshot",
        "watcher/floor/worker/set",
        "watcher/floor/detect/set",
        "watcher/floor/worker/event",
        "homeassistant/binary_sensor/watcher_watcher/x/config",
        "watcherx/events",
    ],
)
def test_topics_the_dashboard_does_not_show_are_ignored(state: DashboardState, topic: str) -> None:
    assert apply(state, topic, b"ON") is False


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("watcher/floor/counts", b"[1, 2]"),
        ("watcher/floor/counts", b'{"*": {"person": "many"}}'),
        ("watcher/events", b'{"id": "x"}'),
        ("watcher/floor/worker/enabled", b"yes"),
        ("watcher/floor/worker/attributes", b"not json"),
        ("watcher/faults", b'["store"]'),
    ],
)
def test_a_malformed_payload_is_one_line_naming_the_topic(topic: str, payload: bytes) -> None:
    with pytest.raises(SinkError, match=rf"^sink tui: topic {topic}: bad payload: "):
        parse_message("watcher", topic, payload, retained=True, received=NOON)


def test_event_json_round_trips_through_the_parser() -> None:
    event = make_event(9)
    assert event_from_json(json.loads(json.dumps(event.to_json()))) == event


def test_a_custom_prefix_is_honoured(state: DashboardState) -> None:
    message = parse_message(
        "site/a", "site/a/floor/counts", b'{"*": {"car": 1}}', retained=True, received=NOON
    )
    assert message is not None
    message.apply(state)
    assert list(state.counts) == [("site/a", "floor", "*", "car")]


def test_every_message_names_the_node_of_its_prefix(state: DashboardState) -> None:
    for prefix in ("garage", "porch"):
        message = parse_message(prefix, f"{prefix}/cam/someone/state", b"ON", retained=True, received=NOON)
        assert message is not None
        message.apply(state)
    assert sorted(state.rules) == [("garage", "someone"), ("porch", "someone")]


def test_a_live_availability_change_says_since_when_and_a_retained_one_does_not(
    state: DashboardState,
) -> None:
    apply(state, "watcher/availability", b"online")
    apply(state, "watcher/availability", b"offline", retained=False)
    assert state.nodes["watcher"].since == NOON
    apply(state, "watcher/availability", b"online")
    assert (state.nodes["watcher"].availability, state.nodes["watcher"].since) == ("online", None)


@pytest.mark.parametrize(
    ("topic", "payload", "node"),
    [
        ("garage/cam/status", CameraHealth("cam", "streaming").to_json().encode(), "garage"),
        ("garage/cam/status", b"online", None),  # another program's status topic
        ("garage/cam/status", b'{"fps": 3}', None),
        ("garage/status", CameraHealth("cam", "streaming").to_json().encode(), None),
        ("garage/cam/x/status", CameraHealth("cam", "streaming").to_json().encode(), None),
    ],
)
def test_a_node_is_found_by_a_watcher_camera_status_only(
    topic: str, payload: bytes, node: str | None
) -> None:
    assert node_of_status(topic, payload) == node


def test_a_bridge_state_is_1_up_or_0_down_and_anything_else_names_its_topic() -> None:
    assert [bridge_up("b/state", payload) for payload in (b"1", b"0")] == [True, False]
    with pytest.raises(SinkError) as info:
        bridge_up("b/state", b"up")
    assert str(info.value) == "sink tui: topic b/state: bad payload: expected 1 or 0 (got b'up')"


def test_the_node_naming_its_bridge_is_no_dashboard_message() -> None:
    assert parse_message("garage", "garage/bridge", b"b/state", retained=True, received=NOON) is None
