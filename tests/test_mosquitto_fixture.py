"""The broker fixture itself: real mosquitto, retained messages, restart on the same port."""

from __future__ import annotations

import threading

import paho.mqtt.client as mqtt

from tests.support.mosquitto import Mosquitto
from tests.support.waiting import poll


def _retained(broker: Mosquitto, topic: str) -> bytes | None:
    got = threading.Event()
    seen: list[bytes] = []
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.on_message = lambda _c, _u, msg: (seen.append(msg.payload), got.set())
    client.on_connect = lambda c, *_: c.subscribe(topic)
    client.connect(broker.host, broker.port)
    client.loop_start()
    got.wait(5)
    client.loop_stop()
    client.disconnect()
    return seen[0] if seen else None


def test_broker_keeps_a_retained_message_and_restarts_on_the_same_port(mosquitto: Mosquitto) -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.connect(mosquitto.host, mosquitto.port)
    client.loop_start()
    client.publish("watcher/test", b"hello", qos=1, retain=True).wait_for_publish(5)
    client.loop_stop()
    client.disconnect()
    assert _retained(mosquitto, "watcher/test") == b"hello"
    port = mosquitto.port
    mosquitto.stop()
    assert not mosquitto.running
    mosquitto.start()
    assert poll(lambda: mosquitto.running, 5)
    assert mosquitto.port == port
