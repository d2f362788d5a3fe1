import numpy as np
import pytest

from watcher.config import ZoneConfig
from watcher.scene import ZoneSet, anchor_points, pixel_polygon

SIZE = (200, 100)
BOTTOM_HALF = ZoneConfig(camera="c", name="bottom", points=[(0, 0.5), (1, 0.5), (1, 1), (0, 1)])
LEFT_HALF = ZoneConfig(camera="c", name="left", points=[(0, 0), (0.5, 0), (0.5, 1), (0, 1)])


def test_relative_polygon_scales_to_frame_pixels():
    assert pixel_polygon([(0, 0), (0.5, 0.25), (1, 1)], SIZE).tolist() == [[0, 0], [100, 25], [200, 100]]


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [("bottom_center", [30.0, 40.0]), ("center", [30.0, 30.0]), ("top_center", [30.0, 20.0])],
)
def test_anchor_point_of_a_box(anchor, expected):
    assert anchor_points(np.array([[20.0, 20.0, 40.0, 40.0]]), anchor, SIZE).tolist() == [expected]


def test_anchor_on_the_bottom_right_edge_is_clamped_into_the_frame():
    assert anchor_points(np.array([[180.0, 50.0, 200.0, 100.0]]), "bottom_center", SIZE).tolist() == [
        [190.0, 99.0]
    ]


@pytest.mark.parametrize(
    ("box", "expected"),
    [
        ((10, 10, 30, 40), [False, True]),
        ((10, 60, 30, 90), [True, True]),
        ((150, 60, 170, 100), [True, False]),
        ((150, 0, 170, 49), [False, False]),
        ((80, 60, 120, 100), [True, True]),
    ],
    ids=["top_left", "bottom_left", "touching_bottom_edge", "top_right", "on_the_left_border"],
)
def test_box_is_in_the_zones_its_anchor_is_in(box, expected):
    zones = ZoneSet([BOTTOM_HALF, LEFT_HALF])
    assert zones.contains(np.array([box], dtype=float), SIZE)[0].tolist() == expected


def test_box_touching_the_bottom_edge_is_inside_a_zone_reaching_that_edge_at_any_frame_size():
    zones = ZoneSet([BOTTOM_HALF])
    assert zones.contains(np.array([[0.0, 300.0, 40.0, 480.0]]), (640, 480))[0].tolist() == [True]
    assert zones.contains(np.array([[0.0, 60.0, 40.0, 100.0]]), SIZE)[0].tolist() == [True]


def test_no_boxes_give_an_empty_membership_matrix():
    assert ZoneSet([BOTTOM_HALF, LEFT_HALF]).contains(np.empty((0, 4)), SIZE).shape == (0, 2)
