"""The remote dashboard sees the fleet: three watcher nodes (the real MQTT sink, each in its own
process) on one real mosquitto, driven through Textual's pilot and checked on screen.

The nodes have the same camera and rule names on purpose. One is killed (SIGKILL): the broker
publishes its last will, and only that node's rows change; started again, it is online again.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.mosquitto import Mosquitto
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

    def __init__(self, name: str, broker: Mosquitto, folder: Path) -> None:
        self.name = name
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.fleet_node", name, str(broker.port), str(folder)],
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
