"""`EventListener`: a subscriber to every node's `<prefix>/events` that notes each arrival."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

EVENTS = "+/events"
"""Every node's event topic: the prefix defaults to the node id, one per node."""


@dataclass(frozen=True, slots=True)
class Arrival:
    """One event message as the subscriber got it."""

    prefix: str
    id: str
    at: float
    """`time.monotonic()` on arrival (system-wide on Linux, so comparable across processes)."""


class EventListener:
    """Records every event message in arrival order; reconnects on its own.

    With a `client_id` the session is persistent (clean session off, QoS 1), so the broker keeps
    what arrives for it while it is disconnected, as a real consumer such as Home Assistant would not.
    """

    def __init__(self, host: str, port: int, client_id: str = "") -> None:
        self._lock = threading.Lock()
        self._arrivals: list[Arrival] = []
        self.subscribed = threading.Event()
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=not client_id
        )
        self._client.on_connect = lambda c, *_: c.subscribe(EVENTS, qos=1)
        self._client.on_subscribe = lambda *_: self.subscribed.set()
        self._client.on_message = self._on_message
        self._client.reconnect_delay_set(1, 2)
        self._client.connect(host, port, keepalive=30)
        self._client.loop_start()

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        at = time.monotonic()
        try:
            event_id = str(json.loads(message.payload)["id"])
        except (ValueError, KeyError, TypeError):
            return
        with self._lock:
            self._arrivals.append(Arrival(message.topic.split("/")[0], event_id, at))

    def arrivals(self) -> list[Arrival]:
        """Every event message so far, in arrival order (duplicates included)."""
        with self._lock:
            return list(self._arrivals)

    def ids(self, prefix: str) -> list[str]:
        """Event ids that arrived on `<prefix>/events`, in order, duplicates included."""
        return [a.id for a in self.arrivals() if a.prefix == prefix]

    def close(self) -> None:
        """Disconnect."""
        self._client.disconnect()
        self._client.loop_stop()
