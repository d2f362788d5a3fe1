from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import supervision as sv

from watcher.analyzers import build_analyzers
from watcher.config import AreaRule, Config, TrackerConfig, ZoneConfig
from watcher.ground import GroundPlane
from watcher.rules.kinds.area_mask import AreaAnalyzer, area_analyzers, colour_mask
from watcher.rules.spec import HsvRange
from watcher.scene import Scene
from watcher.types import AreaMeasure, Frame, Observation, Track

YELLOW = HsvRange(lower=(20, 100, 100), upper=(35, 255, 255))
RED = HsvRange(lower=(170, 100, 100), upper=(10, 255, 255))
ZONE = ZoneConfig(camera="cam", name="lawn", points=[(0.0, 0.0), (0.5, 0.0), (0.5, 1.0), (0.0, 1.0)])


def frame_with(colour: tuple[int, int, int], box: tuple[int, int, int, int]) -> Frame:
    """A 200x100 black frame with one filled BGR rectangle."""
    image = np.zeros((100, 200, 3), dtype=np.uint8)
    x1, y1, x2, y2 = box
    image[y1:y2, x1:x2] = colour
    return Frame("cam", 0, 0.0, image)


def observation(*tracks: Track) -> Observation:
    return Observation("cam", 0, 0.0, (200, 100), tracks, {})


def area_rule(**fields: object) -> AreaRule:
    return AreaRule.model_validate({"name": "r", "kind": "area", "camera": "cam", "zone": "lawn", **fields})


@pytest.mark.parametrize(
    ("hsv", "bgr", "pixels"),
    [
        pytest.param(YELLOW, (0, 255, 255), 400, id="yellow_in_yellow_range"),
        pytest.param(YELLOW, (255, 0, 0), 0, id="blue_outside_yellow_range"),
        pytest.param(RED, (0, 0, 255), 400, id="red_through_the_hue_wrap"),
    ],
)
def test_colour_mask_selects_the_hsv_range(hsv: HsvRange, bgr: tuple[int, int, int], pixels: int) -> None:
    assert int(colour_mask(frame_with(bgr, (10, 10, 30, 30)).image, hsv).sum()) == pixels


def test_area_counts_only_the_part_inside_the_zone() -> None:
    # 40x10 px from x = 80; the zone covers x = 0..100 with its edge column, so 21 columns are in it.
    frame = frame_with((0, 255, 255), (80, 0, 120, 10))
    obs = AreaAnalyzer([area_rule(hsv=YELLOW.model_dump())], [ZONE]).analyze(frame, observation())
    assert obs.facts == {"r": AreaMeasure(px=210.0, fraction=210.0 / (101 * 100), m2=None)}


def test_instance_masks_of_the_rule_classes_are_measured() -> None:
    mask = np.zeros((100, 200), dtype=bool)
    mask[10:20, 10:30] = True
    tracks = (
        Track(1, "car", 0.9, (10.0, 10.0, 30.0, 20.0), mask=mask),
        Track(2, "person", 0.9, (40.0, 40.0, 60.0, 60.0)),
    )
    obs = AreaAnalyzer([area_rule(classes=["car"], zone=None)], [ZONE]).analyze(
        frame_with((0, 0, 0), (0, 0, 0, 0)), observation(*tracks)
    )
    assert obs.facts["r"].px == 200.0


def test_a_track_without_a_mask_is_cut_out_of_its_box_by_colour() -> None:
    # A yellow 16x12 object in a loose 24x20 box on black: GrabCut keeps the object, not the box.
    track = Track(1, "car", 0.9, (6.0, 6.0, 30.0, 26.0))
    obs = AreaAnalyzer([area_rule(classes=["car"], zone=None)], [ZONE]).analyze(
        frame_with((0, 255, 255), (10, 10, 26, 22)), observation(track)
    )
    assert obs.facts["r"].px == 16 * 12


def test_a_rule_is_measured_at_its_own_rate_and_holds_its_value_in_between() -> None:
    analyzer = AreaAnalyzer([area_rule(hsv=YELLOW.model_dump(), check_every_s=5.0)], [ZONE])
    yellow = frame_with((0, 255, 255), (10, 10, 30, 30))
    black = frame_with((0, 0, 0), (0, 0, 0, 0))
    measured = [
        analyzer.analyze(dataclasses.replace(image, timestamp=t), observation()).facts["r"].px  # type: ignore[attr-defined]
        for image, t in ((yellow, 0.0), (black, 1.0), (black, 4.9), (black, 5.0))
    ]
    assert measured == [400.0, 400.0, 400.0, 0.0]


