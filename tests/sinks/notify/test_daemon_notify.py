"""The daemon end to end: a rule with `notify` reaches a real HTTP receiver with its snapshot."""

from __future__ import annotations

import base64
import threading
from pathlib import Path

import pytest

from tests.sinks.notify.receivers import http_receiver
from tests.support.waiting import poll
from watcher import config
from watcher.cli import main
from watcher.daemon import Daemon
from watcher.sinks import EventStore
from watcher.testing import ScriptedDetector

DATA = Path(__file__).parents[2] / "data"
WORKER = [("person", 0.9, (20.0, 100.0, 60.0, 200.0))]  # in zone left_of_tape on every frame


def _config(tmp_path: Path, url: str) -> Path:
    text = (DATA / "worker.toml").read_text()
    text = text.replace('url = "worker-zone-detection.mp4"', f'url = "{DATA / "worker-zone-detection.mp4"}"')
    text = text.replace("realtime = false", 'realtime = true\n[cameras.motion]\ndetect_when = "always"')
    text = text.replace("clear_s = 1\n", 'clear_s = 1\nnotify = ["phone"]\n')
    text = text.replace("[store]\nenabled = false", "[store]\nenabled = true")
    text += f'\n[notify.phone]\nurls = ["{url}"]\ntitle = "{{label}} left of the tape"\n'
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_daemon_notifies_the_start_with_the_stored_snapshot_attached(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        daemon = Daemon(
            config.load(_config(tmp_path, receiver.url)), tmp_path, detector=ScriptedDetector([WORKER] * 500)
        )
        runner = threading.Thread(target=daemon.run)
        runner.start()
        try:
            assert poll(lambda: len(receiver.requests) == 1, 30)
        finally:
            daemon.stop()
            runner.join(timeout=10)
    (stored,) = EventStore(tmp_path / "watcher.db").events()
    assert stored.snapshot is not None
    payload = receiver.requests[0]["json"]
    assert payload["title"] == "person left of the tape"
    assert base64.b64decode(payload["attachments"][0]["base64"]) == Path(stored.snapshot).read_bytes()


def test_check_config_rejects_a_notify_url_apprise_cannot_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _config(tmp_path, "nosuch://user:s3cr3t@host")
    assert main(["check-config", "-c", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"watcher: {path}: notify.phone.urls[0]: not a usable apprise URL (scheme 'nosuch'; "
        "see apprise's list of services)\n"
    )
