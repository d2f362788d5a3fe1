import pytest

from tests.scene.helpers import dets
from watcher.scene import LabelVote, merge_cross_class


@pytest.mark.parametrize(
    ("rows", "expected_labels"),
    [
        ([(0, 0, 100, 100, 0.9, "car"), (1, 1, 100, 100, 0.6, "truck")], ["car"]),
        ([(0, 0, 100, 100, 0.5, "car"), (1, 1, 100, 100, 0.8, "truck")], ["truck"]),
        ([(0, 0, 100, 100, 0.9, "car"), (0, 0, 100, 70, 0.8, "truck")], ["car", "truck"]),
        ([(0, 0, 100, 100, 0.9, "person"), (1, 1, 100, 100, 0.8, "person")], ["person", "person"]),
        ([(0, 0, 10, 10, 0.9, "car"), (50, 50, 60, 60, 0.8, "truck")], ["car", "truck"]),
    ],
    ids=["weaker_second", "weaker_first", "iou_0_7_kept", "same_class_kept", "apart_kept"],
)
def test_cross_class_duplicates_keep_only_the_stronger_detection(rows, expected_labels):
    merged = merge_cross_class(dets(*rows))
    assert list(merged.data["class_name"]) == expected_labels


@pytest.mark.parametrize(
    ("votes", "expected"),
    [
        ([("car", 0.9)], "car"),
        ([("car", 0.9), ("truck", 0.5), ("car", 0.8), ("truck", 0.6)], "car"),
        ([("truck", 0.4), ("car", 0.9), ("truck", 0.4), ("truck", 0.4)], "truck"),
        ([("car", 0.5), ("truck", 0.5)], "car"),
    ],
    ids=["single", "flicker", "many_weak_beat_one_strong", "tie_goes_to_first_seen"],
)
def test_label_vote_is_weighted_by_score(votes, expected):
    vote = LabelVote()
    for label, score in votes:
        vote.add(label, score)
    assert vote.label == expected
