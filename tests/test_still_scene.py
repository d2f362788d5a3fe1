"""Still things are seen: the detector runs on the first frame, after a reconnect and every `refresh_s`.

Real frames through OpenCV (a still frame of a tests/data clip written as a video) and the real model.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.support.waiting import poll
from watcher import config
from watcher.capture import CaptureThread, FakeSource
from watcher.clock import SystemClock
from watcher.daemon import Daemon
from watcher.detect import Detector, ScriptedDetector, load_detector
from watcher.errors import SourceError
from watcher.pipeline import CameraPipeline
from watcher.replay import replay
from watcher.rules import RulesEngine
from watcher.types import Frame, Image

DATA = Path(__file__).parent / "data"
FPS = 10


def _first_frame(video: Path) -> Image:
    capture = cv2.VideoCapture(str(video))
    ok, image = capture.read()
    capture.release()
    assert ok
    return np.asarray(image, dtype=np.uint8)


def _still_clip(image: Image, seconds: float, out: Path) -> Path:
    """`image` held for `seconds` at 10 fps: a scene where nothing moves from the first frame."""
    height, width = image.shape[:2]
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), FPS, (width, height))
    for _ in range(round(seconds * FPS)):
        writer.write(image)
    writer.release()
    return out


@pytest.fixture(scope="module")
def detector() -> Detector:
    return load_detector(config.DetectorConfig())


@pytest.fixture(scope="module")
def person_detector() -> Detector:
    """Persons only: the bottles on the table are not tracks that keep the detector running."""
    return load_detector(config.DetectorConfig(classes=["person"]))


@pytest.fixture(scope="module")
def people_at_rest() -> Image:
    """Frame 0 of vtest: people (3 ± 1) who, held still, never open the motion gate."""
    image = cv2.imread(str(DATA / "photos" / "vtest-frame000.png"))
    assert image is not None
    return np.asarray(image, dtype=np.uint8)


@pytest.fixture(scope="module")
def empty_table() -> Image:
    """Frame 0 of bottle-detection.mp4: a table with bottles and no person."""
    return _first_frame(DATA / "bottle-detection.mp4")


def _config(extra: str = "") -> config.Config:
    return config.loads(
        f"""
[[cameras]]
name = "room"
url = "room.mp4"
detect_fps = 5
{extra}

[[rules]]
name = "people"
kind = "presence"
camera = "room"

[store]
enabled = false
"""
    )


def test_people_still_from_the_first_frame_are_counted_at_once(
    people_at_rest: Image, detector: Detector, tmp_path: Path
) -> None:
    clip = _still_clip(people_at_rest, 4.0, tmp_path / "still.mp4")
    result = replay(clip, _config(), "room", detector, progress=False)
    starts = [(str(e.type), e.start_time, e.value) for e in result.events]
    assert len(starts) == 1
    assert starts[0][:2] == ("start", 0.2)  # the 2nd processed frame: a track needs `min_hits` = 2
    assert 2 <= int(starts[0][2] or 0) <= 4


def test_still_empty_scene_is_detected_only_every_refresh_s(
    empty_table: Image, person_detector: Detector, tmp_path: Path
) -> None:
    clip = _still_clip(empty_table, 10.0, tmp_path / "table.mp4")
    cfg = _config("motion = { refresh_s = 3 }")
    result = replay(clip, cfg, "room", person_detector, progress=False)
    # 50 frames at 5 fps (t = 0.0 .. 9.8): the model runs at 0, 3, 6 and 9 s; the gate skips the rest.
    assert (result.frames_processed, result.frames_detected, result.events) == (50, 4, ())


def test_refresh_s_0_detects_only_the_first_frame_of_a_still_scene(
    empty_table: Image, person_detector: Detector, tmp_path: Path
) -> None:
    clip = _still_clip(empty_table, 4.0, tmp_path / "table.mp4")
    cfg = _config("motion = { refresh_s = 0 }")
    result = replay(clip, cfg, "room", person_detector, progress=False)
    assert (result.frames_processed, result.frames_detected) == (20, 1)


def test_pipeline_restart_detects_the_next_frame_of_a_still_scene(empty_table: Image) -> None:
    cfg = _config()
    detector = ScriptedDetector([], labels=["person"])
    pipeline = CameraPipeline(cfg.cameras[0], cfg, detector, RulesEngine([]))
    for index in range(10):
        pipeline.process(Frame("room", index, index / 5, empty_table))
    assert detector.calls == 1
    pipeline.restart()
    pipeline.process(Frame("room", 10, 2.0, empty_table))
    assert detector.calls == 2


def test_daemon_detects_again_after_the_camera_reconnects(empty_table: Image, tmp_path: Path) -> None:
    reconnected = threading.Event()
    finished = threading.Event()

    def script() -> Iterator[Frame | Exception]:
        for index in range(5):
            yield Frame("room", index, index / FPS, empty_table)
        reconnected.wait(30)
        yield SourceError("room", "stream ended")
        for index in range(5, 10):
            yield Frame("room", index, index / FPS, empty_table)
        finished.wait(30)

    cfg = config.parse(
        {"cameras": [{"name": "room", "url": "demo", "detect_fps": FPS}], "store": {"enabled": False}}
    )
    detector = ScriptedDetector([], labels=["person"])
    daemon = Daemon(cfg, tmp_path, detector=detector)
    daemon.captures["room"] = CaptureThread(
        FakeSource(script(), camera="room", fps=FPS), SystemClock(), backoff_initial_s=0.05
    )
    runner = threading.Thread(target=daemon.run)
    runner.start()
    try:
        assert poll(lambda: daemon.pipelines["room"].frames_processed >= 1, 10)
        assert detector.calls == 1
        reconnected.set()
        assert poll(lambda: detector.calls == 2, 10)
        assert daemon.captures["room"].status().reconnects == 1
    finally:
        reconnected.set()
        finished.set()
        daemon.stop()
        runner.join(timeout=10)
