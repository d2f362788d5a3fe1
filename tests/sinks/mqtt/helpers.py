"""A recording MQTT client, configs and events for the MQTT sink tests."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from tests.support.mosquitto import Mosquitto
from tests.support.waiting import poll
from watcher import config
from watcher.config import Config
from watcher.types import Event, EventObject, EventType, RulesSnapshot, RuleState

CONFIG = """
node_id = "test"
[[cameras]]
name = "porch"
url = "demo"
[[zones]]
camera = "porch"
name = "step"
points = [[0, 0], [1, 0], [1, 1]]
[[rules]]
name = "someone_at_door"
kind = "presence"
camera = "porch"
zone = "step"
[[rules]]
name = "people_count"
kind = "presence"
camera = "porch"
report = "sensor"
snapshot = false
[[rules]]
name = "doorbell"
kind = "presence"
camera = "porch"
report = "event"
[mqtt]
enabled = true
host = "127.0.0.1"
port = {port}
prefix = "watcher"
"""


def make_config(
    port: int, extra: str = "", drop_rule: str | None = None, env: dict[str, str] | None = None
) -> Config:
    """The porch config on `port`; `drop_rule` removes one rule table."""
    text = CONFIG.format(port=port) + extra
    if drop_rule is not None:
        start = text.index(f'name = "{drop_rule}"') - len("[[rules]]\n")
        end = (
            text.index("[[rules]]", start + 10) if "[[rules]]" in text[start + 10 :] else text.index("[mqtt]")
        )
        text = text[:start] + text[end:]
    return config.loads(text, env=env or {})


def event(n: int, type_: EventType = EventType.START, rule: str = "someone_at_door", value: int = 1) -> Event:
    """Event `ev-<n>` of a porch rule."""
    return Event(
        id=f"ev-{n}",
        type=type_,
        rule=rule,
        kind="presence",
        camera="porch",
        zone="step",
        start_time=float(n),
        end_time=float(n) + 1 if type_ is EventType.END else None,
        value=0 if type_ is EventType.END else value,
        objects=(EventObject(3, "person", 0.9, (10.0, 20.0, 50.0, 90.0)),),
    )


@dataclass(frozen=True)
class Message:
    topic: str
    payload: bytes
    retain: bool

    def json(self) -> Any:
        return json.loads(self.payload)


class Recorder:
    """Subscribes to `topics` and records every message in arrival order; reconnects on its own."""

    def __init__(self, broker: Mosquitto, *topics: str, client_id: str = "") -> None:
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self._topics = topics or ("#",)
        self.subscribed = threading.Event()
        # A named client keeps its session (and its queued messages) on a persistent broker.
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=not client_id
        )
        self.client.on_connect = lambda c, *_: c.subscribe([(t, 1) for t in self._topics])
        self.client.on_subscribe = lambda *_: self.subscribed.set()
        self.client.on_message = self._record
        self.client.reconnect_delay_set(0.1, 0.5)
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()

    def _record(self, _client: mqtt.Client, _userdata: Any, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append(Message(msg.topic, bytes(msg.payload), bool(msg.retain)))

    def on(self, topic: str) -> list[Message]:
        """Messages received on one topic, in order."""
        with self._lock:
            return [m for m in self.messages if m.topic == topic]

    def last(self, topic: str) -> bytes | None:
        got = self.on(topic)
        return got[-1].payload if got else None

    def wait_for(self, topic: str, payload: bytes | None = None, count: int = 1, timeout: float = 10) -> bool:
        """True once `count` messages (with `payload`, if given) arrived on `topic`."""

        def enough() -> bool:
            return len([m for m in self.on(topic) if payload is None or m.payload == payload]) >= count

        return poll(enough, timeout)

    def event_ids(self, topic: str = "watcher/events") -> list[str]:
        return [m.json()["id"] for m in self.on(topic)]

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def publish(broker: Mosquitto, topic: str, payload: bytes, retain: bool = False) -> None:
    """Publish one message from a separate client and wait for the broker's ack."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.connect(broker.host, broker.port)
    client.loop_start()
    client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)
    client.disconnect()
    client.loop_stop()


def persistent(broker: Mosquitto) -> Mosquitto:
    """The broker with persistence on: sessions and queued QoS 1 messages survive a clean restart."""
    text = broker.conf.read_text().replace("persistence false", "persistence true")
    broker.conf.write_text(text + f"persistence_location {broker.workdir}/\n")
    return broker


def snapshot_of(ev: Event) -> RulesSnapshot:
    """The engine's snapshot right after `ev` (its rule alone), as the daemon hands it to sinks."""
    ended = ev.type is EventType.END
    since = ev.end_time if ended else ev.start_time
    state = RuleState(
        ev.rule, ev.camera, ev.kind, not ended, ev.value, since, objects=ev.objects, last_event=ev.id
    )
    return RulesSnapshot((state,), version=1)
