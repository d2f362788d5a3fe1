"""Class-agnostic object masks without a segmentation model: GrabCut seeded by a detector's box.

GrabCut learns a colour model of the object from inside the box and of the background from a margin
around it, then cuts along colour edges. It runs on a downscaled crop (at most `MAX_SIDE` px), so its
cost is bounded per object (about 5-15 ms on one core) whatever the frame size; callers compute it only
for the objects a rule measures.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from watcher.masks.geometry import BoolMask, clip_box
from watcher.types import Box, Image

MAX_SIDE = 96
"""The longest side of the crop GrabCut works on (object plus margin)."""
MARGIN = 0.15
"""Background seed around the box, as a share of the box's width and height."""
ITERATIONS = 3
CORE = 0.3
"""The box minus this share of its width/height on each side seeds GrabCut as certain object."""
MIN_SIDE = 6
"""A box smaller than this (frame px) is filled as a box: too few pixels to model colours."""


def object_mask(image: Image, box: Box, *, grounded: bool = True, max_side: int = MAX_SIDE) -> BoolMask:
    """The object's pixels inside `box` (frame-sized boolean mask), by GrabCut on a downscaled crop.

    `grounded`: the object stands on the ground (a parked car, a parcel), so the strip below its box is
    its own shadow and road, as dark as its tyres: it is left out of the background GrabCut learns
    (on the hand-drawn van IoU 0.74 -> 0.85). An object held in the air is better with it (box 0.82 -> 0.93).
    """
    height, width = image.shape[:2]
    mask = np.zeros((height, width), dtype=bool)
    x1, y1, x2, y2 = clip_box(box, width, height)
    bw, bh = x2 - x1, y2 - y1
    if bw < MIN_SIDE or bh < MIN_SIDE:
        mask[y1:y2, x1:x2] = True
        return mask
    mx, my = max(2, round(bw * MARGIN)), max(2, round(bh * MARGIN))
    cx1, cy1 = max(0, x1 - mx), max(0, y1 - my)
    cx2, cy2 = min(width, x2 + mx), y2 if grounded else min(height, y2 + my)
    crop = image[cy1:cy2, cx1:cx2]
    scale = min(1.0, max_side / max(crop.shape[:2]))
    small = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else crop
    sh, sw = small.shape[:2]
    # The rectangle leaves background pixels on each side GrabCut learns from (below only if not grounded).
    rx1 = min(max(1, round((x1 - cx1) * scale)), sw - 2)
    ry1 = min(max(1, round((y1 - cy1) * scale)), sh - 2)
    rx2 = max(rx1 + 1, min(sw - 1, round((x2 - cx1) * scale)))
    ry2 = max(ry1 + 1, min(sh if cy2 == y2 else sh - 1, round((y2 - cy1) * scale)))
    labels = np.full((sh, sw), cv2.GC_BGD, np.uint8)
    labels[ry1:ry2, rx1:rx2] = cv2.GC_PR_FGD
    # A detector's box is centred on its object: the middle of the box is the object for sure.
    kx, ky = round((rx2 - rx1) * CORE), round((ry2 - ry1) * CORE)
    labels[ry1 + ky : ry2 - ky, rx1 + kx : rx2 - kx] = cv2.GC_FGD
    background, foreground = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    small = np.ascontiguousarray(small, dtype=np.uint8)
    # GrabCut seeds its colour models with OpenCV's global RNG: reseed, so a frame always gives one mask.
    cv2.setRNGSeed(0)
    cv2.grabCut(small, labels, (0, 0, 0, 0), background, foreground, ITERATIONS, cv2.GC_INIT_WITH_MASK)
    object_small = _filled(((labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)).astype(np.uint8))
    full = cv2.resize(object_small, (cx2 - cx1, cy2 - cy1), interpolation=cv2.INTER_NEAREST) > 0
    mask[cy1:cy2, cx1:cx2] = full
    outside = np.ones_like(mask)
    outside[y1:y2, x1:x2] = False
    mask[outside] = False
    if not mask.any():
        # GrabCut found no object (a box of one flat colour): the box is the best estimate left.
        mask[y1:y2, x1:x2] = True
    return mask


def _filled(mask: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """The mask with its holes filled: dark windows and a logo belong to the object they are in."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros_like(mask)
    cv2.drawContours(filled, contours, -1, 1, thickness=cv2.FILLED)
    return filled
