"""Two watcher nodes on a local mosquitto bridged to a central one, across a 30 s central outage.

The local broker runs deploy/mosquitto/watcher-bridge.conf as shipped (only the central address
changes); docs/mqtt.md shows the same file. The nodes are the daemon's code past the detector
(`watcher.bench.fleet`: scripted observations, rules engine, sink runner, MQTT sink and outbox).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.sinks.mqtt.helpers import Recorder, publish
from tests.support.mosquitto import Mosquitto, mosquitto_missing
from tests.support.waiting import poll
from watcher.bench.fleet import Driver, EventListener, SimNode, Traffic

ROOT = Path(__file__).resolve().parents[2]
BRIDGE_CONF = ROOT / "deploy" / "mosquitto" / "watcher-bridge.conf"
NODES = ("garage", "shed")
OUTAGE_S = 30.0
# A visit every 2 s per camera, 2 cameras per node: 2 events a second per node.
TRAFFIC = Traffic(period_s=2.0, visit_s=1.0)


def bridge_conf(central_port: int) -> str:
    """The shipped bridge config, pointed at the central broker on 127.0.0.1."""
    text = BRIDGE_CONF.read_text()
    assert "address central.lan:1883\n" in text
    return text.replace("address central.lan:1883\n", f"address 127.0.0.1:{central_port}\n")


def test_docs_show_the_bridge_config_the_test_uses() -> None:
    docs = (ROOT / "docs" / "mqtt.md").read_text()
    blocks = re.findall(r"```conf\n(.*?)```", docs, flags=re.S)
    assert BRIDGE_CONF.read_text() in blocks


def test_bridge_config_serves_the_nodes_of_this_test() -> None:
    text = BRIDGE_CONF.read_text()
    for node in NODES:
        assert f"topic {node}/# out 1\n" in text
        assert f"topic {node}/+/+/set in 1\n" in text


def test_bridge_config_names_a_state_topic_outside_what_it_forwards() -> None:
    text = BRIDGE_CONF.read_text()
    assert "notifications true\nnotification_topic watcher-bridge/garage/state\n" in text
    # A forwarded state topic would carry the local broker's own 0 up after the next connection's 1.
    assert not any(line.startswith("topic watcher-bridge/") for line in text.splitlines())


def test_commands_and_the_home_assistant_birth_come_down_the_bridge_once(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    if mosquitto_missing():
        pytest.skip(mosquitto_missing() or "")
    central = Mosquitto(tmp_path_factory.mktemp("central"))
    central.start()
    # The shipped file turns persistence on; the helper then puts its file in the broker's folder.
    local = Mosquitto(tmp_path_factory.mktemp("local"), persistence=True, extra=bridge_conf(central.port))
    local.start()
    state = "watcher-bridge/garage/state"
    on_central = Recorder(central, state, "garage/#", "homeassistant/status")
    on_local = Recorder(local, "garage/#", "homeassistant/status")
    try:
        assert on_central.wait_for(state, b"1"), "the bridge did not connect"
        assert on_local.subscribed.wait(5)
        publish(central, "garage/cam0/someone_cam0/set", b"OFF")
        publish(central, "homeassistant/status", b"online")
        assert on_local.wait_for("homeassistant/status", b"online")
        publish(local, "garage/events", b"{}")
        assert on_central.wait_for("garage/events")
        assert [m.payload for m in on_local.on("garage/cam0/someone_cam0/set")] == [b"OFF"]
        # Nothing echoes back up: an echo would have crossed the bridge before the event did.
        assert [m.payload for m in on_central.on("garage/cam0/someone_cam0/set")] == [b"OFF"]
        assert [m.payload for m in on_central.on("homeassistant/status")] == [b"online"]
        assert [m.payload for m in on_local.on("garage/events")] == [b"{}"]
    finally:
        on_central.close()
        on_local.close()
        local.stop()
        central.stop()


def test_events_cross_a_30_s_central_outage_once_each_and_in_order(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    if mosquitto_missing():
        pytest.skip(mosquitto_missing() or "")
    central = Mosquitto(tmp_path_factory.mktemp("central"), persistence=True)
    central.start()
    local = Mosquitto(tmp_path_factory.mktemp("local"), persistence=True, extra=bridge_conf(central.port))
    local.start()
    # A persistent session on the central broker, as Home Assistant's: it survives the restart.
    listener = EventListener(central.host, central.port, client_id="fleet-listener")
    workdir = tmp_path_factory.mktemp("nodes")
    nodes = [SimNode(n, 2, local.host, local.port, workdir, first_slot=2 * k) for k, n in enumerate(NODES)]
    driver = Driver(nodes, lambda _t: TRAFFIC, fps=4.0)
    try:
        assert listener.subscribed.wait(5)
        driver.start()
        assert poll(lambda: all(len(listener.ids(n)) >= 2 for n in NODES), 20), "nothing crossed the bridge"

        central.stop()
        made_before = sum(len(n.sent) for n in nodes)
        # The outage itself: 30 s of real time in which the nodes keep making events.
        time.sleep(OUTAGE_S)
        made_during = sum(len(n.sent) for n in nodes) - made_before
        assert made_during >= 40, f"only {made_during} events made during the outage"
        # The nodes never noticed: the local broker acked everything and holds it for the bridge.
        assert poll(lambda: all(n.outbox_len == 0 for n in nodes), 10)
        central.start()

        assert poll(lambda: all(len(listener.ids(n.node_id)) >= len(n.sent) for n in nodes), 30)
        driver.stop()
        sent = {n.node_id: [event_id for event_id, _ in n.sent] for n in nodes}
        assert poll(lambda: all(set(listener.ids(n)) == set(sent[n]) for n in NODES), 30)
        for node in NODES:
            # QoS 1 is at-least-once on each hop: receivers dedupe by id. After that, each event
            # arrived exactly once and in the order its node made it.
            assert list(dict.fromkeys(listener.ids(node))) == sent[node]
    finally:
        driver.stop()
        for node in nodes:
            node.close()
        listener.close()
        local.stop()
        central.stop()
