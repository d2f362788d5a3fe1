"""Label hygiene: merge cross-class duplicates before tracking, vote a stable label per track."""

from __future__ import annotations

from typing import cast

import numpy as np
import numpy.typing as npt
import supervision as sv

CLASS_NAME = "class_name"
"""`Detections.data` key holding each detection's label (what supervision calls `class_name`)."""

DUPLICATE_IOU = 0.8
"""Two boxes of different classes overlapping more than this are one object labelled twice."""


def labels_of(detections: sv.Detections) -> list[str]:
    """Each detection's label: `data["class_name"]`, else the class id as text."""
    names = detections.data.get(CLASS_NAME)
    if names is not None:
        return [str(n) for n in names]
    if detections.class_id is not None:
        return [str(int(c)) for c in detections.class_id]
    return ["object"] * len(detections)


def scores_of(detections: sv.Detections) -> npt.NDArray[np.float64]:
    """Each detection's confidence; 1.0 where the detector gave none."""
    if detections.confidence is None:
        return np.ones(len(detections), dtype=np.float64)
    return np.asarray(detections.confidence, dtype=np.float64)


def merge_cross_class(detections: sv.Detections, iou_threshold: float = DUPLICATE_IOU) -> sv.Detections:
    """Drop the weaker of two differently labelled detections whose boxes overlap above `iou_threshold`.

    Per-class NMS leaves e.g. `car` and `truck` on one vehicle; tracking both makes two tracks.
    The stronger detection survives and its label is the one that votes. Order is kept.
    """
    if len(detections) < 2:
        return detections
    labels = labels_of(detections)
    scores = scores_of(detections)
    iou = sv.box_iou_batch(detections.xyxy, detections.xyxy)
    order = sorted(range(len(detections)), key=lambda i: (-scores[i], i))
    kept: list[int] = []
    for i in order:
        if not any(labels[k] != labels[i] and iou[i, k] > iou_threshold for k in kept):
            kept.append(i)
    if len(kept) == len(detections):
        return detections
    return cast(sv.Detections, detections[np.array(sorted(kept), dtype=int)])


class LabelVote:
    """A track's label by score-weighted vote over its detections, so one-frame flicker does not stick."""

    def __init__(self) -> None:
        self._weights: dict[str, float] = {}

    def add(self, label: str, score: float) -> None:
        """Count one detection of `label` with confidence `score`."""
        self._weights[label] = self._weights.get(label, 0.0) + max(score, 1e-6)

    @property
    def label(self) -> str:
        """The label with the most weight; on a tie the one seen first."""
        if not self._weights:
            raise ValueError("no votes yet")
        return max(self._weights, key=lambda k: self._weights[k])

    @property
    def labels(self) -> frozenset[str]:
        """Every label this track has been detected as."""
        return frozenset(self._weights)
