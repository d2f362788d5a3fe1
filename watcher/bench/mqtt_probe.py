"""A subscriber on the real broker that notes when each published event arrives."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from watcher.config import MqttConfig
from watcher.errors import SinkError

_CONNECT_TIMEOUT_S = 5.0


class EventProbe:
    """Subscribes to `<prefix>/events`; `received` maps event id to `time.perf_counter()` on arrival."""

    def __init__(self, mqtt_config: MqttConfig) -> None:
        self._topic = f"{mqtt_config.prefix}/events"
        self._subscribed = threading.Event()
        self._lock = threading.Lock()
        self.received: dict[str, float] = {}
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="watcher-bench-probe")
        if mqtt_config.username:
            self._client.username_pw_set(mqtt_config.username, mqtt_config.password)
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message
        where = f"{mqtt_config.host}:{mqtt_config.port}"
        try:
            self._client.connect(mqtt_config.host, mqtt_config.port, keepalive=30)
        except OSError as exc:
            raise SinkError("bench-mqtt", f"cannot connect to the broker at {where}: {exc}") from None
        self._client.loop_start()
        if not self._subscribed.wait(_CONNECT_TIMEOUT_S):
            self.close()
            raise SinkError(
                "bench-mqtt", f"no subscription to {self._topic} at {where} in {_CONNECT_TIMEOUT_S} s"
            )

    def wait_for(self, ids: set[str], timeout_s: float) -> None:
        """Wait until every id in `ids` has arrived, or `timeout_s` passed."""
        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            with self._lock:
                if ids <= self.received.keys():
                    return
            time.sleep(0.05)

    def close(self) -> None:
        """Disconnect."""
        self._client.loop_stop()
        self._client.disconnect()

    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if not reason.is_failure:
            client.subscribe(self._topic, qos=1)

    def _on_subscribe(self, *_args: Any) -> None:
        self._subscribed.set()

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        arrived = time.perf_counter()
        try:
            event_id = str(json.loads(message.payload)["id"])
        except (ValueError, KeyError, TypeError):
            return
        with self._lock:
            self.received.setdefault(event_id, arrived)
