"""A per-track rule over MQTT: retained state and attributes follow the engine's open episodes."""

from __future__ import annotations

import itertools
import json
import threading
from pathlib import Path

from tests.reliability.support import running
from tests.sinks.mqtt.helpers import Recorder, make_config
from tests.support.mosquitto import Mosquitto
from tests.support.waiting import poll
from watcher import config
from watcher.clock import SystemClock
from watcher.daemon import Daemon
from watcher.resources import demo_clip
from watcher.rules import RulesEngine
from watcher.sinks import SinkRunner
from watcher.sinks.mqtt import MqttSink, Outbox
from watcher.testing import FakeSink
from watcher.types import Event, EventType, Observation, Track, Vote, Votes

RULE = "hardhat_missing"
STATE = f"watcher/porch/{RULE}/state"
ATTRIBUTES = f"watcher/porch/{RULE}/attributes"
PER_TRACK_RULE = f"""
[[rules]]
name = "{RULE}"
kind = "missing_associate"
camera = "porch"
zone = "step"
item = "hardhat"
for_s = 1
clear_s = 1
cooldown_s = 0
"""
BARE = Vote("no_hardhat", 1.0, 0.9)


def _obs(t: float, people: tuple[int, ...]) -> Observation:
    """People (by track id) in the zone, each voted bare-headed."""
    tracks = tuple(
        Track(i, "person", 0.9, (10.0 * i, 10.0, 10.0 * i + 8, 40.0), zones=("step",)) for i in people
    )
    return Observation(
        "porch", round(t * 10), t, (100, 100), tracks, {}, facts={RULE: Votes(dict.fromkeys(people, BARE))}
    )


class _Worker:
    """Feeds the engine and hands its output to the sinks as the daemon's worker does."""

    def __init__(self, engine: RulesEngine, runner: SinkRunner) -> None:
        self.engine, self.runner = engine, runner

    def feed(self, t0: float, t1: float, people: tuple[int, ...]) -> None:
        t = t0
        while t <= t1 + 1e-9:
            events = self.engine.process(_obs(t, people))
            self.runner.submit_states(self.engine.snapshot())
            for event in events:
                self.runner.submit_event(event)
            t = round(t + 0.5, 3)
        assert self.runner.flush(10)


def _attributes(recorder: Recorder) -> dict[str, object]:
    payload = recorder.last(ATTRIBUTES)
    return {} if payload is None else dict(json.loads(payload))


def _ends(recorder: Recorder) -> list[object]:
    return [
        m for m in recorder.on("watcher/events") if m.json()["rule"] == RULE and m.json()["type"] == "end"
    ]


def _open_tracks(recorder: Recorder) -> list[int]:
    return [int(o["track_id"]) for o in _attributes(recorder).get("objects", [])]  # type: ignore[attr-defined]


def test_one_of_two_people_leaving_keeps_the_rule_on_with_the_other_one(
    tmp_path: Path, mosquitto: Mosquitto, recorder: Recorder
) -> None:
    cfg = make_config(mosquitto.port, PER_TRACK_RULE)
    engine = RulesEngine(cfg.rules)
    sink = MqttSink(cfg, Outbox(tmp_path / "watcher.db"), base_dir=tmp_path, states=engine.states)
    runner = SinkRunner([sink])
    runner.start()
    worker = _Worker(engine, runner)
    try:
        assert recorder.wait_for(STATE, b"OFF")
        worker.feed(0.0, 3.0, (1, 2))  # both bare-headed: two episodes open
        assert poll(lambda: _attributes(recorder).get("value") == 2, 10)
        assert recorder.wait_for(STATE, b"ON")  # the sink retains attributes first, then the state
        assert recorder.last(STATE) == b"ON"
        assert _open_tracks(recorder) == [1, 2]

        worker.feed(3.5, 6.0, (2,))  # person 1 left: its episode ends, person 2's stays open
        assert poll(lambda: len(_ends(recorder)) == 1, 10)
        assert poll(lambda: _attributes(recorder).get("value") == 1, 10)
        assert recorder.last(STATE) == b"ON"
        assert (_attributes(recorder)["active"], _open_tracks(recorder)) == (True, [2])

        worker.feed(6.5, 9.0, ())  # person 2 left too
        assert poll(lambda: len(_ends(recorder)) == 2, 10)
        assert recorder.wait_for(STATE, b"OFF", count=2)
        assert poll(lambda: _attributes(recorder).get("value") == 0, 10)
    finally:
        runner.close(10)
    types = [
        (m.json()["type"], [o["track_id"] for o in m.json()["objects"]])
        for m in recorder.on("watcher/events")
        if m.json()["rule"] == RULE
    ]
    assert types == [("start", [1]), ("start", [2]), ("end", [1]), ("end", [2])]
    assert [m.payload for m in recorder.on(STATE)] == [b"OFF", b"ON", b"OFF"]
    assert (_attributes(recorder)["active"], _open_tracks(recorder)) == (False, [])


