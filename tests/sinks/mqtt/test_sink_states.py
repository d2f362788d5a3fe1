"""Retained states, attributes, counts, snapshots and availability on a real broker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.sinks.mqtt.helpers import Recorder, event, snapshot_of
from tests.support.mosquitto import Mosquitto
from watcher.sinks.mqtt import MqttSink
from watcher.sinks.snapshots import SavedSnapshot
from watcher.types import EventType, Observation, RuleState

STATE = "watcher/porch/someone_at_door/state"
PEOPLE = "watcher/porch/people_count/state"
DETECT = "watcher/porch/detect/state"


def _settled(sink: MqttSink, recorder: Recorder) -> None:
    assert recorder.wait_for("watcher/availability", b"online")
    assert recorder.wait_for(STATE)


def test_a_late_subscriber_gets_online_and_every_rule_state_retained(
    make_sink: Callable[..., MqttSink], recorder: Recorder, mosquitto: Mosquitto
) -> None:
    _settled(make_sink(), recorder)
    late = Recorder(mosquitto, "watcher/#")
    try:
        for topic in ("watcher/availability", STATE, PEOPLE, "watcher/porch/someone_at_door/enabled", DETECT):
            assert late.wait_for(topic)
        retained = {m.topic: m.payload for m in late.messages if m.retain}
    finally:
        late.close()
    assert retained["watcher/availability"] == b"online"
    assert retained[STATE] == b"OFF"
    assert retained[PEOPLE] == b"None"
    assert retained["watcher/porch/someone_at_door/enabled"] == b"ON"
    assert retained[DETECT] == b"ON"


def test_rule_states_come_from_the_engine_at_connect(
    make_sink: Callable[..., MqttSink], recorder: Recorder
) -> None:
    states = [
        RuleState("someone_at_door", "porch", "presence", True, 2, 41.5, True),
        RuleState("people_count", "porch", "presence", True, 3, 40.0, False),
    ]
    make_sink(states=lambda: states)
    assert recorder.wait_for("watcher/porch/people_count/enabled")
    assert recorder.last(STATE) == b"ON"
    assert recorder.last("watcher/porch/people_count/state") == b"3"
    assert recorder.last("watcher/porch/people_count/enabled") == b"OFF"
    attributes = recorder.on("watcher/porch/someone_at_door/attributes")[-1].json()
    assert attributes == {
        "kind": "presence",
        "zone": "step",
        "active": True,
        "value": 2,
        "since": 41.5,
        "enabled": True,
        "objects": [],
        "last_event": None,
    }


def test_a_start_then_an_end_turn_the_binary_state_on_then_off_with_attributes(
    make_sink: Callable[..., MqttSink], recorder: Recorder
) -> None:
    sink = make_sink()
    _settled(sink, recorder)
    sink.handle_states(snapshot_of(event(1)))
    sink.handle_event(event(1), None)
    assert recorder.wait_for(STATE, b"ON")
    sink.handle_states(snapshot_of(event(2, EventType.END)))
    sink.handle_event(event(2, EventType.END), None)
    assert recorder.wait_for(STATE, b"OFF", count=2)
    assert [m.payload for m in recorder.on(STATE)] == [b"OFF", b"ON", b"OFF"]
    attributes = recorder.on("watcher/porch/someone_at_door/attributes")[-1].json()
    assert attributes["active"] is False
    assert attributes["since"] == 3.0
    assert attributes["last_event"] == "ev-2"
    assert attributes["objects"] == [{"track_id": 3, "label": "person", "score": 0.9}]


def test_a_sensor_rule_publishes_its_value(make_sink: Callable[..., MqttSink], recorder: Recorder) -> None:
    sink = make_sink()
    _settled(sink, recorder)
    for n, (type_, value) in enumerate([(EventType.START, 2), (EventType.UPDATE, 3), (EventType.END, 0)]):
        ev = event(n, type_, rule="people_count", value=value)
        sink.handle_states(snapshot_of(ev))
        sink.handle_event(ev, None)
        assert recorder.wait_for("watcher/porch/people_count/state", str(value).encode())
    assert [m.payload for m in recorder.on("watcher/porch/people_count/state")] == [b"None", b"2", b"3", b"0"]


def _obs(counts: dict[str, dict[str, int]], n: int = 0) -> Observation:
    return Observation("porch", n, n / 5, (64, 48), (), counts)


def test_counts_are_published_per_zone_only_when_they_change(
    make_sink: Callable[..., MqttSink], recorder: Recorder
) -> None:
    sink = make_sink()
    _settled(sink, recorder)
    sink.handle_observation(_obs({"*": {"person": 2, "car": 1}, "step": {"person": 1}}, 0))
    assert recorder.wait_for("watcher/porch/counts")
    sink.handle_observation(_obs({"*": {"person": 2, "car": 1}, "step": {"person": 1}}, 1))
    sink.handle_observation(_obs({"*": {}, "step": {}}, 2))
    assert recorder.wait_for("watcher/porch/counts", count=2)
    got = [(m.json(), m.retain) for m in recorder.on("watcher/porch/counts")]
    assert got == [
        ({"*": {"car": 1, "person": 2}, "step": {"person": 1}}, False),
        ({"*": {}, "step": {}}, False),
    ]


@pytest.mark.parametrize(
    ("rule", "type_", "expected"),
    [
        ("someone_at_door", EventType.START, True),
        ("someone_at_door", EventType.END, False),
        ("people_count", EventType.START, False),
    ],
)
def test_a_snapshot_is_published_only_for_a_start_with_an_image_of_a_snapshot_rule(
    make_sink: Callable[..., MqttSink], recorder: Recorder, rule: str, type_: EventType, expected: bool
) -> None:
    sink = make_sink()
    _settled(sink, recorder)
    image = np.full((48, 64, 3), 200, np.uint8)
    sink.handle_event(event(1, type_, rule=rule), image)
    assert recorder.wait_for("watcher/events")
    topic = f"watcher/porch/{rule}/snapshot"
    if not expected:
        assert recorder.on(topic) == []
        return
    assert recorder.wait_for(topic)
    jpeg = recorder.last(topic)
    assert jpeg is not None
    assert jpeg[:2] == b"\xff\xd8"
    decoded = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (48, 64, 3)
    assert not np.all(np.abs(decoded.astype(int) - 200) < 10), "the box must be drawn"


def test_a_snapshot_asked_for_by_hand_is_retained_as_the_jpeg_the_daemon_encoded(
    make_sink: Callable[..., MqttSink], recorder: Recorder, mosquitto: Mosquitto, tmp_path: Path
) -> None:
    sink = make_sink()
    _settled(sink, recorder)
    # The file is not there: the sink publishes the bytes it is handed, without reading the disk.
    sink.snapshot_saved("porch", SavedSnapshot(tmp_path / "gone-manual.jpg", b"\xff\xd8jpeg"))
    assert recorder.wait_for("watcher/porch/snapshot")
    late = Recorder(mosquitto, "watcher/porch/snapshot")
    try:
        assert late.wait_for("watcher/porch/snapshot")
        retained = [(m.payload, m.retain) for m in late.messages]
    finally:
        late.close()
    assert [m.payload for m in recorder.on("watcher/porch/snapshot")] == [b"\xff\xd8jpeg"]
    assert retained == [(b"\xff\xd8jpeg", True)]


def test_a_snapshot_that_could_not_be_saved_publishes_nothing(
    make_sink: Callable[..., MqttSink], recorder: Recorder
) -> None:
    sink = make_sink()
    _settled(sink, recorder)
    sink.snapshot_saved("porch", None)
    sink.handle_event(event(1, EventType.START), None)
    assert recorder.wait_for("watcher/events")  # published after anything queued before it
    assert recorder.on("watcher/porch/snapshot") == []
