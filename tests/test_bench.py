"""`watcher bench`: the real pipeline on a small real clip, briefly; figures present and consistent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from tests.support.mosquitto import Mosquitto
from watcher import config
from watcher.bench import BenchOptions, Summary, make_static_clip, run_bench
from watcher.bench.machine import this_machine
from watcher.bench.setup import bench_config
from watcher.bench.source import TimedFileSource
from watcher.capture import FileSource, detect_stream
from watcher.cli import main
from watcher.clock import SystemClock
from watcher.daemon import Daemon
from watcher.detect import MotionGate, ScriptedDetector, load_detector
from watcher.pipeline import CameraPipeline
from watcher.rules import RulesEngine
from watcher.types import Frame

DATA = Path(__file__).parent / "data"
WORKER_CONFIG = DATA / "worker.toml"
PEOPLE_CLIP = DATA / "people-detection.mp4"
BOTTLE_CLIP = DATA / "bottle-detection.mp4"
REQUIRED_STAGES = (
    "decode",
    "motion",
    "preprocess",
    "inference",
    "nms",
    "tracking",
    "zones",
    "rules",
    "sinks",
)


@pytest.fixture(scope="module")
def bench_json(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    code = main(
        ["bench", "-c", str(WORKER_CONFIG), "--video", str(PEOPLE_CLIP), "--seconds", "2", "--json", str(out)]
    )
    assert code == 0
    loaded: dict[str, Any] = json.loads(out.read_text())
    return loaded


def test_bench_json_has_the_keys_issue_7_asks_for(bench_json: dict[str, Any]) -> None:
    required = {"pipeline_fps", "raw_detector_fps", "ratio", "latency_ms", "rss_mb", "cpu_percent"}
    assert required | {"dropped_frames", "stages_ms"} <= set(bench_json)
    assert {"p50", "p95"} <= set(bench_json["latency_ms"])


def test_bench_json_records_the_machine_it_was_measured_on(bench_json: dict[str, Any]) -> None:
    assert bench_json["machine"] == this_machine().to_json()


def test_bench_times_every_stage_with_p50_not_above_p95(bench_json: dict[str, Any]) -> None:
    stages = bench_json["stages_ms"]
    assert isinstance(stages, dict)
    assert set(REQUIRED_STAGES) <= set(stages)
    for name in REQUIRED_STAGES:
        assert stages[name]["count"] > 0, name
        assert 0 <= stages[name]["p50"] <= stages[name]["p95"], name


def test_bench_ratio_is_pipeline_over_raw_detector_throughput(bench_json: dict[str, Any]) -> None:
    pipeline_fps, raw_fps = float(bench_json["pipeline_fps"]), float(bench_json["raw_detector_fps"])
    assert min(pipeline_fps, raw_fps) > 0
    assert bench_json["ratio"] == pytest.approx(pipeline_fps / raw_fps, abs=1e-3)


def test_fast_bench_waits_for_the_pipeline_so_drops_no_frame(bench_json: dict[str, Any]) -> None:
    assert bench_json["dropped_frames"] == 0
    assert 0 < bench_json["frames_detected"] <= bench_json["frames_processed"]
    assert bench_json["frames_in"] >= bench_json["frames_processed"]


def test_bench_reports_plausible_memory_cpu_and_latency(bench_json: dict[str, Any]) -> None:
    assert 50 < float(bench_json["rss_mb"]) < 1000
    assert 0 < float(bench_json["cpu_percent"]) <= 100 * 64
    latency = bench_json["latency_ms"]
    assert isinstance(latency, dict)
    assert latency["count"] == bench_json["frames_processed"]
    assert 0 < latency["p50"] <= latency["p95"]


def test_realtime_bench_reads_the_clip_at_its_own_rate() -> None:
    cfg = config.load(WORKER_CONFIG)
    result = run_bench(cfg, WORKER_CONFIG.parent, BenchOptions(video=PEOPLE_CLIP, seconds=2, realtime=True))
    fps = 2300 / 191  # people-detection.mp4
    assert result.mode == "realtime"
    assert 0.7 * fps * result.seconds <= result.frames_in <= fps * result.seconds + 2
    assert result.frames_processed + result.dropped_frames <= result.frames_in


def test_cameras_in_step_is_named_in_the_figures() -> None:
    cfg = config.load(WORKER_CONFIG)
    options = BenchOptions(video=PEOPLE_CLIP, cameras=2, seconds=0.5, in_step=True)
    result = run_bench(
        cfg, WORKER_CONFIG.parent, options, detector=ScriptedDetector([], labels=["person", "car"])
    )
    assert result.mode == "fast, cameras in step"
    assert result.to_json()["mode"] == "fast, cameras in step"


def test_bench_config_copies_the_first_camera_with_its_zones_and_rules(tmp_path: Path) -> None:
    cfg = bench_config(config.load(WORKER_CONFIG), PEOPLE_CLIP, 3)
    assert [c.name for c in cfg.cameras] == ["floor", "floor_1", "floor_2"]
    assert {c.url for c in cfg.cameras} == {str(PEOPLE_CLIP)}
    assert [(z.camera, z.name) for z in cfg.zones] == [
        ("floor", "left_of_tape"),
        ("floor_1", "left_of_tape"),
        ("floor_2", "left_of_tape"),
    ]
    assert [(r.camera, r.name) for r in cfg.rules] == [
        ("floor", "worker_left_of_tape"),
        ("floor_1", "worker_left_of_tape_1"),
        ("floor_2", "worker_left_of_tape_2"),
    ]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], Summary(0, 0.0, 0.0, 0.0)),
        ([4.0], Summary(1, 4.0, 4.0, 4.0)),
        ([1.0, 2.0, 3.0, 4.0, 5.0], Summary(5, 3.0, 3.0, 4.8)),
    ],
)
def test_summary_gives_mean_median_and_95th_percentile(values: list[float], expected: Summary) -> None:
    assert Summary.of(values) == pytest.approx(expected)


@pytest.mark.parametrize(("flag", "value"), [("--cameras", "0"), ("--seconds", "-1")])
def test_bench_rejects_a_bad_count_with_one_line(
    flag: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "-c", str(WORKER_CONFIG), flag, value]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert flag in err


def test_pipeline_times_preprocess_inference_and_nms_for_each_detection() -> None:
    cfg = config.load(WORKER_CONFIG)
    detector = load_detector(cfg.detector, WORKER_CONFIG.parent)
    camera = cfg.cameras[0].model_copy(
        update={"motion": cfg.cameras[0].motion.model_copy(update={"enabled": False})}
    )
    pipeline = CameraPipeline(camera, cfg, detector, RulesEngine(cfg.rules))
    capture = cv2.VideoCapture(str(PEOPLE_CLIP))
    for index in range(3):
        ok, image = capture.read()
        assert ok
        pipeline.process(Frame("floor", index, index / 12.0, np.asarray(image, dtype=np.uint8)))
    counts = {
        name: len(pipeline.times.samples.get(name, []))
        for name in ("detect", "preprocess", "inference", "nms")
    }
    assert counts == {"detect": 3, "preprocess": 3, "inference": 3, "nms": 3}


def test_static_clip_is_768x432_at_10_fps_and_mostly_still(tmp_path: Path) -> None:
    clip = make_static_clip(BOTTLE_CLIP, tmp_path / "static.mp4")
    capture = cv2.VideoCapture(str(clip))
    assert (capture.get(cv2.CAP_PROP_FRAME_WIDTH), capture.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (768, 432)
    assert capture.get(cv2.CAP_PROP_FPS) == pytest.approx(10.0)
    gate = MotionGate(config.MotionConfig())
    opened = []
    while True:
        ok, image = capture.read()
        if not ok:
            break
        opened.append(gate.is_open(gate.update(np.asarray(image, dtype=np.uint8))))
    assert len(opened) == 67
    assert sum(opened) < len(opened) / 4


def test_file_source_skip_steps_over_frames_without_shifting_the_ones_read() -> None:
    every = FileSource("cam", PEOPLE_CLIP, SystemClock(), realtime=False)
    every.open()
    frames = []
    while (frame := every.read()) is not None:
        frames.append(frame)
    every.close()
    alternate = FileSource("cam", PEOPLE_CLIP, SystemClock(), realtime=False)
    alternate.open()
    kept = []
    while True:
        frame = alternate.read()
        if frame is None or not alternate.skip():
            break
        kept.append(frame)
    alternate.close()
    expected = frames[0::2][: len(kept)]
    assert [(f.index, f.timestamp) for f in kept] == [(f.index, f.timestamp) for f in expected]
    assert all(np.array_equal(a.image, b.image) for a, b in zip(kept, expected, strict=True))
    assert len(kept) == len(frames) // 2


@pytest.mark.parametrize(
    ("detect_url", "expected"),
    [(None, "rtsp://cam/main"), ("rtsp://cam/sub", "rtsp://cam/sub")],
)
def test_detect_stream_reads_the_substream_when_one_is_set(detect_url: str | None, expected: str) -> None:
    camera = config.CameraConfig(name="porch", url="rtsp://cam/main", detect_url=detect_url)
    assert detect_stream(camera).url == expected


def test_daemon_captures_from_detect_url_instead_of_url(tmp_path: Path) -> None:
    cfg = config.parse(
        {
            "cameras": [{"name": "porch", "url": "missing-main.mp4", "detect_url": str(PEOPLE_CLIP)}],
            "store": {"enabled": False},
        }
    )
    daemon = Daemon(cfg, tmp_path, detector=ScriptedDetector([], labels=["person"]))
    try:
        assert daemon.errors == {}
        assert list(daemon.captures) == ["porch"]
    finally:
        daemon.sinks.close()


def _parked_car_run(stationary_detect_fps: float | None) -> tuple[int, list[tuple[tuple[int, bool], ...]]]:
    """20 s at 5 fps: a car appears in frame 1 and never moves; detector calls and per-frame tracks."""
    camera: dict[str, Any] = {"name": "porch", "url": "porch.mp4", "detect_fps": 5}
    if stationary_detect_fps is not None:
        camera["stationary_detect_fps"] = stationary_detect_fps
    cfg = config.parse({"cameras": [camera], "store": {"enabled": False}})
    detector = ScriptedDetector([[("car", 0.9, (100.0, 100.0, 200.0, 160.0))]] * 200)
    pipeline = CameraPipeline(cfg.cameras[0], cfg, detector, RulesEngine([]))
    empty = np.zeros((240, 320, 3), dtype=np.uint8)
    parked = empty.copy()
    parked[100:160, 100:200] = 60
    tracks = []
    for index in range(100):
        obs, _ = pipeline.process(Frame("porch", index, index / 5, empty if index == 0 else parked))
        tracks.append(tuple((t.track_id, t.stationary) for t in obs.tracks))
    return pipeline.frames_detected, tracks


def test_stationary_detect_fps_runs_the_detector_a_third_as_often_on_a_parked_car() -> None:
    assert _parked_car_run(None)[0] == 100  # the first frame too: still things are seen (#18)
    assert _parked_car_run(1.0)[0] == 36


def test_stationary_detect_fps_leaves_every_observation_unchanged() -> None:
    assert _parked_car_run(1.0)[1] == _parked_car_run(None)[1]


def test_bench_times_events_from_capture_to_a_subscriber_on_a_real_broker(mosquitto: Mosquitto) -> None:
    cfg = config.load(WORKER_CONFIG)
    options = BenchOptions(
        video=DATA / "worker-zone-detection.mp4",
        seconds=6,
        realtime=True,
        mqtt=(mosquitto.host, mosquitto.port),
    )
    result = run_bench(cfg, WORKER_CONFIG.parent, options)
    assert result.events >= 1
    assert result.mqtt_latency is not None
    assert result.mqtt_latency.count == result.events
    assert 0 < result.mqtt_latency.p50 <= result.mqtt_latency.p95
    assert "mqtt_latency_ms" in result.to_json()


@pytest.mark.parametrize(("fraction", "first_index"), [(0.0, 0), (0.5, 35), (0.75, 53)])
def test_a_bench_camera_starts_its_fraction_into_the_clip(fraction: float, first_index: int) -> None:
    source = TimedFileSource(
        "cam", DATA / "worker-zone-detection.mp4", realtime=False, start_fraction=fraction
    )
    source.open()
    try:
        frame = source.read()
    finally:
        source.close()
    assert frame is not None
    assert frame.index == first_index  # 71 frames: int(71 * fraction) stepped over


def test_an_area_rule_is_timed_as_the_masks_stage_inside_analyze() -> None:
    cfg = config.loads(
        '[[cameras]]\nname = "floor"\nurl = "demo"\n'
        '[[rules]]\nname = "yellow"\nkind = "area"\ncamera = "floor"\n'
        "hsv = { lower = [20, 100, 100], upper = [35, 255, 255] }\n",
        "config.toml",
    )
    pipeline = CameraPipeline(cfg.cameras[0], cfg, ScriptedDetector([]), RulesEngine(cfg.rules))
    for index in range(3):
        pipeline.process(Frame("floor", index, float(index), np.zeros((48, 64, 3), np.uint8)))
    counts = {name: len(pipeline.times.samples.get(name, [])) for name in ("analyze", "masks")}
    assert counts == {"analyze": 3, "masks": 3}
