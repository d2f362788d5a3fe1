"""Non-maximum suppression: per class (OpenCV) and across classes (one label per object)."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float32]

CROSS_CLASS_IOU = 0.8
"""A box overlapping a higher-scoring box of another class by more than this is a second label."""


def nms_per_class(xyxy: FloatArray, scores: FloatArray, class_ids: IntArray, iou: float) -> IntArray:
    """Indices of the boxes kept by class-aware NMS (IoU > `iou` suppresses), highest score first."""
    if len(xyxy) == 0:
        return np.empty(0, dtype=np.intp)
    xywh = np.empty((len(xyxy), 4), dtype=np.float64)
    xywh[:, :2] = xyxy[:, :2]
    xywh[:, 2:] = xyxy[:, 2:] - xyxy[:, :2]
    keep = cv2.dnn.NMSBoxesBatched(xywh.tolist(), scores.tolist(), class_ids.tolist(), 0.0, iou)
    kept = np.asarray(keep, dtype=np.intp).reshape(-1)
    return kept[np.argsort(-scores[kept], kind="stable")]


def box_iou(box: FloatArray, boxes: FloatArray) -> FloatArray:
    """IoU of one xyxy box with each of `boxes`."""
    x1 = np.maximum(box[0], boxes[:, 0])
    y1 = np.maximum(box[1], boxes[:, 1])
    x2 = np.minimum(box[2], boxes[:, 2])
    y2 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = area + areas - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0).astype(np.float32)


def suppress_cross_class(
    xyxy: FloatArray, scores: FloatArray, class_ids: IntArray, iou: float = CROSS_CLASS_IOU
) -> IntArray:
    """Indices kept after dropping boxes that overlap a kept, higher-scoring box of another class.

    Per-class NMS leaves e.g. `car 0.88` and `truck 0.42` on one vehicle; this keeps only the car.
    """
    order = np.argsort(-scores, kind="stable")
    kept: list[int] = []
    for index in order:
        if kept:
            others = np.asarray(kept, dtype=np.intp)
            overlaps = box_iou(xyxy[index], xyxy[others]) > iou
            if np.any(overlaps & (class_ids[others] != class_ids[index])):
                continue
        kept.append(int(index))
    return np.asarray(kept, dtype=np.intp)
