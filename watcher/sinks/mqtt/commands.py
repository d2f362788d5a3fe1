"""`/set` messages from MQTT (Home Assistant switches) parsed into daemon commands."""

from __future__ import annotations

from collections.abc import Collection

from watcher.commands import Command, SaveSnapshot, SetDetection, SetRuleEnabled
from watcher.sinks.mqtt.topics import DETECT, SNAPSHOT, Topics

_SWITCH = {"ON": True, "OFF": False}
_SHOWN = 24


class BadCommandError(ValueError):
    """A `/set` message that is not a valid command; the message is one line to log."""


def parse_command(
    topic: str, payload: bytes, topics: Topics, rules: Collection[tuple[str, str]], cameras: Collection[str]
) -> Command:
    """The command a `/set` message asks for; `BadCommandError` when topic or payload is junk."""
    target = topics.parse_set(topic)
    if target is None:
        raise BadCommandError(f"not a command topic: {_show(topic.encode())}")
    camera, name = target
    if name == SNAPSHOT and camera in cameras:  # a button: any payload (Home Assistant sends PRESS)
        return SaveSnapshot(camera)
    enabled = _switch(payload)
    if name == DETECT and camera in cameras:
        return SetDetection(camera, enabled)
    if (camera, name) in rules:
        return SetRuleEnabled(name, enabled)
    raise BadCommandError(f"no rule {name!r} on camera {camera!r}")


def _switch(payload: bytes) -> bool:
    try:
        word = payload.decode("utf-8").strip().upper()
    except UnicodeDecodeError:
        word = ""
    if word not in _SWITCH:
        raise BadCommandError(f"payload must be ON or OFF (got {_show(payload)})")
    return _SWITCH[word]


def _show(raw: bytes) -> str:
    """A short, printable rendering of untrusted bytes for a log line."""
    text = repr(raw[:_SHOWN])[1:]
    return text + ("..." if len(raw) > _SHOWN else "")
