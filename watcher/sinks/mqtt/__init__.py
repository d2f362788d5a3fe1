"""MQTT for Home Assistant (DESIGN.md §5): discovery, retained states, a lossless event outbox, commands."""

from __future__ import annotations

from pathlib import Path

from watcher.config import Config
from watcher.sinks.mqtt.outbox import Outbox
from watcher.sinks.mqtt.sink import HealthFn, MqttSink, PostFn, StatesFn
from watcher.sinks.mqtt.topics import Topics

__all__ = ["HealthFn", "MqttSink", "Outbox", "PostFn", "StatesFn", "Topics", "build_mqtt_sink"]


def build_mqtt_sink(
    config: Config,
    outbox_path: Path,
    base_dir: Path,
    *,
    post: PostFn | None = None,
    states: StatesFn | None = None,
    health: HealthFn | None = None,
) -> MqttSink:
    """The MQTT sink of a config, its outbox in the SQLite file at `outbox_path`."""
    return MqttSink(
        config,
        Outbox(outbox_path, config.mqtt.outbox_max),
        base_dir=base_dir,
        post=post,
        states=states,
        health=health,
    )
