"""One camera's fault (killed, hung, garbage, missing file) never stops the other: daemon level, real RTSP."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.capture.conftest import PEOPLE, RtspServer, gst_rtsp_missing
from tests.reliability.bad_servers import BadServer, Behaviour
from tests.reliability.support import WORKER_CAMERA, running
from tests.support.waiting import free_port, poll
from watcher import config
from watcher.capture import CaptureStatus
from watcher.daemon import Daemon
from watcher.testing import FakeSink, ScriptedDetector

READ_TIMEOUT_S = 2.0
OPEN_TIMEOUT_S = 5.0
BACK_WITHIN_S = 5.0


def _door(url: str) -> str:
    return (
        f'[[cameras]]\nname = "door"\nurl = "{url}"\ndetect_fps = 5\n'
        f"open_timeout_s = {OPEN_TIMEOUT_S}\nread_timeout_s = {READ_TIMEOUT_S}\n"
    )


def _daemon(tmp_path: Path, door_url: str) -> Daemon:
    floor = WORKER_CAMERA.replace("realtime = true", "realtime = true\nloop = true")
    cfg = config.loads(floor + _door(door_url) + "[store]\nenabled = false\n", "config.toml", env={})
    return Daemon(cfg, tmp_path, detector=ScriptedDetector([], labels=["person"]), extra_sinks=[FakeSink()])


def _capture(daemon: Daemon, name: str) -> CaptureStatus:
    status = daemon.captures[name].status()
    return status


def _processed(daemon: Daemon, name: str) -> int:
    return daemon.pipelines[name].frames_processed


def _floor_keeps_running(daemon: Daemon) -> bool:
    before = _processed(daemon, "floor")
    return poll(lambda: _processed(daemon, "floor") >= before + 10, timeout=10)


@pytest.fixture
def rtsp_port() -> int:
    reason = gst_rtsp_missing()
    if reason:
        pytest.skip(reason)
    return free_port()


def _frames_back_within(daemon: Daemon, server: RtspServer) -> float:
    """Start server; seconds until the door camera has a new frame (fails past BACK_WITHIN_S + slack)."""
    server.start()
    back_at = time.monotonic()
    read = _capture(daemon, "door").frames_read
    assert poll(lambda: _capture(daemon, "door").frames_read > read, timeout=BACK_WITHIN_S + 5), _capture(
        daemon, "door"
    )
    return time.monotonic() - back_at


@pytest.mark.rtsp
def test_killed_rtsp_camera_streams_again_within_5_s_of_its_return_and_the_other_runs_on(
    tmp_path: Path, rtsp_port: int
) -> None:
    server = RtspServer(PEOPLE, rtsp_port, tmp_path / "rtsp.log")
    server.start()
    daemon = _daemon(tmp_path, server.url)
    try:
        with running(daemon):
            assert poll(lambda: _processed(daemon, "door") > 0, timeout=20), _capture(daemon, "door")
            server.kill()
            killed_at = time.monotonic()
            assert poll(lambda: _capture(daemon, "door").state == "reconnecting", READ_TIMEOUT_S + 2)
            unavailable_after = time.monotonic() - killed_at
            assert _floor_keeps_running(daemon)
            back_after = _frames_back_within(daemon, server)
            assert _capture(daemon, "door").state == "streaming"
    finally:
        server.kill()
    assert unavailable_after <= READ_TIMEOUT_S + 2
    assert back_after < BACK_WITHIN_S


@pytest.mark.rtsp
@pytest.mark.parametrize("behaviour", ["garbage", "silent"])
def test_misbehaving_rtsp_camera_is_unavailable_and_streams_within_5_s_once_a_real_server_returns(
    tmp_path: Path, rtsp_port: int, behaviour: Behaviour
) -> None:
    bad = BadServer(rtsp_port, behaviour)
    server = RtspServer(PEOPLE, rtsp_port, tmp_path / "rtsp.log")
    daemon = _daemon(tmp_path, server.url)
    try:
        with running(daemon):
            assert poll(lambda: bad.connections > 0, timeout=10)
            assert poll(lambda: _capture(daemon, "door").reconnects >= 1, OPEN_TIMEOUT_S + 3), _capture(
                daemon, "door"
            )
            status = _capture(daemon, "door")
            assert (status.state, status.frames_read) == ("reconnecting", 0)
            assert _floor_keeps_running(daemon)
            bad.close()
            back_after = _frames_back_within(daemon, server)
    finally:
        bad.close()
        server.kill()
    assert back_after < BACK_WITHIN_S


def test_camera_whose_video_file_is_missing_is_that_cameras_error_and_the_other_camera_runs(
    tmp_path: Path,
) -> None:
    # A malformed URL no longer gets this far: the config loader rejects it (tests/test_config.py).
    daemon = _daemon(tmp_path, str(tmp_path / "gone.mp4"))
    with running(daemon):
        assert _floor_keeps_running(daemon)
    errors = {row.name: row.error for row in daemon.status()}
    assert errors == {"floor": None, "door": f"cameras[1].url: video file not found: {tmp_path / 'gone.mp4'}"}
