"""End to end over a real broker: a daemon on a real clip publishes through its MQTT sink, and the
dashboard's MQTT feed ends with the same counts and events as the daemon's own observation output."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2

from tests.support.mosquitto import Mosquitto
from tests.support.waiting import poll
from tests.tui.conftest import until
from tests.tui.test_local_feed import RULE, worker_config
from watcher import config
from watcher.clock import SystemClock
from watcher.daemon import Daemon
from watcher.testing import FakeSink
from watcher.tui.app import DashboardApp
from watcher.tui.mqtt import BrokerAddress, MqttFeed
from watcher.tui.state import DashboardState
from watcher.tui.widgets import CamerasTable
from watcher.types import Observation


def _nonzero(obs: Observation) -> dict[tuple[str, str], int]:
    return {(zone, label): n for zone, labels in obs.counts.items() for label, n in labels.items() if n}


def _clip_ended(daemon: Daemon) -> bool:
    capture = daemon.status()[0].capture
    return capture is not None and capture.state == "ended"


async def test_the_mqtt_dashboard_ends_with_the_daemons_last_counts_and_its_events(
    tmp_path: Path, mosquitto: Mosquitto
) -> None:
    mqtt = f'\n[mqtt]\nenabled = true\nhost = "{mosquitto.host}"\nport = {mosquitto.port}\n'
    daemon_output = FakeSink()
    daemon = Daemon(config.load(worker_config(tmp_path, mqtt)), tmp_path, extra_sinks=[daemon_output])
    clock = SystemClock()
    state = DashboardState(clock)
    app = DashboardApp(MqttFeed(BrokerAddress(mosquitto.host, mosquitto.port), clock), state)
    runner = threading.Thread(target=daemon.run)
    async with app.run_test(size=(80, 24)) as pilot:
        # Events are not retained: subscribe before the daemon can emit one.
        assert await until(pilot, lambda: state.feed.startswith("mqtt "))
        runner.start()
        try:
            assert await until(pilot, lambda: _clip_ended(daemon), timeout=60)
            frames = daemon.status()[0].frames_processed
            assert poll(lambda: len(daemon_output.observations) == frames, timeout=10)
            last = daemon_output.observations[-1]
            assert await until(
                pilot,
                lambda: {(k[2], k[3]): s.value for k, s in state.counts.items() if s.value} == _nonzero(last),
            )
            assert await until(pilot, lambda: len(state.events) == len(daemon_output.events))
            # Retained states and events leave the daemon on separate paths: either may come first.
            key = ("watcher", RULE)
            assert await until(pilot, lambda: key in state.rules and state.rules[key].active)
        finally:
            daemon.stop()
            runner.join(timeout=15)
    assert _nonzero(last) == {("*", "person"): 1, ("left_of_tape", "person"): 1}
    assert [row.event.to_json() for row in reversed(state.events)] == [
        event.to_json() for event in daemon_output.events
    ]
    assert (state.rules[("watcher", RULE)].kind, state.rules[("watcher", RULE)].active) == ("presence", True)


async def test_s_on_the_mqtt_dashboard_saves_the_daemons_frame_on_both_machines(
    tmp_path: Path, mosquitto: Mosquitto
) -> None:
    mqtt = f'\n[mqtt]\nenabled = true\nhost = "{mosquitto.host}"\nport = {mosquitto.port}\n'
    path = worker_config(tmp_path, mqtt)
    path.write_text(path.read_text().replace("realtime = true", "realtime = true\nloop = true", 1))
    daemon = Daemon(config.load(path), tmp_path)
    clock = SystemClock()
    state = DashboardState(clock)
    feed = MqttFeed(BrokerAddress(mosquitto.host, mosquitto.port), clock, snapshot_folder=tmp_path / "here")
    app = DashboardApp(feed, state)
    runner = threading.Thread(target=daemon.run)
    runner.start()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            floor = ("watcher", "floor")
            assert await until(pilot, lambda: floor in state.cameras and state.feed.startswith("mqtt "))
            app.query_one(CamerasTable).focus()
            await pilot.press("s")
            assert await until(pilot, lambda: any("saved" in n.message for n in app._notifications), 20)
            (here,) = (tmp_path / "here" / "watcher").iterdir()
            assert [n.message for n in app._notifications] == [
                "snapshot of floor requested",
                f"snapshot of floor saved: {here}",
            ]
    finally:
        daemon.stop()
        runner.join(timeout=15)
    (there,) = (tmp_path / "snapshots" / "floor").glob("*-manual.jpg")
    assert here.read_bytes() == there.read_bytes()
    image = cv2.imread(str(here))
    assert image is not None
    assert image.shape == (270, 480, 3)
