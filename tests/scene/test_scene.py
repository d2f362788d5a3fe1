import pytest

from tests.scene.helpers import dets
from watcher.config import TrackerConfig, ZoneConfig
from watcher.scene import Scene

FPS = 5.0
SIZE = (640, 480)
LEFT = ZoneConfig(camera="cam", name="left", points=[(0, 0), (0.5, 0), (0.5, 1), (0, 1)])
DOOR = ZoneConfig(camera="cam", name="door", points=[(0.9, 0.9), (1, 0.9), (1, 1), (0.9, 1)])
OTHER_CAMERA = ZoneConfig(camera="other", name="yard", points=[(0, 0), (1, 0), (1, 1)])


def _scene(tracker_type="bytetrack", min_hits=2, lost_track_s=1.0, stationary_s=1.0):
    config = TrackerConfig(
        type=tracker_type, min_hits=min_hits, lost_track_s=lost_track_s, stationary_s=stationary_s
    )
    return Scene("cam", [LEFT, DOOR, OTHER_CAMERA], config, FPS)


def _person(x, y=100.0, score=0.9, label="person"):
    return (x, y, x + 40.0, y + 80.0, score, label)


def _feed(scene, frames):
    """Feed one detection list per frame (None = detector skipped); returns the observations."""
    return [
        scene.update(i, i / FPS, SIZE, None if rows is None else dets(*rows)) for i, rows in enumerate(frames)
    ]


def _ids(observations):
    return [[t.track_id for t in o.tracks] for o in observations]


@pytest.mark.parametrize("tracker_type", ["bytetrack", "ocsort"])
def test_confident_object_entering_fast_becomes_one_track(tracker_type):
    frames = [[_person(60.0 * i)] for i in range(5)]
    assert _ids(_feed(_scene(tracker_type), frames)) == [[], [1], [1], [1], [1]]


@pytest.mark.parametrize(
    ("min_hits", "expected"), [(1, [[1], [1], [1]]), (2, [[], [1], [1]]), (3, [[], [], [1]])]
)
def test_track_is_reported_from_its_min_hits_detection(min_hits, expected):
    assert _ids(_feed(_scene(min_hits=min_hits), [[_person(100.0)]] * 3)) == expected


def test_weak_detection_alone_does_not_start_a_track():
    assert _ids(_feed(_scene(), [[_person(100.0, score=0.4)]] * 3)) == [[], [], []]


@pytest.mark.parametrize(
    ("reappearance", "expected_id"),
    [(_person(145.0), 1), (_person(145.0, label="car"), 2), (_person(400.0), 2)],
    ids=["same_label_nearby_reuses_the_id", "other_label_is_a_new_object", "far_away_is_a_new_object"],
)
def test_object_lost_briefly_and_found_off_prediction_keeps_its_id(reappearance, expected_id):
    frames = [[_person(100.0)]] * 3 + [[], [], [reappearance], [reappearance]]
    assert _ids(_feed(_scene(), frames))[-1] == [expected_id]


def test_object_found_after_lost_track_s_is_a_new_track():
    frames = [[_person(100.0)]] * 3 + [[]] * 6 + [[_person(100.0)]] * 2
    assert _ids(_feed(_scene(lost_track_s=1.0), frames))[-1] == [2]


def test_detector_skipped_frame_reports_no_tracks_and_empty_zone_counts():
    observation = _feed(_scene(), [None])[0]
    assert (observation.detected, observation.tracks, observation.counts) == (
        False,
        (),
        {"*": {}, "left": {}, "door": {}},
    )


@pytest.mark.parametrize(
    ("skipped", "expected_id"), [(3, 1), (6, 2)], ids=["short_gap", "gap_over_lost_track_s"]
)
def test_skipped_frames_longer_than_lost_track_s_reset_the_tracker(skipped, expected_id):
    frames = [[_person(100.0)]] * 3 + [None] * skipped + [[_person(100.0)]] * 2
    assert _ids(_feed(_scene(lost_track_s=1.0), frames))[-1] == [expected_id]


@pytest.mark.parametrize(("skipped", "expected"), [(0, True), (5, True), (6, False)])
def test_live_tracks_last_lost_track_s_after_the_last_detection(skipped, expected):
    scene = _scene(lost_track_s=1.0)
    _feed(scene, [[_person(100.0)]] * 2 + [None] * skipped)
    assert scene.has_live_tracks is expected


def test_flickering_label_is_voted_per_track():
    scores = [("car", 0.9), ("truck", 0.5), ("car", 0.8), ("truck", 0.6), ("truck", 0.4)]
    frames = [[(100.0, 100.0, 300.0, 200.0, score, label)] for label, score in scores]
    assert [[t.label for t in o.tracks] for o in _feed(_scene(), frames)] == [
        [],
        ["car"],
        ["car"],
        ["car"],
        ["car"],
    ]


def test_two_labels_on_one_box_make_one_track_with_the_stronger_label():
    frame = [(100.0, 100.0, 300.0, 200.0, 0.6, "truck"), (101.0, 100.0, 300.0, 201.0, 0.8, "car")]
    observation = _feed(_scene(), [frame] * 3)[-1]
    assert [(t.track_id, t.label) for t in observation.tracks] == [(1, "car")]


def test_counts_cover_the_whole_frame_and_every_zone_of_the_camera():
    frame = [_person(100.0), _person(200.0), (400.0, 300.0, 600.0, 400.0, 0.9, "car")]
    observation = _feed(_scene(), [frame] * 2)[-1]
    assert observation.counts == {"*": {"car": 1, "person": 2}, "left": {"person": 2}, "door": {}}


def test_track_carries_zones_dwell_and_first_seen():
    frames = [[_person(x)] for x in (400.0, 400.0, 360.0, 300.0, 290.0, 280.0)]
    track = _feed(_scene(), frames)[-1].tracks[0]
    assert (track.zones, track.first_seen, round(track.dwell["left"], 6)) == (("left",), 0.0, 0.4)


def test_parked_car_becomes_stationary_after_stationary_s():
    frames = [[(400.0, 300.0, 600.0, 400.0, 0.9, "car")]] * 8
    flags = [
        [(t.stationary, t.stationary_since) for t in o.tracks]
        for o in _feed(_scene(stationary_s=1.0), frames)
    ]
    assert (
        flags
        == [[], [(False, None)], [(False, None)], [(False, None)], [(False, None)]] + [[(True, 0.0)]] * 3
    )


def test_same_input_gives_the_same_observations():
    frames = [[_person(60.0 * i), _person(500.0 - 20.0 * i, label="car")] for i in range(6)]

    def run():
        return [
            [(t.track_id, t.label, t.box, t.zones, t.stationary, dict(t.dwell)) for t in o.tracks]
            for o in _feed(_scene(), frames)
        ]

    assert run() == run()
