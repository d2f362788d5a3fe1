"""Masks from polygons and boxes, and how well two masks agree (intersection over union)."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from watcher.types import Box

BoolMask = npt.NDArray[np.bool_]


def clip_box(box: Box, width: int, height: int) -> tuple[int, int, int, int]:
    """A float box as whole pixels inside a `width` x `height` frame (x2, y2 exclusive)."""
    x1, y1, x2, y2 = (round(float(v)) for v in box)
    return max(0, min(x1, width)), max(0, min(y1, height)), max(0, min(x2, width)), max(0, min(y2, height))


def polygon_mask(points: npt.ArrayLike, size: tuple[int, int]) -> BoolMask:
    """Pixels inside a polygon given in frame pixels (n x 2, rounded); `size` is (width, height)."""
    width, height = size
    canvas = np.zeros((height, width), dtype=np.uint8)
    cv2.fillPoly(canvas, [np.round(np.asarray(points, dtype=np.float64)).astype(np.int32)], 1)
    mask: BoolMask = canvas > 0
    return mask


def iou(a: BoolMask, b: BoolMask) -> float:
    """Intersection over union of two masks of the same shape (1.0 when both are empty)."""
    union = int(np.count_nonzero(a | b))
    return 1.0 if union == 0 else int(np.count_nonzero(a & b)) / union