def test_with_a_ground_plane_the_area_is_in_square_metres() -> None:
    # 1 px = 10 cm: the whole 200x100 frame is 20 m x 10 m.
    plane = GroundPlane([(0, 0), (1, 0), (1, 1), (0, 1)], [(0, 0), (20, 0), (20, 10), (0, 10)])
    frame = frame_with((0, 255, 255), (10, 10, 30, 30))
    obs = AreaAnalyzer([area_rule(hsv=YELLOW.model_dump(), zone=None)], [ZONE], plane).analyze(
        frame, observation()
    )
    assert obs.facts["r"].m2 == pytest.approx(4.0)


def test_scene_hands_segmentation_masks_to_the_tracks() -> None:
    scene = Scene("cam", [], TrackerConfig(min_hits=1), detect_fps=5)
    mask = np.zeros((1, 100, 200), dtype=bool)
    mask[0, 10:20, 10:30] = True
    detections = sv.Detections(
        xyxy=np.array([[10.0, 10.0, 30.0, 20.0]], dtype=np.float32),
        confidence=np.array([0.9], dtype=np.float32),
        class_id=np.array([0]),
        mask=mask,
        data={"class_name": np.array(["car"])},
    )
    obs = scene.update(0, 0.0, (200, 100), detections)
    assert obs.tracks[0].mask is not None
    assert np.array_equal(obs.tracks[0].mask, mask[0])


def test_a_covered_occupancy_rule_measures_only_still_objects() -> None:
    cfg = Config.model_validate(
        {
            "cameras": [{"name": "cam", "url": "demo"}],
            "rules": [{"name": "kerb", "kind": "occupancy", "camera": "cam", "measure": "covered"}],
        }
    )
    (analyzer,) = area_analyzers(cfg.cameras[0], cfg)
    frame = frame_with((0, 255, 255), (10, 10, 26, 22))
    moving = Track(1, "car", 0.9, (6.0, 6.0, 30.0, 26.0))
    still = dataclasses.replace(moving, stationary=True, stationary_since=0.0)
    assert analyzer.analyze(frame, observation(moving)).facts["kerb"].px == 0.0
    later = dataclasses.replace(frame, timestamp=1.0)
    assert analyzer.analyze(later, observation(still)).facts["kerb"].px == 16 * 12


def test_a_measure_keeps_no_mask_unless_something_draws_it() -> None:
    frame = frame_with((0, 255, 255), (80, 0, 120, 10))
    obs = AreaAnalyzer([area_rule(hsv=YELLOW.model_dump())], [ZONE]).analyze(frame, observation())
    assert obs.facts["r"].mask is None  # type: ignore[attr-defined]


def test_a_measure_kept_for_drawing_holds_the_pixels_it_counted() -> None:
    frame = frame_with((0, 255, 255), (80, 0, 120, 10))
    analyzer = AreaAnalyzer([area_rule(hsv=YELLOW.model_dump())], [ZONE], keep_masks=True)
    measured = analyzer.analyze(frame, observation()).facts["r"]
    expected = np.zeros((100, 200), dtype=bool)
    expected[0:10, 80:101] = True
    assert isinstance(measured, AreaMeasure)
    assert measured.mask is not None
    assert np.array_equal(measured.mask, expected)
    assert measured.px == 210.0


@pytest.mark.parametrize("keep_masks", [False, True])
def test_build_analyzers_hands_keep_masks_to_the_area_analyzer(keep_masks: bool) -> None:
    cfg = Config.model_validate(
        {
            "cameras": [{"name": "cam", "url": "demo"}],
            "zones": [ZONE.model_dump()],
            "rules": [
                {"name": "r", "kind": "area", "camera": "cam", "zone": "lawn", "hsv": YELLOW.model_dump()}
            ],
        }
    )
    (analyzer,) = build_analyzers(cfg.cameras[0], cfg, None, keep_masks=keep_masks)
    obs = analyzer.analyze(frame_with((0, 255, 255), (80, 0, 120, 10)), observation())
    assert (obs.facts["r"].mask is not None) is keep_masks  # type: ignore[attr-defined]
