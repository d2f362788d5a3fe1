"""The MQTT feed against a real mosquitto: retained topics and live events build the dashboard;
keys publish to the `/set` topics."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.support.mosquitto import Mosquitto
from tests.support.waiting import free_port, poll
from tests.tui.conftest import make_event, until
from watcher.clock import FakeClock
from watcher.errors import ConfigError
from watcher.status import CameraHealth
from watcher.tui.app import DashboardApp
from watcher.tui.mqtt import BrokerAddress, MqttFeed, parse_host
from watcher.tui.state import DashboardState
from watcher.tui.widgets import CamerasTable, RulesTable

SIZE = (80, 24)


class Peer:
    """A plain paho client standing in for the daemon: publishes, and records what it receives."""

    def __init__(self, broker: Mosquitto) -> None:
        self.received: list[tuple[str, bytes]] = []
        self._lock = threading.Lock()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="peer")
        self.client.on_message = self._on_message
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        assert poll(self.client.is_connected, timeout=10)

    def _on_message(self, _c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.received.append((msg.topic, bytes(msg.payload)))

    def got(self) -> list[tuple[str, bytes]]:
        with self._lock:
            return list(self.received)

    def publish(self, topic: str, payload: str | bytes, *, retain: bool = True) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(timeout=10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def peer(mosquitto: Mosquitto) -> Iterator[Peer]:
    peer = Peer(mosquitto)
    yield peer
    peer.close()


def _publish_daemon_state(peer: Peer) -> None:
    peer.publish("watcher/availability", "online")
    peer.publish(
        "watcher/floor/status", CameraHealth("floor", "streaming", None, 15, 5, 40, 1.5, 2).to_json()
    )
    peer.publish("watcher/floor/counts", json.dumps({"*": {"person": 1}, "left_of_tape": {"person": 1}}))
    peer.publish("watcher/floor/worker/state", "ON")
    peer.publish("watcher/floor/worker/attributes", json.dumps({"kind": "presence", "enabled": True}))


async def test_retained_topics_build_the_dashboard_on_connect(mosquitto: Mosquitto, peer: Peer) -> None:
    _publish_daemon_state(peer)
    state = DashboardState(FakeClock())
    app = DashboardApp(MqttFeed(BrokerAddress(mosquitto.host, mosquitto.port), FakeClock()), state)
    async with app.run_test(size=SIZE) as pilot:
        assert await until(pilot, lambda: ("watcher", "worker") in state.rules and len(state.counts) == 2)
        assert state.headline() == f"mqtt {mosquitto.host}:{mosquitto.port} · daemon online"
        assert {key: s.value for key, s in state.counts.items()} == {
            ("watcher", "floor", "*", "person"): 1,
            ("watcher", "floor", "left_of_tape", "person"): 1,
        }
        rule = state.rules[("watcher", "worker")]
        assert (rule.kind, rule.active) == ("presence", True)
        assert state.cameras[("watcher", "floor")].fps == 15.0


async def test_a_live_event_appears_in_the_events_panel(mosquitto: Mosquitto, peer: Peer) -> None:
    # With --prefix the node is followed from the start, before any of its topics was seen.
    state = DashboardState(FakeClock())
    broker = BrokerAddress(mosquitto.host, mosquitto.port, prefix="watcher")
    app = DashboardApp(MqttFeed(broker, FakeClock()), state)
    async with app.run_test(size=SIZE) as pilot:
        assert await until(pilot, lambda: state.feed.startswith("mqtt "))
        event = make_event(5)
        peer.publish("watcher/events", json.dumps(event.to_json()), retain=False)
        assert await until(pilot, lambda: len(state.events) == 1)
        assert state.events[0].event == event


async def test_p_and_e_publish_to_the_set_topics(mosquitto: Mosquitto, peer: Peer) -> None:
    _publish_daemon_state(peer)
    peer.client.subscribe("watcher/+/+/set", qos=1)
    state = DashboardState(FakeClock())
    app = DashboardApp(MqttFeed(BrokerAddress(mosquitto.host, mosquitto.port), FakeClock()), state)
    async with app.run_test(size=SIZE) as pilot:
        assert await until(
            pilot, lambda: app.query_one(RulesTable).row_count == 1 and ("watcher", "floor") in state.cameras
        )
        app.query_one(CamerasTable).focus()
        await pilot.press("p")
        app.query_one(RulesTable).focus()
        await pilot.press("e")
        assert await until(pilot, lambda: len(peer.got()) == 2)
    assert peer.got() == [("watcher/floor/detect/set", b"OFF"), ("watcher/floor/worker/set", b"OFF")]


@pytest.mark.parametrize(
    ("text", "address"),
    [("broker", ("broker", 1883)), ("broker:1884", ("broker", 1884)), ("10.0.0.2:8883", ("10.0.0.2", 8883))],
)
def test_mqtt_address_is_host_with_an_optional_port(text: str, address: tuple[str, int]) -> None:
    assert parse_host(text) == address


@pytest.mark.parametrize("text", ["broker:", "broker:x", ":1883", "broker:70000"])
def test_a_bad_mqtt_address_is_a_config_error_on_the_option(text: str) -> None:
    with pytest.raises(ConfigError, match=r"^--mqtt: "):
        parse_host(text)


async def test_a_broker_that_is_not_there_is_shown_and_retried() -> None:
    port = free_port()
    state = DashboardState(FakeClock())
    app = DashboardApp(MqttFeed(BrokerAddress("127.0.0.1", port), FakeClock()), state)
    async with app.run_test(size=SIZE) as pilot:
        assert await until(pilot, lambda: state.feed == f"cannot connect to 127.0.0.1:{port}, retrying")


async def test_nodes_follow_the_bridge_they_name_shared_changed_or_dropped(
    mosquitto: Mosquitto, peer: Peer, caplog: pytest.LogCaptureFixture
) -> None:
    for node in ("garage", "shed"):
        peer.publish(f"{node}/availability", "online")
        peer.publish(f"{node}/cam/status", CameraHealth("cam", "streaming").to_json())
        peer.publish(f"{node}/bridge", "bridges/a/state")  # two nodes behind one local broker
    peer.publish("bridges/a/state", "0")
    peer.publish("bridges/b/state", "1")
    state = DashboardState(FakeClock())
    app = DashboardApp(MqttFeed(BrokerAddress(mosquitto.host, mosquitto.port), FakeClock()), state)

    def shown() -> dict[str, str]:
        return {node: row.availability for node, row in state.nodes.items()}

    async with app.run_test(size=SIZE) as pilot:
        assert await until(pilot, lambda: shown() == {"garage": "offline", "shed": "offline"})
        peer.publish("bridges/a/state", "1", retain=False)
        assert await until(pilot, lambda: shown() == {"garage": "online", "shed": "online"})
        peer.publish("shed/bridge", "bridges/b/state")
        peer.publish("bridges/a/state", "0")
        assert await until(pilot, lambda: shown() == {"garage": "offline", "shed": "online"})
        peer.publish("garage/bridge", "")  # the node no longer names a bridge: its retained name cleared
        assert await until(pilot, lambda: shown() == {"garage": "online", "shed": "online"})
        peer.publish("bridges/a/state", "1")
        peer.publish("bridges/a/state", "0")
        peer.publish("bridges/b/state", "2")
        bad = "sink tui: topic bridges/b/state: bad payload: expected 1 or 0 (got b'2')"
        assert await until(pilot, lambda: bad in caplog.messages)
        assert shown() == {"garage": "online", "shed": "online"}
