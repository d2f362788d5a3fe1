from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from watcher import config
from watcher.errors import ConfigError
from watcher.ground import GroundError, GroundPlane
from watcher.scene.ground_facts import GroundAnalyzer
from watcher.types import Frame, Observation, Track

# A 4 m x 8 m rectangle seen in perspective: the far edge (top of the image) looks narrower.
IMAGE = [(0.3, 0.2), (0.7, 0.2), (0.9, 0.9), (0.1, 0.9)]
WORLD = [(0.0, 8.0), (4.0, 8.0), (4.0, 0.0), (0.0, 0.0)]
SIZE = (1000, 500)


@pytest.fixture
def plane() -> GroundPlane:
    return GroundPlane(IMAGE, WORLD)


def test_calibration_points_map_to_their_world_points(plane: GroundPlane) -> None:
    pixels = [(x * SIZE[0], y * SIZE[1]) for x, y in IMAGE]
    assert plane.to_world(pixels, SIZE) == pytest.approx(np.array(WORLD), abs=1e-6)


def test_exact_points_have_no_reprojection_error(plane: GroundPlane) -> None:
    assert plane.reprojection_error() == pytest.approx(0.0, abs=1e-6)


def test_the_frame_size_does_not_change_world_positions(plane: GroundPlane) -> None:
    small = plane.to_world([(500.0, 250.0)], SIZE)
    large = plane.to_world([(1000.0, 500.0)], (2000, 1000))
    assert small == pytest.approx(large)


def test_distance_along_the_near_edge_is_its_width(plane: GroundPlane) -> None:
    assert plane.distance((100.0, 450.0), (900.0, 450.0), SIZE) == pytest.approx(4.0)


def test_polygon_area_of_the_calibration_rectangle_is_32_m2(plane: GroundPlane) -> None:
    pixels = [(x * SIZE[0], y * SIZE[1]) for x, y in IMAGE]
    assert plane.polygon_area(pixels, SIZE) == pytest.approx(32.0)


def test_mask_area_sums_ground_under_each_pixel(plane: GroundPlane) -> None:
    # The pixel-wise Jacobian must agree with the exact polygon area of the same region.
    import cv2

    canvas = np.zeros((SIZE[1], SIZE[0]), dtype=np.uint8)
    polygon = np.array([(x * SIZE[0], y * SIZE[1]) for x, y in IMAGE], dtype=np.int32)
    cv2.fillPoly(canvas, [polygon], 1)
    assert plane.mask_area(canvas > 0, SIZE) == pytest.approx(32.0, rel=0.01)


def test_long_axis_of_a_kerb_zone_runs_along_its_long_side(plane: GroundPlane) -> None:
    pixels = [(x * SIZE[0], y * SIZE[1]) for x, y in IMAGE]
    (ax, ay), (bx, by) = plane.long_axis(pixels, SIZE)
    assert (abs(bx - ax), abs(by - ay)) == (pytest.approx(0.0, abs=1e-3), pytest.approx(8.0, abs=1e-3))


@pytest.mark.parametrize(
    ("image", "world", "message"),
    [
        pytest.param(IMAGE[:3], WORLD[:3], "needs at least 4 point pairs", id="three_points"),
        pytest.param(IMAGE, WORLD[:3], "4 image points but 3 world points", id="unpaired"),
        pytest.param(
            [(0.1, 0.1), (0.2, 0.2), (0.3, 0.3), (0.5, 0.9)],
            WORLD,
            "image points 1, 2 and 3 lie on one line",
            id="collinear_image_points",
        ),
        pytest.param(
            IMAGE, [(0, 0), (1, 0), (2, 0), (0, 5)], "world points 1, 2 and 3", id="collinear_world"
        ),
        pytest.param(
            [(0.1, 0.1), (0.2, 0.2), (0.3, 0.3), (0.4, 0.4), (0.5, 0.5)],
            [(0, 0), (1, 0), (2, 1), (0, 5), (3, 3)],
            "image points all lie on one line",
            id="five_on_a_line",
        ),
    ],
)
def test_bad_points_are_refused(image: Any, world: Any, message: str) -> None:
    with pytest.raises(GroundError, match=message):
        GroundPlane(image, world)


