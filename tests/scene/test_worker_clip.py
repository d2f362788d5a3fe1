"""The scene on real detections: yolov8n at 320 px over worker-zone-detection.mp4 (one worker)."""

from pathlib import Path

import numpy as np
import pytest
import supervision as sv

from watcher.config import TrackerConfig, ZoneConfig
from watcher.scene import Scene

DATA = Path(__file__).parent / "data" / "worker_yolov8n320.npz"
WIDTH, HEIGHT = 480, 270
TAPE_TOP, TAPE_BOTTOM = (248, 128), (105, 269)


def _relative(points):
    return [(x / WIDTH, y / HEIGHT) for x, y in points]


ZONES = [
    ZoneConfig(
        camera="hall", name="left_of_tape", points=_relative([(0, 128), TAPE_TOP, TAPE_BOTTOM, (0, 269)])
    ),
    ZoneConfig(
        camera="hall", name="right_of_tape", points=_relative([TAPE_TOP, (479, 128), (479, 269), TAPE_BOTTOM])
    ),
]


@pytest.fixture(scope="module")
def observations():
    clip = np.load(DATA)
    fps = float(clip["fps"])
    scene = Scene("hall", ZONES, TrackerConfig(stationary_s=1.0), detect_fps=fps)
    result = []
    for i in range(int(clip["n_frames"])):
        m = clip["frame"] == i
        detections = sv.Detections(
            xyxy=clip["xyxy"][m], confidence=clip["confidence"][m], data={"class_name": clip["class_name"][m]}
        )
        result.append(scene.update(i, i / fps, (WIDTH, HEIGHT), detections))
    return result


def test_the_single_worker_keeps_one_track_id_over_the_whole_clip(observations):
    assert {t.track_id for o in observations for t in o.tracks} == {1}


def test_the_worker_is_tracked_in_every_frame_after_the_first(observations):
    assert [len(o.tracks) for o in observations[1:]] == [1] * (len(observations) - 1)


def test_the_worker_crosses_the_tape_from_right_to_left_around_frames_34_to_38(observations):
    zones = [o.tracks[0].zones if o.tracks else () for o in observations]
    last_right = max(i for i, z in enumerate(zones) if "right_of_tape" in z)
    first_left = min(i for i, z in enumerate(zones) if "left_of_tape" in z)
    assert 33 <= last_right < first_left <= 39
    assert all(z == ("left_of_tape",) for z in zones[first_left:])


def test_the_worker_is_stationary_by_the_end_and_not_before_he_stops(observations):
    flags = [o.tracks[0].stationary for o in observations if o.tracks]
    assert flags[-1] is True
    assert not any(flags[:49])
