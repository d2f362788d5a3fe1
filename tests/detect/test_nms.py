"""Per-class NMS (OpenCV) and cross-class suppression, with exact expected indices."""

from __future__ import annotations

import numpy as np
import pytest

from watcher.detect import nms_per_class, suppress_cross_class

A = (0, 0, 10, 10)
A_SHIFTED = (1, 0, 11, 10)  # IoU with A = 90/110 = 0.818
A_HALF = (5, 0, 15, 10)  # IoU with A = 50/150 = 0.333
FAR = (100, 100, 110, 110)


def arrays(
    boxes: list[tuple[int, int, int, int]], scores: list[float], classes: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.array(boxes, dtype=np.float32).reshape(-1, 4),
        np.array(scores, dtype=np.float32),
        np.array(classes, dtype=np.intp),
    )


@pytest.mark.parametrize(
    ("boxes", "scores", "classes", "iou", "kept"),
    [
        ([], [], [], 0.45, []),
        ([A], [0.5], [0], 0.45, [0]),
        ([A, A_SHIFTED], [0.9, 0.8], [0, 0], 0.45, [0]),
        ([A, A_SHIFTED], [0.8, 0.9], [0, 0], 0.45, [1]),
        ([A, A_SHIFTED], [0.9, 0.8], [0, 1], 0.45, [0, 1]),
        ([A, A_HALF], [0.9, 0.8], [0, 0], 0.45, [0, 1]),
        ([A, A_HALF], [0.9, 0.8], [0, 0], 0.3, [0]),
        ([FAR, A, A_SHIFTED], [0.3, 0.9, 0.8], [0, 0, 0], 0.45, [1, 0]),
    ],
    ids=[
        "empty",
        "single",
        "overlap_same_class_keeps_higher",
        "order_follows_score",
        "overlap_other_class_keeps_both",
        "below_iou_keeps_both",
        "above_iou_suppresses",
        "result_sorted_by_score",
    ],
)
def test_nms_per_class_keeps_the_expected_boxes(
    boxes: list[tuple[int, int, int, int]],
    scores: list[float],
    classes: list[int],
    iou: float,
    kept: list[int],
) -> None:
    assert nms_per_class(*arrays(boxes, scores, classes), iou).tolist() == kept


@pytest.mark.parametrize(
    ("boxes", "scores", "classes", "kept"),
    [
        ([], [], [], []),
        ([A, A_SHIFTED], [0.88, 0.42], [2, 7], [0]),
        ([A_SHIFTED, A], [0.42, 0.88], [7, 2], [1]),
        ([A, A_HALF], [0.88, 0.42], [2, 7], [0, 1]),
        ([A, A_SHIFTED], [0.88, 0.42], [2, 2], [0, 1]),
        ([A, A_SHIFTED, FAR], [0.9, 0.5, 0.4], [0, 1, 1], [0, 2]),
    ],
    ids=[
        "empty",
        "second_label_on_same_box_dropped",
        "higher_score_wins_whatever_the_order",
        "partial_overlap_of_other_class_kept",
        "same_class_is_left_to_per_class_nms",
        "far_box_of_the_dropped_class_kept",
    ],
)
def test_cross_class_suppression_leaves_one_label_per_object(
    boxes: list[tuple[int, int, int, int]], scores: list[float], classes: list[int], kept: list[int]
) -> None:
    assert suppress_cross_class(*arrays(boxes, scores, classes)).tolist() == kept


def test_a_suppressed_box_does_not_suppress_others() -> None:
    # B (truck) is dropped by A (car); C (car) overlaps B a lot but A only a little, so C stays.
    b_box, c_box = (3, 0, 13, 10), (5, 0, 15, 10)
    kept = suppress_cross_class(*arrays([A, b_box, c_box], [0.9, 0.8, 0.7], [2, 7, 2]), iou=0.5)
    assert kept.tolist() == [0, 2]