def camera_toml(image: Any) -> str:
    return f"""
[[cameras]]
name = "street"
url = "demo"
ground_plane = {{ image_points = {image}, world_points = {[list(p) for p in WORLD]} }}
"""


def test_config_ground_plane_loads() -> None:
    cfg = config.loads(camera_toml([list(p) for p in IMAGE]))
    plane = cfg.cameras[0].ground_plane
    assert plane is not None
    assert plane.world_points == WORLD


@pytest.mark.parametrize(
    ("image", "message"),
    [
        pytest.param(
            [[0.1, 0.1], [0.2, 0.2], [0.3, 0.3], [0.5, 0.9]],
            "config.toml: cameras[0].ground_plane: image points 1, 2 and 3 lie on one line (degenerate)",
            id="degenerate",
        ),
        pytest.param(
            [[0.1, 0.1], [0.2, 0.2], [0.3, 0.3]],
            "config.toml: cameras[0].ground_plane.image_points: needs at least 4 item(s) (got 3)",
            id="too_few",
        ),
        pytest.param(
            [[0.1, 0.1], [0.2, 1.2], [0.3, 0.3], [0.5, 0.9]],
            "config.toml: cameras[0].ground_plane.image_points: "
            "must be relative coordinates in 0..1 (got [0.2, 1.2])",
            id="not_relative",
        ),
    ],
)
def test_config_ground_plane_errors_name_the_key(image: Any, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config.loads(camera_toml(image))
    assert str(caught.value) == message


def test_ground_analyzer_places_tracks_and_zone_axes(plane: GroundPlane) -> None:
    zone = config.ZoneConfig(camera="street", name="kerb", points=IMAGE)
    track = Track(1, "car", 0.9, (100.0, 300.0, 900.0, 450.0))
    obs = Observation("street", 0, 0.0, SIZE, (track,), {})
    frame = Frame("street", 0, 0.0, np.zeros((SIZE[1], SIZE[0], 3), dtype=np.uint8))
    placed = GroundAnalyzer(plane, [zone]).analyze(frame, obs)
    moved = placed.tracks[0]
    assert moved.ground == pytest.approx((2.0, 0.0), abs=1e-6)
    assert moved.footprint is not None
    assert np.hypot(*np.subtract(moved.footprint[1], moved.footprint[0])) == pytest.approx(4.0)
    (ax, ay), (bx, by) = placed.zone_axes["kerb"]
    assert np.hypot(bx - ax, by - ay) == pytest.approx(8.0, abs=1e-3)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        pytest.param(
            'kind = "occupancy"\nzone = "kerb"\nmeasure = "length_m"',
            "rules[0].measure: 'length_m' needs a ground_plane on camera 'street' (see `watcher calibrate`)",
            id="kerb_metres",
        ),
        pytest.param(
            'kind = "area"\nhsv = { lower = [0, 0, 0], upper = [10, 255, 255] }\nmeasure = "m2"',
            "rules[0].measure: 'm2' needs a ground_plane on camera 'street' (see `watcher calibrate`)",
            id="square_metres",
        ),
    ],
)
def test_metric_measures_need_a_ground_plane(rule: str, message: str) -> None:
    text = (
        '[[cameras]]\nname = "street"\nurl = "demo"\n'
        '[[zones]]\ncamera = "street"\nname = "kerb"\npoints = [[0, 0], [1, 0], [1, 1]]\n'
        f'[[rules]]\nname = "r"\ncamera = "street"\n{rule}\n'
    )
    with pytest.raises(ConfigError) as caught:
        config.loads(text)
    assert str(caught.value) == f"config.toml: {message}"


def test_a_calibrated_camera_with_an_area_rule_gets_the_ground_and_area_analyzers() -> None:
    from watcher.analyzers import build_analyzers
    from watcher.rules.kinds.area_mask import AreaAnalyzer

    text = camera_toml([list(p) for p in IMAGE]) + (
        '[[rules]]\nname = "r"\nkind = "area"\ncamera = "street"\n'
        "hsv = { lower = [0, 0, 0], upper = [10, 255, 255] }\n"
    )
    cfg = config.loads(text)
    kinds = [type(a) for a in build_analyzers(cfg.cameras[0], cfg, None)]
    assert kinds[:2] == [GroundAnalyzer, AreaAnalyzer]
