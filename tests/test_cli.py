"""The command line as a user runs it: exit codes, one-line errors, outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from tests.support.waiting import free_port
from watcher.cli import main

DATA = Path(__file__).parent / "data"


def test_check_config_accepts_the_example(repo_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", "-c", str(repo_root / "config.example.toml")]) == 0
    assert (
        capsys.readouterr().out == "ok: 1 camera(s), 2 zone(s), 2 rule(s), model yolov8n_int8 (80 classes)\n"
    )


def test_check_config_rejects_a_bad_file_with_exit_2_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text('[[cameras]]\nname = "a"\nurl = "demo"\ndetect_fps = -2\n')
    assert main(["check-config", "-c", str(bad)]) == 2
    assert capsys.readouterr().err == f"watcher: {bad}: cameras[0].detect_fps: must be > 0 (got -2)\n"


def test_check_config_reports_a_missing_model_file_as_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[[cameras]]\nname = "a"\nurl = "demo"\n[detector]\nmodel = "nope.onnx"\n')
    assert main(["check-config", "-c", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"watcher: {cfg}: detector.model: ")
    assert "nope.onnx" in err
    assert err.count("\n") == 1


def test_check_config_does_not_load_the_model_of_a_disabled_camera(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "config.toml"
    off = '[[cameras]]\nname = "b"\nurl = "demo"\nenabled = false\ndetector = { model = "nope.onnx" }\n'
    cfg.write_text('[[cameras]]\nname = "a"\nurl = "demo"\n' + off)
    assert main(["check-config", "-c", str(cfg)]) == 0  # as `watcher run`, which does not load it either
    assert capsys.readouterr().out == (
        "ok: 2 camera(s) (1 disabled), 0 zone(s), 0 rule(s), model yolov8n_int8 (80 classes)\n"
    )


def test_check_config_schema_is_json_schema_of_the_config(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", "--schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Config"
    assert schema["required"] == ["cameras"]


def test_models_list_shows_every_model_with_its_license(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["name", "layout", "input", "classes", "license", "file"]
    rows = {line.split()[0]: line.split()[1:5] for line in lines[1:]}
    assert rows == {
        "yolov8n": ["yolo", "320", "80", "AGPL-3.0"],
        "yolov8n_int8": ["yolo", "320", "80", "AGPL-3.0"],
        "ssd_mobilenet_v2": ["ssd", "300", "80", "Apache-2.0"],
    }


def test_snapshot_saves_one_frame_of_the_demo_camera(
    tmp_path: Path, repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "frame.jpg"
    assert (
        main(["snapshot", "demo", "-o", str(out), "--zones", "-c", str(repo_root / "config.example.toml")])
        == 0
    )
    image = cv2.imread(str(out))
    assert image.shape == (576, 768, 3)
    assert capsys.readouterr().out == f"{out}: 768x576 from camera demo\n"


def test_snapshot_of_an_unknown_camera_names_the_cameras(
    tmp_path: Path, repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["snapshot", "porch", "-c", str(repo_root / "config.example.toml")]) == 2
    assert capsys.readouterr().err == "watcher: CAMERA: unknown camera 'porch' (have: demo)\n"


def test_replay_of_a_missing_video_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "missing.mp4", "-c", str(DATA / "worker.toml")]) == 2
    assert capsys.readouterr().err == "watcher: no such video file: missing.mp4\n"


def test_replay_prints_a_summary_and_writes_events_into_new_folders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "new" / "events.jsonl"
    observations = tmp_path / "other" / "deeper" / "obs.jsonl"
    video = str(DATA / "worker-zone-detection.mp4")
    argv = ["replay", video, "-c", str(DATA / "worker.toml"), "--events", str(events)]
    assert main([*argv, "--observations", str(observations)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("worker-zone-detection.mp4: 71 frames read, 71 processed, 71 detected, 1 events, ")
    assert [json.loads(line)["type"] for line in events.read_text().splitlines()] == ["start"]
    assert len(observations.read_text().splitlines()) == 71


def test_python_dash_m_watcher_prints_the_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "watcher", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("watcher ")


def test_check_config_reports_an_unknown_detector_class_at_its_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[[cameras]]\nname = "a"\nurl = "demo"\n[detector]\nclasses = ["persn"]\n')
    assert main(["check-config", "-c", str(cfg)]) == 2
    assert capsys.readouterr().err == (
        f"watcher: {cfg}: detector.classes[0]: unknown class 'persn' for model yolov8n_int8 "
        "(e.g. person, bicycle, car, motorcycle, airplane, bus)\n"
    )


@pytest.mark.parametrize("url", ["rtsp://127.0.0.1:{port}/cam", "truncated.mp4"])
def test_a_camera_that_cannot_be_opened_prints_only_watchers_one_line(url: str, tmp_path: Path) -> None:
    # The first KB of a real clip: FFmpeg finds no index ("moov atom not found") and OpenCV warns.
    (tmp_path / "truncated.mp4").write_bytes((DATA / "box.mp4").read_bytes()[:1024])
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[[cameras]]\nname = "a"\nurl = "{url.format(port=free_port())}"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCV_")}
    done = subprocess.run(
        [sys.executable, "-m", "watcher", "snapshot", "a", "-c", str(cfg), "-o", str(tmp_path / "a.jpg")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith("watcher: camera a: cannot open ")
    assert done.stderr.count("\n") == 1


def test_check_config_reports_a_missing_camera_file_at_its_url_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[[cameras]]\nname = "a"\nurl = "demo"\n[[cameras]]\nname = "b"\nurl = "gone.mp4"\n')
    assert main(["check-config", "-c", str(cfg)]) == 2
    missing = tmp_path / "gone.mp4"
    assert capsys.readouterr().err == f"watcher: {cfg}: cameras[1].url: video file not found: {missing}\n"


def test_run_with_no_camera_but_a_missing_file_stops_as_check_config_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[[cameras]]\nname = "b"\nurl = "gone.mp4"\n[store]\nenabled = false\n')
    assert main(["run", "-c", str(cfg)]) == 2
    missing = tmp_path / "gone.mp4"
    assert capsys.readouterr().err == f"watcher: {cfg}: cameras[0].url: video file not found: {missing}\n"


MISSING_FILE = """
[[cameras]]
name = "a"
url = "gone.mp4"
[[zones]]
camera = "a"
name = "z"
points = [[0, 0], [1, 0], [1, 1], [0, 1]]
[[rules]]
name = "green"
kind = "area"
camera = "a"
zone = "z"
hsv = { lower = [35, 60, 40], upper = [85, 255, 255] }
[[rules]]
name = "gate"
kind = "state"
camera = "a"
zone = "z"
when = "open"
examples = "refs"
[store]
enabled = false
"""


@pytest.mark.parametrize(
    "command",
    [["snapshot", "a"], ["mask", "green"], ["examples", "gate", "--label", "open", "--at", "1"]],
    ids=["snapshot", "mask", "examples"],
)
def test_a_command_reading_a_missing_camera_file_names_its_url_key(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(MISSING_FILE)
    assert main([*command, "-c", str(cfg)]) == 2
    missing = tmp_path / "gone.mp4"
    assert capsys.readouterr().err == f"watcher: {cfg}: cameras[0].url: video file not found: {missing}\n"


@pytest.mark.parametrize(
    "command",
    [["mask", "green"], ["examples", "gate", "--label", "open", "--at", "1"]],
    ids=["mask", "examples"],
)
def test_a_missing_video_in_place_of_the_camera_is_a_one_line_error(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(MISSING_FILE.replace("gone.mp4", str(DATA / "box.mp4")))
    assert main([*command, "-c", str(cfg), "--video", "nope.mp4"]) == 2
    assert capsys.readouterr().err == "watcher: --video: no such video file: nope.mp4\n"