VTEST = """
[[cameras]]
name = "front"
url = "{clip}"
realtime = true
detect_fps = 2

[[zones]]
camera = "front"
name = "work_area"
points = [[0.0, 0.35], [1.0, 0.35], [1.0, 1.0], [0.0, 1.0]]

[[rules]]
name = "hardhat_missing"
kind = "missing_associate"
camera = "front"
zone = "work_area"
item = "hardhat"
band = [0.0, 0.3]
examples = "{examples}"
for_s = 1
clear_s = 1
cooldown_s = 0

[store]
enabled = false

[mqtt]
enabled = true
port = {port}

[logging]
level = "WARNING"
"""


class _FastClock(SystemClock):
    """Real time run `SPEED` times faster, so the clip plays at its pace in a fraction of its length."""

    SPEED = 3.0

    def monotonic(self) -> float:
        return super().monotonic() * self.SPEED

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds / self.SPEED)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        return super().wait(event, seconds / self.SPEED)


def _open_after(events: list[Event]) -> dict[str, set[int]]:
    """Event id to the tracks whose episode is open once the engine has emitted it."""
    open_: set[int] = set()
    after: dict[str, set[int]] = {}
    for event in events:
        tracks = {o.track_id for o in event.objects}
        open_ = open_ | tracks if event.type is EventType.START else open_ - tracks
        after[event.id] = open_
    return after


def test_on_the_vtest_clip_the_retained_state_is_never_off_while_an_episode_is_open(
    tmp_path: Path, mosquitto: Mosquitto, recorder: Recorder
) -> None:
    examples = Path(__file__).resolve().parents[3] / "rules" / "examples" / RULE
    text = VTEST.format(clip=demo_clip(), examples=examples, port=mosquitto.port)
    sink = FakeSink()
    cfg = config.loads(text, file=str(tmp_path / "config.toml"))
    daemon = Daemon(cfg, tmp_path, clock=_FastClock(), extra_sinks=[sink])
    state, attributes = f"watcher/front/{RULE}/state", f"watcher/front/{RULE}/attributes"
    with running(daemon):
        assert poll(lambda: daemon.status()[0].capture.state == "ended", 120)  # type: ignore[union-attr]
        assert daemon.sinks.flush(30)
    assert recorder.wait_for("watcher/availability", b"offline")
    events = [e for e in sink.events if e.rule == RULE]
    open_after = _open_after(events)
    shown = [m.json() for m in recorder.on(attributes)][1:]  # after the initial retained state
    assert len(events) >= 10
    assert max(map(len, open_after.values())) >= 2, "the clip must overlap episodes"
    for got in shown:
        want = open_after[got["last_event"]]
        assert (got["active"], got["value"]) == (bool(want), len(want)), got
        assert {o["track_id"] for o in got["objects"]} == want, got
    closures = sum(1 for a, b in itertools.pairwise([set(), *open_after.values()]) if a and not b)
    offs = [m.payload for m in recorder.on(state)][1:].count(b"OFF")
    assert offs <= closures, "an OFF state without every episode closed"
    final = open_after[events[-1].id]
    assert recorder.last(state) == (b"ON" if final else b"OFF")
