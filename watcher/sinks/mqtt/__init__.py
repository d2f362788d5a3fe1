"""MQTT for Home Assistant (DESIGN.md §5): discovery, retained states, a lossless event outbox, commands."""

from __future__ import annotations

from pathlib import Path

from watcher.config import Config
from watcher.errors import StoreOpenError
from watcher.faults import PartFaults
from watcher.sinks.mqtt.outbox import Outbox
from watcher.sinks.mqtt.sink import FaultsFn, HealthFn, MqttSink, PostFn, StatesFn
from watcher.sinks.mqtt.topics import Topics

__all__ = ["FaultsFn", "HealthFn", "MqttSink", "Outbox", "PostFn", "StatesFn", "Topics", "build_mqtt_sink"]


def build_mqtt_sink(
    config: Config,
    outbox_path: Path,
    base_dir: Path,
    *,
    post: PostFn | None = None,
    states: StatesFn | None = None,
    health: HealthFn | None = None,
    faults: PartFaults | None = None,
    outbox_failed: StoreOpenError | None = None,
) -> MqttSink:
    """The MQTT sink of a config, its outbox in the SQLite file at `outbox_path` (in memory when
    `outbox_failed` says that file does not open); it publishes the failed parts in `faults`."""
    return MqttSink(
        config,
        Outbox(outbox_path, config.mqtt.outbox_max, faults=faults, failed=outbox_failed),
        base_dir=base_dir,
        post=post,
        states=states,
        health=health,
        faults=None if faults is None else faults.current,
    )
