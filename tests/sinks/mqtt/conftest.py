"""Fixtures of the MQTT sink tests: a recorder on the broker and a sink factory that closes what it made."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sinks.mqtt.helpers import Recorder, make_config
from tests.support.mosquitto import Mosquitto
from watcher.config import Config
from watcher.sinks.mqtt import MqttSink, Outbox

FAST_RETRY = (0.05, 0.3)


@pytest.fixture
def recorder(mosquitto: Mosquitto) -> Iterator[Recorder]:
    rec = Recorder(mosquitto)
    yield rec
    rec.close()


@pytest.fixture
def make_sink(tmp_path: Path, mosquitto: Mosquitto) -> Iterator[Callable[..., MqttSink]]:
    """Builds sinks on the test broker (outbox in tmp_path/watcher.db); closes them after the test."""
    made: list[MqttSink] = []

    def make(cfg: Config | None = None, **kwargs: Any) -> MqttSink:
        cfg = cfg or make_config(mosquitto.port)
        sink = MqttSink(
            cfg,
            Outbox(tmp_path / "watcher.db", cfg.mqtt.outbox_max),
            base_dir=tmp_path,
            retry_s=FAST_RETRY,
            **kwargs,
        )
        sink.start()
        made.append(sink)
        return sink

    yield make
    for sink in made:
        sink.close()
