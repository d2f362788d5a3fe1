"""Occupancy, line_count and area on real clips through `watcher replay` (truth: tests/data, shared/media)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from watcher import config
from watcher.detect import load_detector
from watcher.replay import ReplayOutputs, replay
from watcher.resources import demo_clip

DATA = Path(__file__).parent / "data"
WORKER_FPS = 3550 / 237
COMMON = """
[store]
enabled = false
[logging]
level = "WARNING"
"""


def run(video: Path, toml: str, tmp: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Events and observations of a replay of `video` with the config `toml`."""
    cfg = config.loads(toml + COMMON, file=str(tmp / "config.toml"))
    outputs = ReplayOutputs(events=tmp / "events.jsonl", observations=tmp / "obs.jsonl")
    replay(video, cfg, cfg.cameras[0].name, load_detector(cfg.detector), outputs, progress=False)
    read = [
        [json.loads(line) for line in path.read_text().splitlines()]
        for path in (tmp / "events.jsonl", tmp / "obs.jsonl")
    ]
    return read[0], read[1]


def summary(events: list[dict[str, Any]], rule: str) -> list[tuple[str, object]]:
    return [(e["type"], e["value"]) for e in events if e["rule"] == rule]


VTEST = """
[[cameras]]
name = "campus"
url = "demo"
detect_fps = 2

[[zones]]
camera = "campus"
name = "kerb"
points = [[0.82, 0.08], [1.0, 0.08], [1.0, 0.24], [0.82, 0.24]]

[[rules]]
name = "kerb_count"
kind = "occupancy"
camera = "campus"
zone = "kerb"
clear_s = 5

[[rules]]
name = "kerb_overstay"
kind = "occupancy"
camera = "campus"
zone = "kerb"
max_dwell_s = 60
report = "binary_sensor"
"""


