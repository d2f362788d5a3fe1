"""Non-maximum suppression: per class (OpenCV) and across classes (one label per object)."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
import supervision as sv

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
    iou: FloatArray = sv.box_iou_batch(box[None, :], boxes)[0]
    return iou


def suppress_cross_class(
    xyxy: FloatArray, scores: FloatArray, class_ids: IntArray, iou: float = CROSS_CLASS_IOU
) -> IntArray:
    """Indices kept after dropping boxes that overlap a kept, higher-scoring box of another class.

    Per-class NMS leaves e.g. `car 0.88` and `truck 0.42` on one vehicle; this keeps only the car.
    """
    order = np.argsort(-scores, kind="stable")
    # One IoU matrix up front; the greedy pass below then only reads booleans.
    clash = (sv.box_iou_batch(xyxy, xyxy) > iou) & (class_ids[:, None] != class_ids[None, :])
    if not clash.any():
        return order.astype(np.intp)
    kept: list[int] = []
    for index in order.tolist():
        if not clash[index, kept].any():
            kept.append(index)
    return np.asarray(kept, dtype=np.intp)
