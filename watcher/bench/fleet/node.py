"""`SimNode`: a watcher node without cameras or a model, for fleet tests and the load benchmark.

Everything after the detector is the daemon's own code: scripted observations go through the rules
engine, and its events through the sink runner into the real MQTT sink with its SQLite outbox.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from watcher import config
from watcher.rules.engine import RulesEngine
from watcher.sinks.mqtt import MqttSink, build_mqtt_sink
from watcher.sinks.runner import SinkRunner
from watcher.types import Observation, Track

ZONE = "door"
FRAME = (640, 360)
_PERSON = Track(1, "person", 0.9, (200.0, 100.0, 260.0, 300.0), zones=(ZONE,))
_GOLDEN = 0.6180339887


@dataclass(frozen=True, slots=True)
class Traffic:
    """Scripted visitors: each camera sees a person for `visit_s` of every `period_s`.

    A visit is one `start` and one `end` event, so a camera makes 2 / `period_s` events a second.
    Cameras are offset from each other, as real ones do not all see someone at the same moment.
    """

    period_s: float
    visit_s: float

    def present(self, t: float, slot: int) -> bool:
        """Whether camera number `slot` (over the whole fleet) sees the person at `t` seconds."""
        offset = (slot * _GOLDEN % 1.0) * self.period_s
        return (t + offset) % self.period_s < self.visit_s


def node_config(node_id: str, cameras: int, host: str, port: int) -> config.Config:
    """A node with `cameras` cameras `cam0`..., each with a zone and one `presence` rule `someone_cam<i>`."""
    parts = [f'node_id = "{node_id}"']
    for i in range(cameras):
        parts.append(
            f'[[cameras]]\nname = "cam{i}"\nurl = "demo"\n'
            f'[[zones]]\ncamera = "cam{i}"\nname = "{ZONE}"\npoints = [[0, 0], [1, 0], [1, 1], [0, 1]]\n'
            f'[[rules]]\nname = "someone_cam{i}"\nkind = "presence"\ncamera = "cam{i}"\nzone = "{ZONE}"\n'
            "snapshot = false"
        )
    parts.append(f'[mqtt]\nenabled = true\nhost = "{host}"\nport = {port}')
    return config.loads("\n".join(parts), env={})


class SimNode:
    """One node: per step, one observation per camera through the engine, events to the MQTT sink."""

    def __init__(
        self, node_id: str, cameras: int, host: str, port: int, workdir: Path, first_slot: int = 0
    ) -> None:
        self.node_id = node_id
        self.config = node_config(node_id, cameras, host, port)
        self.engine = RulesEngine(self.config.rules)
        self.sink: MqttSink = build_mqtt_sink(self.config, workdir / f"{node_id}.db", workdir)
        self.runner = SinkRunner([self.sink])
        self._cameras = [c.name for c in self.config.cameras]
        self._first_slot = first_slot
        self._frame = 0
        self.sent: list[tuple[str, float]] = []
        """(event id, `time.monotonic()` when the engine made it), in the order the node made them."""

    @property
    def outbox_len(self) -> int:
        """Events not yet acked by the broker."""
        return len(self.sink.outbox)

    def step(self, t: float, traffic: Traffic) -> None:
        """Feed every camera the observation of source time `t` and hand its events to the sinks."""
        self._frame += 1
        for i, camera in enumerate(self._cameras):
            here = traffic.present(t, self._first_slot + i)
            tracks = (_PERSON,) if here else ()
            counts = {"*": {"person": len(tracks)}, ZONE: {"person": len(tracks)}}
            obs = Observation(camera, self._frame, t, FRAME, tracks, counts)
            events = self.engine.process(obs)
            self.runner.submit_states(self.engine.snapshot())  # as the daemon: states before events
            for event in events:
                self.sent.append((event.id, time.monotonic()))
                self.runner.submit_event(event)
            self.runner.submit_observation(obs)

    def close(self) -> None:
        """Deliver what the sink runner holds, then close the sink (up to 2 s to flush the outbox)."""
        self.runner.close()