@pytest.fixture(scope="module")
def vtest(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return run(demo_clip(), VTEST, tmp_path_factory.mktemp("vtest"))


def test_vtest_kerb_holds_the_van_and_the_blue_car_the_whole_clip(
    vtest: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    events, _ = vtest
    assert summary(events, "kerb_count") == [("start", 2)]
    start = next(e for e in events if e["rule"] == "kerb_count")
    # Parked from frame 0: counted once stationary (tracker.stationary_s = 3 s) at 2 detections a second.
    assert start["start_time"] <= 4.0
    assert sorted(o["label"] for o in start["objects"]) == ["car", "truck"]


def test_vtest_over_stay_starts_only_after_max_dwell(
    vtest: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    events, observations = vtest
    overstay = [e for e in events if e["rule"] == "kerb_overstay"]
    assert [(e["type"], e["value"]) for e in overstay] == [("start", 2)]
    emitted_at = next(o["t"] for o in observations if o["t"] >= overstay[0]["start_time"])
    assert 60.0 <= emitted_at <= 65.0


PARKING_LOT = """
[[cameras]]
name = "lot"
url = "lot.mp4"
detect_fps = 12.023

[[zones]]
camera = "lot"
name = "stalls"
points = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]

[[rules]]
name = "parked"
kind = "occupancy"
camera = "lot"
zone = "stalls"

[[rules]]
name = "cars_in_lot"
kind = "occupancy"
camera = "lot"
zone = "stalls"
stationary_only = false
"""


@pytest.fixture(scope="module")
def parking_lot(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    return run(DATA / "person-bicycle-car-detection.mp4", PARKING_LOT, tmp_path_factory.mktemp("lot"))[0]


def test_a_car_driving_through_the_lot_is_not_parked(parking_lot: list[dict[str, Any]]) -> None:
    assert summary(parking_lot, "parked") == []


def test_the_driving_car_is_seen_in_the_lot(parking_lot: list[dict[str, Any]]) -> None:
    assert summary(parking_lot, "cars_in_lot")[0] == ("start", 1)


WORKER = """
[[cameras]]
name = "floor"
url = "worker.mp4"
detect_fps = 15

# The hazard tape, from the bottom edge (105,269) to the pillar (248,128) in 480x270.
[[rules]]
name = "tape_crossings"
kind = "line_count"
camera = "floor"
line = [[0.21875, 0.99630], [0.51667, 0.47407]]
"""


def test_worker_crosses_the_hazard_tape_right_to_left_once(tmp_path: Path) -> None:
    events, _ = run(DATA / "worker-zone-detection.mp4", WORKER, tmp_path)
    assert summary(events, "tape_crossings") == [("start", 1)]
    # Truth: the feet are on the tape in frames 34-37 (± the labelling tolerance); every frame is detected.
    truth = json.loads((DATA / "worker-zone-detection.truth.json").read_text())
    crossing = next(i for i in truth["intervals"] if i["label"] == "feet_on_tape_crossing")
    slack = crossing["tolerance_frames"]
    assert (crossing["start"] - slack) / WORKER_FPS <= events[0]["start_time"]
    assert events[0]["start_time"] <= (crossing["end"] + slack) / WORKER_FPS
    assert [o["label"] for o in events[0]["objects"]] == ["person"]


BOX = """
[[cameras]]
name = "table"
url = "box.mp4"
detect_fps = 1

[[rules]]
name = "box_area"
kind = "area"
camera = "table"
hsv = { lower = [15, 60, 60], upper = [40, 255, 255] }
measure = "px"
"""


def test_yellow_box_area_matches_the_truth_outline(tmp_path: Path) -> None:
    _, observations = run(DATA / "box.mp4", BOX, tmp_path)
    truth = json.loads((DATA / "box.truth.json").read_text())
    hull = {s["frame"]: s["box_hull_area_px"] for s in truth["samples"]}
    measured = {o["frame"]: o["areas"]["box_area"]["px"] for o in observations if o["frame"] in hull}
    assert len(measured) >= 12
    # The colour mask (gaps closed) against the convex hull labelled by eye: within 25 %.
    assert {f: round(px / hull[f], 2) for f, px in measured.items()} == {
        f: pytest.approx(1.0, abs=0.25) for f in measured
    }


LAWN = """
[[cameras]]
name = "garden"
url = "demo"
detect_fps = 5

[[zones]]
camera = "garden"
name = "lawn"
points = [[0.0, 0.521], [0.195, 0.538], [0.391, 0.59], [0.521, 0.66], [0.651, 0.747],
          [0.781, 0.816], [0.911, 0.885], [1.0, 0.929], [1.0, 1.0], [0.0, 1.0]]

[[rules]]
name = "lawn_green"
kind = "area"
camera = "garden"
zone = "lawn"
hsv = { lower = [35, 60, 40], upper = [85, 255, 255] }
report = "sensor"
check_every_s = 0.2  # every processed frame (5 fps): the updates, not the measuring rate, are under test

[[rules]]
name = "lawn_green_every_change"
kind = "area"
camera = "garden"
zone = "lawn"
hsv = { lower = [35, 60, 40], upper = [85, 255, 255] }
report = "sensor"
check_every_s = 0.2
min_change = 0
min_interval_s = 0
"""


def test_lawn_area_sensor_sends_a_handful_of_updates_not_one_per_frame(tmp_path: Path) -> None:
    events, observations = run(demo_clip(), LAWN, tmp_path)
    lawn = [e for e in events if e["rule"] == "lawn_green"]
    # 398 frames at 5 fps: people crossing the lawn move its green fraction between 0.947 and 0.997.
    assert len(observations) == 398
    assert len([e for e in events if e["rule"] == "lawn_green_every_change"]) == 125
    assert [e["type"] for e in lawn] == ["start"] + ["update"] * 8
    values = [e["value"] for e in lawn]
    assert min(abs(b - a) for a, b in itertools.pairwise(values)) >= 0.01
