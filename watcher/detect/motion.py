"""Motion gate: running-average background on a small grey frame, so idle frames skip detection."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from watcher.config import MotionConfig
from watcher.types import Box, Image


@dataclass(frozen=True, slots=True)
class MotionResult:
    """Moving fraction of the downscaled frame and the largest moving regions in frame pixels."""

    fraction: float
    boxes: tuple[Box, ...] = ()


class MotionGate:
    """Blurred grey frame vs a running-average background, with global brightness changes removed.

    `alpha` is the background learning rate per update; the median frame-to-background offset is
    subtracted first, so slow (or sudden, global) lighting changes do not count as motion.
    """

    def __init__(self, cfg: MotionConfig, *, alpha: float = 0.05, max_boxes: int = 5) -> None:
        self.cfg = cfg
        self.alpha = alpha
        self.max_boxes = max_boxes
        self._background: npt.NDArray[np.float32] | None = None
        self._frame_size = (0, 0)
        self._small_size = (0, 0)
        self._kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))

    def reset(self) -> None:
        """Forget the background (e.g. after the camera reconnects)."""
        self._background = None

    def _grey(self, image: Image) -> npt.NDArray[np.float32]:
        height, width = image.shape[:2]
        if (width, height) != self._frame_size:
            small_w = min(self.cfg.width, width)
            self._small_size = (small_w, max(1, round(height * small_w / width)))
            self._frame_size = (width, height)
            self._background = None
        # INTER_AREA costs ~2 ms at non-integer factors; bilinear then blur is ~20x cheaper and as smooth.
        small = cv2.resize(image, self._small_size, interpolation=cv2.INTER_LINEAR)
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
        return cv2.GaussianBlur(grey, (5, 5), 0).astype(np.float32)

    def update(self, image: Image) -> MotionResult:
        """Compare `image` with the background, then learn it; the first frame has no motion."""
        grey = self._grey(image)
        if self._background is None:
            self._background = grey
            return MotionResult(0.0)
        diff = grey - self._background
        offset = float(np.median(diff[::4, ::4]))
        mask = (np.abs(diff - offset) > self.cfg.threshold).astype(np.uint8)
        cv2.accumulateWeighted(grey, self._background, self.alpha)
        moving = int(cv2.countNonZero(mask))
        if moving == 0:
            return MotionResult(0.0)
        return MotionResult(moving / mask.size, self._boxes(mask))

    def _boxes(self, mask: npt.NDArray[np.uint8]) -> tuple[Box, ...]:
        grown = cv2.dilate(mask, self._kernel)
        count, _, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
        order = np.argsort(-stats[1:count, cv2.CC_STAT_AREA])[: self.max_boxes] + 1
        scale_x = self._frame_size[0] / self._small_size[0]
        scale_y = self._frame_size[1] / self._small_size[1]
        return tuple(
            (
                float(x * scale_x),
                float(y * scale_y),
                float((x + w) * scale_x),
                float((y + h) * scale_y),
            )
            for x, y, w, h in stats[order, :4].tolist()
        )

    def is_open(self, result: MotionResult) -> bool:
        """True when enough of the frame moved to run detection."""
        return result.fraction >= self.cfg.min_fraction
