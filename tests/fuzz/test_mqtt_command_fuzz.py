"""Fuzzing the MQTT `/set` parser: any topic and payload gives a known command or a one-line error."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from watcher.commands import SetDetection, SetRuleEnabled
from watcher.sinks.mqtt.commands import BadCommandError, parse_command
from watcher.sinks.mqtt.topics import Topics

TOPICS = Topics("watcher", "homeassistant", "watcher")
RULES = {("porch", "package"), ("yard", "person_on_lawn")}
CAMERAS = {"porch", "yard"}

NAMES = st.sampled_from(["porch", "yard", "package", "person_on_lawn", "detect", "", "+", "#"]) | st.text(
    max_size=40
)
STRUCTURED = st.builds(lambda c, r: f"watcher/{c}/{r}/set", NAMES, NAMES)
PAYLOADS = st.sampled_from([b"ON", b"OFF", b" on\n", b"Off", b"", b"\xff\xfe", b"ON" * 10_000]) | st.binary(
    max_size=200
)


@settings(max_examples=300, deadline=2000)
@given(STRUCTURED | st.text(max_size=200), PAYLOADS)
def test_any_set_message_gives_a_known_command_or_a_one_line_error(topic: str, payload: bytes) -> None:
    try:
        command = parse_command(topic, payload, TOPICS, RULES, CAMERAS)
    except BadCommandError as exc:
        error = str(exc)
    else:
        error = None
    if error is not None:
        assert "\n" not in error
        return
    match command:
        case SetDetection(camera, _):
            assert camera in CAMERAS
        case SetRuleEnabled(rule, _):
            assert rule in {name for _, name in RULES}
        case _:
            raise AssertionError(f"unexpected command {command!r}")
