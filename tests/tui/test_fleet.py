"""The remote dashboard sees the fleet: three watcher nodes (the real MQTT sink, each in its own
process) on one real mosquitto, driven through Textual's pilot and checked on screen.

The nodes have the same camera and rule names on purpose. One is killed (SIGKILL): the broker
publishes its last will, and only that node's rows change; started again, it is online again.
A node behind a bridged local broker that loses power with it goes offline by the bridge's will.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.test_bridged_brokers import bridge_conf
from tests.sinks.mqtt.helpers import Recorder
from tests.support.mosquitto import Mosquitto, mosquitto_missing
from tests.tui.conftest import NOON, until
from watcher.clock import FakeClock
from watcher.tui.app import DashboardApp
from watcher.tui.mqtt import BrokerAddress, MqttFeed
from watcher.tui.state import DashboardState
from watcher.tui.widgets.table import StateTable

REPO = Path(__file__).resolve().parents[2]
NODES = ("attic", "garage", "porch")
SIZE = (120, 50)
"""Tall enough that every row of the three nodes is on screen at once."""


class Node:
    """A `tests.support.fleet_node` process: the MQTT sink of one node."""

    def __init__(self, name: str, broker: Mosquitto, folder: Path, bridge_state: str | None = None) -> None:
        self.name = name
        bridge = [] if bridge_state is None else [bridge_state]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.fleet_node", name, str(broker.port), str(folder), *bridge],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def answer(self) -> str:
        # Bounded: the node exits by itself when it cannot reach the broker within 20 s.
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def send_event(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("event\n")
        self.proc.stdin.flush()
        assert self.answer() == "sent"

    def stop(self) -> None:
        if self.proc.poll() is None and self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


@pytest.fixture
def nodes(mosquitto: Mosquitto, tmp_path: Path) -> Iterator[dict[str, Node]]:
    started = {name: Node(name, mosquitto, tmp_path / name) for name in NODES}
    try:
        yield started
    finally:
        for node in started.values():
            node.stop()


def drawn(table: StateTable) -> list[list[str]]:
    """The words of each row as the table draws it on screen (its header line left out)."""
    lines = ["".join(s.text for s in table.render_line(y)) for y in range(1, table.size.height)]
    return [line.split() for line in lines if line.strip()]


def rows_of(table: StateTable, node: str) -> list[list[str]]:
    return [row for row in drawn(table) if row[0] == node]


async def test_the_dashboard_finds_three_nodes_and_shows_one_going_offline_alone_and_back(
    mosquitto: Mosquitto, nodes: dict[str, Node], tmp_path: Path
) -> None:
    clock = FakeClock(wall_start=NOON)
    state = DashboardState(clock)
    app = DashboardApp(MqttFeed(BrokerAddress(mosquitto.host, mosquitto.port), clock), state)
    async with app.run_test(size=SIZE) as pilot:
        assert await until(pilot, lambda: state.feed.startswith("mqtt "))
        assert [node.answer() for node in nodes.values()] == ["ready"] * 3
        assert await until(pilot, lambda: len(drawn(app.nodes)) == 3 and len(drawn(app.cameras)) == 6)
        # Found: the node's own subscription now carries its events.
        for node in nodes.values():
            node.send_event()
        assert await until(pilot, lambda: len(drawn(app.events)) == 3 and len(drawn(app.rules)) == 3)
        assert await until(pilot, lambda: all(row[4] == "ON" for row in drawn(app.rules)))
        assert drawn(app.nodes) == [
            ["attic", "online", "—", "2", "1/1"],
            ["garage", "online", "—", "2", "1/1"],
            ["porch", "online", "—", "2", "1/1"],
        ]
        assert drawn(app.cameras) == [
            [node, camera, "streaming", fps, "5.0", "40", "1.0%", "0"]
            for node, fps in (("attic", "15.0"), ("garage", "16.0"), ("porch", "15.0"))
            for camera in ("cam", "door")
        ]
        assert drawn(app.rules) == [
            [node, "someone", "cam", "presence", "ON", "12:00:00", "0s", "yes"] for node in NODES
        ]
        assert sorted(drawn(app.events)) == [
            [node, "12:00:00", "start", "someone", "cam", "frame", "person", "1"] for node in NODES
        ]
        assert app.sub_title == f"mqtt {mosquitto.host}:{mosquitto.port} · 3/3 nodes online"
        before = {table.id: drawn(table) for table in (app.cameras, app.counts, app.rules)}

        nodes["porch"].proc.kill()
        killed = time.monotonic()
        assert await until(pilot, lambda: rows_of(app.nodes, "porch")[0][1] == "offline", timeout=5)
        assert time.monotonic() - killed < 5
        await pilot.pause()
        assert rows_of(app.nodes, "porch") == [["porch", "offline", "12:00:00", "2", "1/1"]]
        assert app.sub_title == f"mqtt {mosquitto.host}:{mosquitto.port} · 2/3 nodes online · offline: porch"
        assert rows_of(app.cameras, "porch") == [
            ["porch", camera, "node", "offline", "—", "—", "—", "—", "—"] for camera in ("cam", "door")
        ]
        assert rows_of(app.rules, "porch") == [
            ["porch", "someone", "cam", "presence", "node", "offline", "12:00:00", "—", "yes"]
        ]
        for table in (app.cameras, app.counts, app.rules):
            others = [row for row in drawn(table) if row[0] != "porch"]
            assert others == [row for row in before[table.id] if row[0] != "porch"], table.id
        assert rows_of(app.nodes, "attic") == [["attic", "online", "—", "2", "1/1"]]

        await pilot.press("n")
        assert {row[0] for t in (app.cameras, app.counts, app.rules, app.events) for row in drawn(t)} == {
            "attic"
        }
        assert app.sub_title.endswith(" · node attic")
        await pilot.press("n", "n")
        assert {row[0] for row in drawn(app.cameras)} == {"porch"}
        await pilot.press("n")
        assert {row[0] for row in drawn(app.cameras)} == set(NODES)

        nodes["porch"] = Node("porch", mosquitto, tmp_path / "porch")  # the fixture stops it
        assert nodes["porch"].answer() == "ready"
        # Back with its rule off (it keeps no state of its own), all its rows fresh again.
        back = [["porch", "online", "12:00:00", "2", "0/1"]]
        assert await until(pilot, lambda: rows_of(app.nodes, "porch") == back)
        assert rows_of(app.cameras, "porch") == before["cameras"][4:]
        assert app.sub_title == f"mqtt {mosquitto.host}:{mosquitto.port} · 3/3 nodes online"


async def test_three_nodes_with_two_cameras_each_fit_an_80x24_terminal_without_scrolling(
    mosquitto: Mosquitto, nodes: dict[str, Node]
) -> None:
    clock = FakeClock(wall_start=NOON)
    state = DashboardState(clock)
    app = DashboardApp(MqttFeed(BrokerAddress(mosquitto.host, mosquitto.port), clock), state)
    async with app.run_test(size=(80, 24)) as pilot:
        assert [node.answer() for node in nodes.values()] == ["ready"] * 3
        assert await until(pilot, lambda: len(state.cameras) == 6 and len(state.rules) == 3)
        await pilot.pause()
        # Every node and camera row on screen, no scrollbar; the counts and rules scroll, one row shown.
        assert [row[0] for row in drawn(app.nodes)] == list(NODES)
        assert [row[:2] for row in drawn(app.cameras)] == [
            [node, camera] for node in NODES for camera in ("cam", "door")
        ]
        assert (app.nodes.max_scroll_y, app.cameras.max_scroll_y, app.screen.max_scroll_y) == (0, 0, 0)
        assert [(t.region.y, t.region.height) for t in (app.nodes, app.cameras, app.counts, app.rules)] == [
            (1, 5),
            (6, 8),
            (14, 3),
            (17, 3),
        ]
        assert (app.events.region.y, app.events.region.bottom) == (20, 23)


BRIDGE_STATE = "watcher-bridge/garage/state"
"""The shipped bridge config's `notification_topic`."""
BRIDGED_AVAILABILITY = [
    {"topic": "garage/availability"},
    {"topic": BRIDGE_STATE, "payload_available": "1", "payload_not_available": "0"},
]


