"""`CameraHealth` (the `<prefix>/<camera>/status` payload) and the sampler that fills it from a daemon."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from watcher import config
from watcher.clock import FakeClock
from watcher.daemon import STATUS_REFRESH_S, Daemon
from watcher.errors import SinkError
from watcher.status import CameraHealth, HealthSampler
from watcher.testing import ScriptedDetector

DATA = Path(__file__).resolve().parents[1] / "data"


def test_status_json_has_exactly_the_agreed_keys_rounded() -> None:
    row = CameraHealth(
        "porch", "reconnecting", "read timeout", 14.987, 4.96, 41.26, 2.345, 7, detecting=False
    )
    assert json.loads(row.to_json()) == {
        "state": "reconnecting",
        "reason": "read timeout",
        "fps": 15.0,
        "detect_fps": 5.0,
        "detect_ms": 41.3,
        "motion": 2.3,
        "dropped": 7,
        "detecting": False,
    }


def test_status_json_round_trips_for_its_camera() -> None:
    row = CameraHealth("porch", "streaming", None, 15.0, 5.0, 41.5, 2.5, 3)
    assert CameraHealth.from_json("porch", row.to_json()) == row


def test_a_status_payload_from_an_older_daemon_without_detecting_means_detecting() -> None:
    payload = (
        b'{"state": "streaming", "reason": null, "fps": 1, "detect_fps": 1, "detect_ms": 1, '
        b'"motion": 0, "dropped": 0}'
    )
    assert CameraHealth.from_json("porch", payload).detecting is True


@pytest.mark.parametrize("payload", [b"streaming", b"[]", b'{"fps": 3}', b'{"state": "x", "fps": "fast"}'])
def test_a_bad_status_payload_is_one_line_naming_the_camera(payload: bytes) -> None:
    with pytest.raises(SinkError, match=r"^sink mqtt: camera porch: bad status payload: "):
        CameraHealth.from_json("porch", payload)


def _daemon(tmp_path: Path, clock: FakeClock) -> Daemon:
    text = (
        (DATA / "worker.toml")
        .read_text()
        .replace('url = "worker-zone-detection.mp4"', f'url = "{DATA / "worker-zone-detection.mp4"}"')
    )
    path = tmp_path / "config.toml"
    path.write_text(text + '\n[[cameras]]\nname = "gone"\nurl = "missing.mp4"\n')
    return Daemon(config.load(path), tmp_path, clock=clock, detector=ScriptedDetector([], labels=["person"]))


def test_the_sampler_reports_detect_rate_time_and_pause_per_camera(tmp_path: Path) -> None:
    clock = FakeClock()
    daemon = _daemon(tmp_path, clock)
    sampler = HealthSampler(daemon.status, clock)
    sampler.sample()
    floor = daemon.pipelines["floor"]
    floor.frames_detected = 10
    floor.times.samples["detect"] = [30.0, 50.0]
    floor.paused = True
    daemon.publish_status()  # as the worker does after each round
    clock.advance(2.0)
    first, gone = sampler.sample()
    assert (first.camera, first.state, first.detect_fps, first.detect_ms, first.detecting) == (
        "floor",
        "starting",
        5.0,
        40.0,
        False,
    )
    assert (gone.camera, gone.state, gone.reason) == (
        "gone",
        "error",
        f"cameras[1].url: video file not found: {tmp_path / 'missing.mp4'}",
    )


def test_the_worker_rebuilds_the_status_only_once_it_is_due(tmp_path: Path) -> None:
    clock = FakeClock()
    daemon = _daemon(tmp_path, clock)
    floor = daemon.pipelines["floor"]
    floor.frames_processed = 3
    clock.advance(STATUS_REFRESH_S - 0.1)
    daemon.refresh_status()  # as the worker does after each round
    assert daemon.status()[0].frames_processed == 0
    clock.advance(0.1)
    daemon.refresh_status()
    assert daemon.status()[0].frames_processed == 3
