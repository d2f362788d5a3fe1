"""A camera whose model file is missing or corrupt is that camera's error; the others detect and report."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import paho.mqtt.client as mqtt
import pytest

from tests.reliability.support import WORKER_CLIP, WORKER_EVENT, WatcherProcess, running, write_config
from tests.support.mosquitto import Mosquitto
from tests.support.waiting import poll
from watcher import config
from watcher.config import DetectorConfig
from watcher.daemon import Daemon
from watcher.detect import LoadedModel, SsdDetector, YoloDetector, models_dir, open_model
from watcher.errors import ConfigError
from watcher.status import CameraHealth, HealthSampler
from watcher.testing import FakeSink
from watcher.types import EventType

# The floor camera (real yolov8n_int8 from [detector]) plus two cameras on the same clip with broken models.
BROKEN_CAMERAS = f"""
[[cameras]]
name = "porch"
url = "{WORKER_CLIP}"
detector = {{ model = "missing.onnx" }}

[[cameras]]
name = "yard"
url = "{WORKER_CLIP}"
detector = {{ model = "broken.onnx", score_threshold = 0.5 }}

[store]
enabled = false
"""


def _missing(folder: Path) -> str:
    return f"cameras[1].detector.model: model {folder / 'missing.onnx'}: file not found"


def _corrupt(folder: Path) -> str:
    problem = "not a valid ONNX model (Protobuf parsing failed.)"
    return f"cameras[2].detector.model: model {folder / 'broken.onnx'}: {problem}"


def _write_broken_model(folder: Path) -> None:
    """The first half of the real yolov8n.onnx, as an interrupted download leaves it."""
    data = (models_dir() / "yolov8n.onnx").read_bytes()
    (folder / "broken.onnx").write_bytes(data[: len(data) // 2])


def _config_file(folder: Path, extra: str = "") -> Path:
    _write_broken_model(folder)
    return write_config(folder, BROKEN_CAMERAS + extra)


def test_cameras_with_a_missing_or_corrupt_model_carry_the_error_and_the_good_camera_emits_its_event(
    tmp_path: Path,
) -> None:
    sink = FakeSink()
    daemon = Daemon(config.load(_config_file(tmp_path)), tmp_path, extra_sinks=[sink])
    with running(daemon):
        assert sink.wait_for_events(1, timeout=30)
    assert [(e.type, e.rule, e.camera) for e in sink.events] == [
        (EventType.START, "worker_left_of_tape", "floor")
    ]
    rows = {row.name: (row.error, row.frames_processed > 0) for row in daemon.status()}
    assert rows == {
        "floor": (None, True),
        "porch": (_missing(tmp_path), False),
        "yard": (_corrupt(tmp_path), False),
    }
    assert set(daemon.captures) == {"floor"}
    assert sink.closed


def test_each_failed_camera_is_logged_once_in_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="watcher"):
        Daemon(config.load(_config_file(tmp_path)), tmp_path, extra_sinks=[FakeSink()]).sinks.close(5.0)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        f"camera porch: {_missing(tmp_path)}",
        f"camera yard: {_corrupt(tmp_path)}",
    ]


def test_status_line_and_health_rows_show_the_model_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    daemon = Daemon(config.load(_config_file(tmp_path)), tmp_path, extra_sinks=[FakeSink()])
    try:
        caplog.clear()  # the load errors logged by the constructor
        with caplog.at_level(logging.INFO, logger="watcher"):
            daemon.log_status()
        health = HealthSampler(daemon.status, daemon.clock).sample()
    finally:
        daemon.sinks.close(5.0)
    assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("camera porch")] == [
        f"camera porch: error: {_missing(tmp_path)}"
    ]
    assert [(h.camera, h.state, h.reason) for h in health] == [
        ("floor", "starting", None),
        ("porch", "error", _missing(tmp_path)),
        ("yard", "error", _corrupt(tmp_path)),
    ]


def test_mqtt_status_topic_of_a_camera_without_a_model_is_retained_as_error(
    tmp_path: Path, mosquitto: Mosquitto
) -> None:
    mqtt_section = f'\n[mqtt]\nenabled = true\nhost = "{mosquitto.host}"\nport = {mosquitto.port}\n'
    daemon = Daemon(config.load(_config_file(tmp_path, mqtt_section)), tmp_path)
    received: dict[str, bytes] = {}
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="model-faults")
    client.on_message = lambda _c, _u, message: received.__setitem__(message.topic, bytes(message.payload))
    with running(daemon):
        client.connect(mosquitto.host, mosquitto.port)
        client.subscribe("watcher/+/status")
        client.loop_start()
        try:
            assert poll(lambda: {"watcher/porch/status", "watcher/yard/status"} <= set(received), 15)
        finally:
            client.loop_stop()
            client.disconnect()
    porch = CameraHealth.from_json("porch", received["watcher/porch/status"])
    assert (porch.state, porch.reason) == ("error", _missing(tmp_path))
    assert json.loads(received["watcher/yard/status"])["reason"] == _corrupt(tmp_path)


def test_cameras_with_equal_detector_settings_share_one_detector_and_one_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    def counting_open(cfg: DetectorConfig, base_dir: Path | None = None) -> LoadedModel:
        opened.append(cfg.model)
        return open_model(cfg, base_dir)

    monkeypatch.setattr("watcher.detectors.open_model", counting_open)
    cameras = "".join(
        f'[[cameras]]\nname = "{name}"\nurl = "{WORKER_CLIP}"\n{extra}\n'
        for name, extra in [
            ("a", ""),
            ("b", 'detector = { model = "yolov8n_int8" }'),  # the same as [detector]: shared
            ("c", "detector = { score_threshold = 0.6 }"),  # own thresholds on the same session
            ("d", 'detector = { model = "ssd_mobilenet_v2" }'),
        ]
    )
    daemon = Daemon(config.loads(cameras + "[store]\nenabled = false\n", env={}), tmp_path)
    daemon.sinks.close(5.0)
    found = {name: pipeline.detector for name, pipeline in daemon.pipelines.items()}
    assert opened == ["yolov8n_int8", "ssd_mobilenet_v2"]
    assert found["a"] is found["b"]
    assert found["c"] is not found["a"]
    assert [type(found[name]) for name in "abcd"] == [YoloDetector] * 3 + [SsdDetector]
    assert daemon.errors == {}


def test_watcher_run_with_a_broken_camera_model_runs_the_others_and_exits_0_on_sigterm(
    tmp_path: Path,
) -> None:
    proc = WatcherProcess(_config_file(tmp_path, '\n[logging]\nlevel = "INFO"\n'))
    try:
        assert poll(lambda: proc.saw(WORKER_EVENT), 30), proc.output
    finally:
        code, _ = proc.terminate()
    assert code == 0
    assert proc.output.count(f"watcher: camera porch: {_missing(tmp_path)}\n") == 1
    assert proc.output.count(f"watcher: camera yard: {_corrupt(tmp_path)}\n") == 1
    assert "Traceback" not in proc.output


def test_watcher_run_where_no_camera_has_a_model_exits_2_with_one_line_and_no_traceback(
    tmp_path: Path,
) -> None:
    _write_broken_model(tmp_path)
    path = tmp_path / "config.toml"
    path.write_text(BROKEN_CAMERAS)  # porch (missing model) is now cameras[0], yard (corrupt) cameras[1]
    result = subprocess.run(
        [sys.executable, "-m", "watcher", "run", "-c", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    missing = f"model {tmp_path / 'missing.onnx'}: file not found"
    line = f"watcher: {path}: cameras[0].detector.model: {missing}\n"
    assert (result.returncode, result.stdout, result.stderr) == (2, "", line)


def test_a_failed_cameras_pipeline_raises_the_load_error_if_asked_to_detect(tmp_path: Path) -> None:
    daemon = Daemon(config.load(_config_file(tmp_path)), tmp_path, extra_sinks=[FakeSink()])
    daemon.sinks.close(5.0)
    porch = daemon.pipelines["porch"].detector
    with pytest.raises(ConfigError) as info:
        porch.detect(np.zeros((270, 480, 3), dtype=np.uint8))
    assert (str(info.value), porch.labels) == (_missing(tmp_path), ())
