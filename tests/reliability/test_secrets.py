"""Secrets come from the environment and never reach a log line: URL credentials and secrets are masked."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.support import WORKER_EVENT, WatcherProcess, write_config
from tests.support.mosquitto import Mosquitto, mosquitto_missing
from tests.support.waiting import free_port, poll
from watcher import config, logs
from watcher.config import LoggingConfig
from watcher.redact import add_secrets, config_secrets, redact

CAMERA_PASSWORD = "c4m-Secr3t"
MQTT_PASSWORD = "mq-Pa55word"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def _log_to_file(tmp_path: Path, fmt: str) -> Path:
    path = tmp_path / "watcher.log"
    logs.setup(LoggingConfig(level="DEBUG", format=fmt, file=str(path)))  # type: ignore[arg-type]
    return path


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("rtsp://admin:pw1234@10.0.0.5:554/live", "rtsp://***@10.0.0.5:554/live"),
        ("open http://user:p%40ss@cam/mjpeg failed", "open http://***@cam/mjpeg failed"),
        ("rtsps://admin:p@ss@cam/x", "rtsps://***@cam/x"),
        ("http://cam/video.cgi?user=admin&pwd=pw1234&x=1", "http://cam/video.cgi?user=***&pwd=***&x=1"),
        ("no url here", "no url here"),
    ],
)
def test_redact_masks_credentials_in_urls(line: str, shown: str) -> None:
    assert redact(line) == shown


def test_text_log_lines_mask_url_credentials(tmp_path: Path, restore_logging: None) -> None:
    path = _log_to_file(tmp_path, "text")
    logging.getLogger("watcher.test").warning("cannot open %s", "rtsp://admin:pw1234@10.0.0.5/live")
    text = path.read_text()
    assert "pw1234" not in text
    assert text.rstrip().endswith("watcher.test: cannot open rtsp://***@10.0.0.5/live")


def test_json_log_lines_mask_a_configured_secret_in_message_and_traceback(
    tmp_path: Path, restore_logging: None
) -> None:
    add_secrets(['tok-"quoted"-9876'])
    path = _log_to_file(tmp_path, "json")
    log = logging.getLogger("watcher.test")
    try:
        raise RuntimeError('auth failed for tok-"quoted"-9876')
    except RuntimeError:
        log.exception('sending with tok-"quoted"-9876')
    record = json.loads(path.read_text().splitlines()[-1])
    assert (record["message"], record["error"]) == ("sending with ***", "RuntimeError: auth failed for ***")


def test_config_secrets_are_the_mqtt_password_camera_credentials_and_notify_urls() -> None:
    cfg = config.loads(
        '[[cameras]]\nname = "a"\nurl = "rtsp://admin:${CAM_PW}@10.0.0.5/live?token=t0k3n99"\n'
        '[mqtt]\nusername = "watcher"\npassword = "${MQTT_PW}"\n'
        '[notify.phone]\nurls = ["pover://user@apptoken123"]\n',
        env={"CAM_PW": CAMERA_PASSWORD, "MQTT_PW": MQTT_PASSWORD},
    )
    assert config_secrets(cfg) == [
        MQTT_PASSWORD,
        CAMERA_PASSWORD,
        "t0k3n99",
        "pover://user@apptoken123",
        "user@apptoken123",
    ]


@pytest.fixture
def broker_with_password(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mosquitto]:
    reason = mosquitto_missing()
    if reason:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("broker")
    # Run as root, mosquitto drops to its own user, which cannot enter pytest's private tmp folders.
    readable = Path(tempfile.mkdtemp(prefix="watcher-broker-"))
    readable.chmod(0o755)
    passwords = readable / "passwords"
    subprocess.run(
        ["mosquitto_passwd", "-b", "-c", str(passwords), "watcher", MQTT_PASSWORD], check=True, timeout=30
    )
    passwords.chmod(0o644)
    broker = Mosquitto(folder, password_file=passwords)
    try:
        broker.start()
        yield broker
    finally:
        broker.stop()
        shutil.rmtree(readable)


def test_watcher_run_logs_neither_the_mqtt_password_nor_camera_credentials(
    tmp_path: Path, broker_with_password: Mosquitto
) -> None:
    dead_port = free_port()
    extra = f"""
[[cameras]]
name = "door"
url = "rtsp://admin:${{CAM_PW}}@127.0.0.1:{dead_port}/live"
open_timeout_s = 1

[mqtt]
enabled = true
host = "127.0.0.1"
port = {broker_with_password.port}
username = "watcher"
password = "${{MQTT_PW}}"

[logging]
level = "DEBUG"
file = "watcher.log"
"""
    path = write_config(tmp_path, extra)
    proc = WatcherProcess(path, env={"CAM_PW": CAMERA_PASSWORD, "MQTT_PW": MQTT_PASSWORD})
    try:
        assert poll(lambda: proc.saw(WORKER_EVENT) and proc.saw("camera door"), 60), proc.output[-3000:]
        assert poll(lambda: proc.saw("mqtt: connected"), 20), proc.output[-3000:]
        code, _ = proc.terminate()
    finally:
        proc.kill()
    everything = proc.output + (tmp_path / "watcher.log").read_text()
    assert code == 0
    assert f"rtsp://***@127.0.0.1:{dead_port}/live" in everything  # the URL was logged, masked
    assert CAMERA_PASSWORD not in everything
    assert MQTT_PASSWORD not in everything
