import pytest

from watcher.scene import Stationarity

SIZE = (640, 480)
STEP = 0.5


def _box(x: float, y: float = 100.0, w: float = 100.0, h: float = 100.0) -> tuple[float, float, float, float]:
    return (x, y, x + w, y + h)


def _run(boxes, still_s=1.0, tolerance=0.1):
    stillness = Stationarity(still_s, tolerance)
    return [stillness.update(i * STEP, box, SIZE) for i, box in enumerate(boxes)]


@pytest.mark.parametrize(
    ("boxes", "expected"),
    [
        ([_box(100)] * 5, [False, False, True, True, True]),
        ([_box(100), _box(105), _box(96), _box(104), _box(97)], [False, False, True, True, True]),
        ([_box(100 + 30 * i) for i in range(5)], [False] * 5),
        (
            [_box(100), _box(100), (100, 100, 150, 200), (100, 100, 150, 200), (100, 100, 150, 200)],
            [False, False, True, True, True],
        ),
        (
            [
                (300, 100, 400, 200),
                (300, 100, 400, 200),
                (250, 100, 400, 200),
                (250, 100, 400, 200),
                (300, 100, 400, 200),
            ],
            [False, False, True, True, True],
        ),
        ([(100, 480 - 50 * (i + 1), 200, 480) for i in range(5)], [False] * 5),
        ([(0, 100, 50 + 40 * i, 200) for i in range(5)], [False] * 5),
        ([_box(100 + 30 * min(i, 2)) for i in range(7)], [False, False, False, False, False, True, True]),
        ([(100, 100 - 8 * i, 200 + 8 * i, 200) for i in range(5)], [False, False, True, True, True]),
        ([(100, 100, 200, 200 - 15 * i) for i in range(5)], [False] * 5),
        ([(100 - 15 * i, 100 - 15 * i, 200 + 15 * i, 200 + 15 * i) for i in range(5)], [False] * 5),
    ],
    ids=[
        "standing_still",
        "jitter_within_tolerance",
        "walking",
        "right_side_occluded",
        "left_side_occluded_then_clear",
        "car_driving_in_from_bottom_edge",
        "car_driving_in_from_left_edge",
        "walks_then_stops",
        "box_growing_at_the_top_right_corner",
        "walking_away_moves_only_the_bottom_edge",
        "approaching_box_grows_on_both_sides",
    ],
)
def test_stationary_flags_per_frame(boxes, expected):
    assert [flag for flag, _ in _run(boxes)] == expected


@pytest.mark.parametrize(
    ("boxes", "expected_since"),
    [
        ([_box(100)] * 5, 0.0),
        ([_box(100 + 30 * min(i, 2)) for i in range(7)], 1.5),
    ],
    ids=["still_from_the_start", "still_once_the_smoothed_box_settles"],
)
def test_stationary_since_is_when_the_object_became_still(boxes, expected_since):
    assert _run(boxes)[-1] == (True, expected_since)


def test_not_stationary_reports_no_since():
    assert _run([_box(100)])[0] == (False, None)


def test_zero_still_time_is_stationary_at_once():
    assert _run([_box(100)], still_s=0.0)[0] == (True, 0.0)
