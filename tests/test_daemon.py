"""The daemon end to end: real clip, real detector, events logged and stored, clean stop."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.support.waiting import poll
from watcher import config
from watcher.commands import SetDetection, SetRuleEnabled
from watcher.daemon import Daemon
from watcher.sinks import EventStore
from watcher.testing import FakeSink
from watcher.types import EventType

DATA = Path(__file__).parent / "data"


def _worker_config(tmp_path: Path, *, store: bool) -> Path:
    text = (DATA / "worker.toml").read_text()
    text = text.replace('url = "worker-zone-detection.mp4"', f'url = "{DATA / "worker-zone-detection.mp4"}"')
    text = text.replace("realtime = false", "realtime = true")
    text = text.replace("[store]\nenabled = false", f"[store]\nenabled = {'true' if store else 'false'}")
    text = text.replace('level = "WARNING"', 'level = "INFO"')
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def _run_in_thread(daemon: Daemon) -> threading.Thread:
    runner = threading.Thread(target=daemon.run)
    runner.start()
    return runner


def _run_until_first_event(daemon: Daemon, sink: FakeSink) -> Daemon:
    """Run the daemon until the sink has one event, then stop it."""
    runner = _run_in_thread(daemon)
    try:
        assert sink.wait_for_events(1, timeout=30)
    finally:
        daemon.stop()
        runner.join(timeout=10)
    assert not runner.is_alive()
    return daemon


def test_daemon_delivers_the_worker_event_to_sinks_and_the_store(tmp_path: Path) -> None:
    path = _worker_config(tmp_path, store=True)
    sink = FakeSink()
    daemon = _run_until_first_event(Daemon(config.load(path), tmp_path, extra_sinks=[sink]), sink)
    assert [(e.type, e.rule) for e in sink.events] == [(EventType.START, "worker_left_of_tape")]
    assert sink.closed
    stored = EventStore(tmp_path / "watcher.db").events()
    assert [(e.id, e.type) for e in stored] == [(sink.events[0].id, EventType.START)]
    (status,) = daemon.status()
    assert (status.name, status.error) == ("floor", None)
    assert status.frames_processed > 0


def test_daemon_with_a_missing_camera_file_keeps_running_the_others(tmp_path: Path) -> None:
    path = _worker_config(tmp_path, store=False)
    text = path.read_text() + '\n[[cameras]]\nname = "gone"\nurl = "missing.mp4"\n'
    path.write_text(text)
    sink = FakeSink()
    daemon = _run_until_first_event(Daemon(config.load(path), tmp_path, extra_sinks=[sink]), sink)
    errors = {s.name: s.error for s in daemon.status()}
    missing = f"cameras[1].url: video file not found: {tmp_path / 'missing.mp4'}"
    assert errors == {"floor": None, "gone": missing}


def test_watcher_run_logs_the_event_on_stdout_and_exits_0_on_sigterm(tmp_path: Path) -> None:
    path = _worker_config(tmp_path, store=True)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "watcher", "run", "-c", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    seen: list[str] = []
    try:
        for line in proc.stdout:
            seen.append(line)
            if "watcher.events: start worker_left_of_tape" in line:
                break
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert any("start worker_left_of_tape floor zone=left_of_tape value=1" in line for line in seen)
    assert "received SIGTERM, stopping" in rest
    assert rest.rstrip().endswith("watcher: stopped")
    assert (tmp_path / "watcher.db").stat().st_mode & 0o777 == 0o600


def test_disabling_an_active_rule_by_command_ends_its_event(tmp_path: Path) -> None:
    sink = FakeSink()
    daemon = Daemon(config.load(_worker_config(tmp_path, store=False)), tmp_path, extra_sinks=[sink])
    runner = _run_in_thread(daemon)
    try:
        assert sink.wait_for_events(1, timeout=30)
        daemon.post(SetRuleEnabled("worker_left_of_tape", False))
        assert sink.wait_for_events(2, timeout=10)
    finally:
        daemon.stop()
        runner.join(timeout=10)
    assert [(e.type, e.rule) for e in sink.events] == [
        (EventType.START, "worker_left_of_tape"),
        (EventType.END, "worker_left_of_tape"),
    ]
    assert daemon.engine.state("worker_left_of_tape").enabled is False


def test_repeated_commands_are_logged_once_each(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="watcher")
    daemon = Daemon(config.load(_worker_config(tmp_path, store=False)), tmp_path)
    for command in [SetDetection("floor", False)] * 2 + [SetRuleEnabled("worker_left_of_tape", False)] * 2:
        daemon.post(command)
    daemon.post(SetDetection("floor", True))
    daemon._apply_commands()
    assert [m for m in caplog.messages if "detection" in m or m.startswith("rule ")] == [
        "camera floor: detection paused",
        "rule worker_left_of_tape disabled",
        "camera floor: detection resumed",
    ]
    assert not daemon.pipelines["floor"].paused
    assert not daemon.engine.state("worker_left_of_tape").enabled


def test_pausing_detection_by_command_stops_the_detector_but_not_the_frames(tmp_path: Path) -> None:
    sink = FakeSink()
    daemon = Daemon(config.load(_worker_config(tmp_path, store=False)), tmp_path, extra_sinks=[sink])
    daemon.post(SetDetection("floor", False))
    runner = _run_in_thread(daemon)
    try:
        assert poll(
            lambda: daemon.status()[0].capture is not None and daemon.status()[0].capture.state == "ended", 30
        )
        assert poll(lambda: len(sink.observations) >= daemon.status()[0].frames_processed > 0, 10)
    finally:
        daemon.stop()
        runner.join(timeout=10)
    (status,) = daemon.status()
    assert status.frames_detected == 0
    assert sink.events == []
