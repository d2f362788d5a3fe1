"""The outbox end to end: broker outages, a killed process, the last will."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.sinks.mqtt.helpers import Recorder, event, make_config, persistent
from tests.support.mosquitto import Mosquitto, mosquitto_missing
from tests.support.waiting import poll
from watcher.sinks.mqtt import MqttSink

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def sink_process(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Starts `sink_process.py` and waits for its `ready`; kills what is left after the test."""
    procs: list[subprocess.Popen[str]] = []

    def start(broker: Mosquitto, count: int, *mode: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.sinks.mqtt.sink_process",
                str(broker.port),
                str(tmp_path / "watcher.db"),
                str(count),
                *mode,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "ready":
                break
        return proc

    yield start
    for proc in procs:
        proc.kill()
        proc.wait(10)


def test_events_produced_while_the_broker_is_down_arrive_in_order_once_it_is_back(
    tmp_path_factory: pytest.TempPathFactory, make_sink: Callable[..., MqttSink]
) -> None:
    if mosquitto_missing():
        pytest.skip(mosquitto_missing() or "")
    broker = persistent(Mosquitto(tmp_path_factory.mktemp("persistent")))
    broker.start()
    recorder = Recorder(broker, "watcher/events", client_id="events-recorder")
    try:
        assert recorder.subscribed.wait(5)
        sink = make_sink(make_config(broker.port))
        for n in range(5):
            sink.handle_event(event(n), None)
        assert recorder.wait_for("watcher/events", count=5)
        assert poll(lambda: len(sink.outbox) == 0, 5)
        broker.stop()
        started = time.monotonic()
        for n in range(5, 12):
            sink.handle_event(event(n), None)
        assert time.monotonic() - started < 1.0, "a broker outage must not slow the caller"
        assert sink.outbox.ids() == [f"ev-{n}" for n in range(5, 12)]
        broker.start()
        assert poll(lambda: len(set(recorder.event_ids())) == 12, 20)
        assert poll(lambda: len(sink.outbox) == 0, 5)
        ids = recorder.event_ids()
        # QoS 1 is at-least-once on every hop: the restarted broker may redeliver to the recorder's
        # persistent session what it had sent just before it stopped. Receivers dedupe by the stable
        # id; what matters is that nothing is lost, the order holds, and only pre-outage events repeat.
        assert list(dict.fromkeys(ids)) == [f"ev-{n}" for n in range(12)]
        assert {i for i in ids if ids.count(i) > 1} <= {f"ev-{n}" for n in range(5)}
    finally:
        recorder.close()
        broker.stop()


def test_events_queued_by_a_killed_process_are_delivered_by_the_next_start(
    mosquitto: Mosquitto,
    make_sink: Callable[..., MqttSink],
    sink_process: Callable[..., subprocess.Popen[str]],
) -> None:
    mosquitto.stop()
    proc = sink_process(mosquitto, 4)
    proc.kill()
    proc.wait(10)
    mosquitto.start()
    recorder = Recorder(mosquitto, "watcher/events")
    try:
        assert recorder.subscribed.wait(5)
        sink = make_sink()
        assert recorder.wait_for("watcher/events", count=4)
        assert poll(lambda: len(sink.outbox) == 0, 5)
        assert recorder.event_ids() == ["ev-0", "ev-1", "ev-2", "ev-3"]
    finally:
        recorder.close()


def test_the_broker_publishes_offline_when_the_process_dies_without_a_goodbye(
    mosquitto: Mosquitto, recorder: Recorder, sink_process: Callable[..., subprocess.Popen[str]]
) -> None:
    proc = sink_process(mosquitto, 0, "online")
    assert recorder.wait_for("watcher/availability", b"online")
    proc.kill()
    assert recorder.wait_for("watcher/availability", b"offline", timeout=10)
    assert [m.payload for m in recorder.on("watcher/availability")] == [b"online", b"offline"]


def test_a_clean_close_says_offline_itself(make_sink: Callable[..., MqttSink], recorder: Recorder) -> None:
    sink = make_sink()
    assert recorder.wait_for("watcher/availability", b"online")
    sink.close()
    assert recorder.wait_for("watcher/availability", b"offline")