async def test_a_power_cut_behind_a_bridge_takes_that_node_offline_alone(tmp_path: Path) -> None:
    """`garage` publishes to a local mosquitto bridged to the central one (the shipped config);
    `attic` publishes to the central one. The garage's Pi loses power: its broker and node die by
    SIGKILL, so the node's last will never leaves the Pi, and only the bridge's will tells."""
    if mosquitto_missing():
        pytest.skip(mosquitto_missing() or "")
    for folder in ("central_broker", "local_broker"):
        (tmp_path / folder).mkdir()
    central = Mosquitto(tmp_path / "central_broker")
    local = Mosquitto(tmp_path / "local_broker", persistence=True, extra=bridge_conf(central.port))
    central.start()
    local.start()
    on_central = Recorder(central, BRIDGE_STATE, "homeassistant/binary_sensor/+/status/config")
    nodes: dict[str, Node] = {}
    clock = FakeClock(wall_start=NOON)
    state = DashboardState(clock)
    app = DashboardApp(MqttFeed(BrokerAddress(central.host, central.port), clock), state)
    try:
        assert on_central.wait_for(BRIDGE_STATE, b"1"), "the bridge did not connect"
        nodes["attic"] = Node("attic", central, tmp_path / "attic")
        nodes["garage"] = Node("garage", local, tmp_path / "garage", BRIDGE_STATE)
        assert [node.answer() for node in nodes.values()] == ["ready", "ready"]
        async with app.run_test(size=SIZE) as pilot:
            both_online = [["attic", "online", "—", "2", "0/1"], ["garage", "online", "—", "2", "0/1"]]
            assert await until(pilot, lambda: drawn(app.nodes) == both_online)

            status = "homeassistant/binary_sensor/watcher_{}/status/config"
            assert on_central.wait_for(status.format("garage"))
            assert on_central.wait_for(status.format("attic"))
            garage = json.loads(on_central.last(status.format("garage")) or b"")
            attic = json.loads(on_central.last(status.format("attic")) or b"")
            assert (garage["availability"], garage["availability_mode"]) == (BRIDGED_AVAILABILITY, "all")
            assert "availability_topic" not in garage
            assert attic["availability_topic"] == "attic/availability"
            assert "availability" not in attic

            local.kill()
            nodes["garage"].proc.kill()
            assert on_central.wait_for(BRIDGE_STATE, b"0"), "the bridge's last will did not come"
            late = Recorder(central, BRIDGE_STATE, "garage/availability")
            try:
                # What anyone who connects now sees: the bridge down, the node's own word stale.
                assert late.wait_for(BRIDGE_STATE)
                assert late.wait_for("garage/availability")
                assert [(m.payload, m.retain) for m in late.on(BRIDGE_STATE)] == [(b"0", True)]
                assert [(m.payload, m.retain) for m in late.on("garage/availability")] == [(b"online", True)]
            finally:
                late.close()

            garage_offline = [["garage", "offline", "12:00:00", "2", "0/1"]]
            assert await until(pilot, lambda: rows_of(app.nodes, "garage") == garage_offline)
            await pilot.pause()
            assert rows_of(app.nodes, "attic") == [both_online[0]]
            assert rows_of(app.cameras, "garage") == [
                ["garage", camera, "node", "offline", "—", "—", "—", "—", "—"] for camera in ("cam", "door")
            ]
            assert [row[2] for row in rows_of(app.cameras, "attic")] == ["streaming", "streaming"]
            where = f"mqtt {central.host}:{central.port}"
            assert app.sub_title == f"{where} · 1/2 nodes online · offline: garage"

            # Power back: the broker, its bridge and the node start again.
            local.start()
            nodes["garage"] = Node("garage", local, tmp_path / "garage", BRIDGE_STATE)
            assert nodes["garage"].answer() == "ready"
            assert await until(pilot, lambda: rows_of(app.nodes, "garage")[0][1] == "online")
            # The dashboard and this recorder are two subscribers: either may hear the new `1` first.
            assert on_central.wait_for(BRIDGE_STATE, b"1", count=2)
            assert on_central.last(BRIDGE_STATE) == b"1"
            assert app.sub_title == f"{where} · 2/2 nodes online"
    finally:
        for node in nodes.values():
            node.stop()
        on_central.close()
        local.stop()
        central.stop()
