"""A bug in one camera's analyzer marks that camera `error`; the other camera and the daemon go on."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.support import WORKER_CLIP, WORKER_SCENE, running
from tests.sinks.mqtt.helpers import Recorder
from tests.support.mosquitto import Mosquitto
from tests.support.waiting import poll
from watcher import config
from watcher.daemon import Daemon
from watcher.rules.kinds import Occupancy
from watcher.status import HealthSampler
from watcher.testing import FakeSink, ScriptedDetector
from watcher.types import EventType, Frame, Observation


def _camera(name: str) -> str:
    scene = WORKER_SCENE.replace('camera = "floor"', f'camera = "{name}"')
    scene = scene.replace("worker_left_of_tape", f"worker_left_of_tape_{name}")
    return f'[[cameras]]\nname = "{name}"\nurl = "{WORKER_CLIP}"\ndetect_fps = 5\nrealtime = true\n{scene}'


class _Buggy:
    """An analyzer with a bug: it raises on every frame."""

    def __init__(self) -> None:
        self.calls = 0

    def analyze(self, frame: Frame, obs: Observation) -> Observation:
        self.calls += 1
        raise RuntimeError("analyzer bug")


@pytest.fixture
def recorder(mosquitto: Mosquitto) -> Iterator[Recorder]:
    rec = Recorder(mosquitto)
    yield rec
    rec.close()


def test_an_analyzer_bug_marks_its_camera_error_while_the_other_camera_goes_on(
    tmp_path: Path, mosquitto: Mosquitto, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    text = (
        _camera("floor")
        + _camera("yard")
        + f"[store]\nenabled = false\n[mqtt]\nenabled = true\nport = {mosquitto.port}\n"
    )
    sink = FakeSink()
    daemon = Daemon(config.loads(text, "config.toml", env={}), tmp_path, extra_sinks=[sink])
    buggy = _Buggy()
    daemon.pipelines["yard"].analyzers.append(buggy)
    sampler = HealthSampler(daemon.status, daemon.clock)
    with caplog.at_level(logging.INFO, logger="watcher"), running(daemon):
        assert sink.wait_for_events(1, timeout=60)
        assert poll(lambda: buggy.calls >= 5, 30)
        yard = next(row for row in sampler.sample() if row.camera == "yard")
        assert (yard.state, yard.reason) == ("error", "unexpected RuntimeError: analyzer bug")
        assert recorder.wait_for("watcher/yard/status", timeout=15)
        assert poll(
            lambda: json.loads(recorder.last("watcher/yard/status") or b"{}").get("state") == "error", 15
        )
        floor = next(row for row in sampler.sample() if row.camera == "floor")
        assert floor.state in ("streaming", "ended")
    assert [(e.type, e.camera) for e in sink.events] == [(EventType.START, "floor")]
    status = json.loads(recorder.last("watcher/yard/status") or b"{}")
    assert (status["state"], status["reason"]) == ("error", "unexpected RuntimeError: analyzer bug")
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == ["camera yard: error: unexpected RuntimeError: analyzer bug; the other cameras go on"]


WORKER = [("person", 0.9, (20.0, 100.0, 60.0, 200.0))]  # in zone left_of_tape on every frame
BROKEN_RULE = """
[[rules]]
name = "tape_crowded"
kind = "occupancy"
camera = "floor"
zone = "left_of_tape"
"""


def _bug(self: Occupancy, obs: Observation) -> object:
    raise ZeroDivisionError("division by zero")


def test_a_rule_bug_marks_its_camera_error_and_the_cameras_other_rules_still_fire(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Occupancy, "read", _bug)
    text = _camera("floor") + BROKEN_RULE + "[store]\nenabled = false\n"
    sink = FakeSink()
    cfg = config.loads(text, "config.toml", env={})
    daemon = Daemon(cfg, tmp_path, detector=ScriptedDetector([WORKER] * 200), extra_sinks=[sink])
    with running(daemon):
        assert sink.wait_for_events(1, timeout=30)
        assert poll(lambda: daemon.status()[0].error is not None, 10)
        (floor,) = HealthSampler(daemon.status, daemon.clock).sample()
    assert [(e.type, e.rule) for e in sink.events] == [(EventType.START, "worker_left_of_tape_floor")]
    assert (floor.state, floor.reason) == ("error", "rule tape_crowded: ZeroDivisionError: division by zero")
