"""`/set` commands: parsed into daemon commands, junk logged and ignored."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import pytest

from tests.sinks.mqtt.helpers import Recorder, publish
from tests.support.mosquitto import Mosquitto
from tests.support.waiting import poll
from watcher.commands import Command, SaveSnapshot, SetDetection, SetRuleEnabled
from watcher.sinks.mqtt import MqttSink, Topics
from watcher.sinks.mqtt.commands import BadCommandError, parse_command

TOPICS = Topics()
RULES = {("porch", "someone_at_door")}
CAMERAS = {"porch"}


@pytest.mark.parametrize(
    ("topic", "payload", "command"),
    [
        ("watcher/porch/someone_at_door/set", b"OFF", SetRuleEnabled("someone_at_door", False)),
        ("watcher/porch/someone_at_door/set", b"ON", SetRuleEnabled("someone_at_door", True)),
        ("watcher/porch/someone_at_door/set", b" on\n", SetRuleEnabled("someone_at_door", True)),
        ("watcher/porch/detect/set", b"OFF", SetDetection("porch", False)),
        ("watcher/porch/detect/set", b"ON", SetDetection("porch", True)),
        ("watcher/porch/snapshot/set", b"PRESS", SaveSnapshot("porch")),
        ("watcher/porch/snapshot/set", b"", SaveSnapshot("porch")),
    ],
)
def test_a_valid_set_message_becomes_its_command(topic: str, payload: bytes, command: Command) -> None:
    assert parse_command(topic, payload, TOPICS, RULES, CAMERAS) == command


@pytest.mark.parametrize(
    ("topic", "payload", "problem"),
    [
        ("watcher/porch/someone_at_door/set", b"toggle", "payload must be ON or OFF (got 'toggle')"),
        ("watcher/porch/someone_at_door/set", b"", "payload must be ON or OFF (got '')"),
        ("watcher/porch/someone_at_door/set", b"\xff\xfe", "payload must be ON or OFF (got '\\xff\\xfe')"),
        ("watcher/porch/someone_at_door/set", b"x" * 100, f"payload must be ON or OFF (got '{'x' * 24}'...)"),
        ("watcher/porch/nobody/set", b"ON", "no rule 'nobody' on camera 'porch'"),
        ("watcher/garage/someone_at_door/set", b"ON", "no rule 'someone_at_door' on camera 'garage'"),
        ("watcher/garage/detect/set", b"ON", "no rule 'detect' on camera 'garage'"),
        ("watcher/garage/snapshot/set", b"PRESS", "payload must be ON or OFF (got 'PRESS')"),
        ("watcher/porch/set", b"ON", "not a command topic: 'watcher/porch/set'"),
    ],
)
def test_a_junk_set_message_is_rejected_with_one_line(topic: str, payload: bytes, problem: str) -> None:
    with pytest.raises(BadCommandError) as caught:
        parse_command(topic, payload, TOPICS, RULES, CAMERAS)
    assert str(caught.value) == problem


class _Posted:
    def __init__(self) -> None:
        self.commands: list[Command] = []
        self._lock = threading.Lock()

    def __call__(self, command: Command) -> None:
        with self._lock:
            self.commands.append(command)


def test_switch_commands_from_the_broker_reach_the_daemon_and_echo_the_switch_state(
    make_sink: Callable[..., MqttSink], recorder: Recorder, mosquitto: Mosquitto
) -> None:
    posted = _Posted()
    make_sink(post=posted)
    assert recorder.wait_for("watcher/porch/someone_at_door/enabled", b"ON")
    publish(mosquitto, "watcher/porch/someone_at_door/set", b"OFF")
    publish(mosquitto, "watcher/porch/detect/set", b"OFF")
    assert poll(lambda: len(posted.commands) == 2, 5)
    assert posted.commands == [SetRuleEnabled("someone_at_door", False), SetDetection("porch", False)]
    assert recorder.wait_for("watcher/porch/someone_at_door/enabled", b"OFF")
    assert recorder.wait_for("watcher/porch/detect/state", b"OFF")
    attributes = recorder.on("watcher/porch/someone_at_door/attributes")[-1].json()
    assert attributes["enabled"] is False


def test_junk_commands_are_logged_once_each_and_the_sink_keeps_working(
    make_sink: Callable[..., MqttSink],
    recorder: Recorder,
    mosquitto: Mosquitto,
    caplog: pytest.LogCaptureFixture,
) -> None:
    posted = _Posted()
    make_sink(post=posted)
    assert recorder.wait_for("watcher/availability", b"online")
    with caplog.at_level(logging.WARNING, logger="watcher.mqtt"):
        publish(mosquitto, "watcher/porch/someone_at_door/set", b"\x00garbage")
        publish(mosquitto, "watcher/porch/ghost/set", b"ON")
        publish(mosquitto, "watcher/porch/someone_at_door/set", b"OFF")
        assert poll(lambda: len(posted.commands) == 1, 5)
    assert posted.commands == [SetRuleEnabled("someone_at_door", False)]
    assert [r.getMessage() for r in caplog.records] == [
        "mqtt: ignored command on 'watcher/porch/someone_at_door/set': "
        "payload must be ON or OFF (got '\\x00garbage')",
        "mqtt: ignored command on 'watcher/porch/ghost/set': no rule 'ghost' on camera 'porch'",
    ]
