"""Is a tracked object standing still? Robust to boxes that jitter or change shape under occlusion."""

from __future__ import annotations

from collections import deque
from statistics import median

from watcher.types import Box

SMOOTHING_S = 0.5
"""Boxes are median-smoothed over this many seconds, so one-frame jitter never counts as movement."""

_BORDER_PX = 2.0
"""An edge this close to the frame border is cut by it, not a real edge of the object."""


class Stationarity:
    """Stillness of one track: the smoothed box is compared with a reference box held while still.

    The object counts as still while its bottom edge (where it meets the ground) and at least one of
    its side edges stay within `tolerance * max(w, h)` of the reference. A person walking past a
    parked car moves one side of the car's box, never both; someone walking away from the camera
    keeps a side and the top of the box almost in place but moves the bottom. An edge on the frame
    border says nothing (a car driving in keeps its cut edge there), so the top edge stands in for
    a cut bottom, and the centre for an axis cut on both sides. Stationary once still for `still_s`;
    `since` is when it became still.
    """

    def __init__(self, still_s: float, tolerance: float, smoothing_s: float = SMOOTHING_S) -> None:
        self._still_s = still_s
        self._tolerance = tolerance
        self._smoothing_s = smoothing_s
        self._recent: deque[tuple[float, Box]] = deque()
        self._reference: tuple[float, float, float, float] | None = None
        self._still_since = 0.0

    def update(self, t: float, box: Box, frame_size: tuple[int, int]) -> tuple[bool, float | None]:
        """Add the box seen at `t`; returns (stationary, stationary_since or None)."""
        self._recent.append((t, box))
        while self._recent[0][0] < t - self._smoothing_s:
            self._recent.popleft()
        # A handful of boxes per track and frame: the stdlib median beats numpy's per-call overhead here.
        x1, y1, x2, y2 = (median([b[k] for _, b in self._recent]) for k in range(4))
        current = (x1, y1, x2, y2)
        if self._reference is None or not self._near(current, self._reference, frame_size):
            self._reference = current
            self._still_since = t
        if t - self._still_since >= self._still_s:
            return True, self._still_since
        return False, None

    def _near(self, box: Box, reference: Box, frame_size: tuple[int, int]) -> bool:
        allowed = self._tolerance * max(reference[2] - reference[0], reference[3] - reference[1], 1.0)
        w, h = frame_size
        sides = [(box[0], reference[0]), (box[2], reference[2])]
        bottom_first = [(box[3], reference[3]), (box[1], reference[1])]
        side_shifts = [abs(a - b) for a, b in sides if _interior(a, b, w)]
        ground_shifts = [abs(a - b) for a, b in bottom_first if _interior(a, b, h)][:1]
        x_shift = min(side_shifts) if side_shifts else _centre_shift(box, reference, 0)
        y_shift = ground_shifts[0] if ground_shifts else _centre_shift(box, reference, 1)
        return x_shift <= allowed and y_shift <= allowed


def _interior(edge: float, reference: float, extent: int) -> bool:
    return min(edge, reference) > _BORDER_PX and max(edge, reference) < extent - _BORDER_PX


def _centre_shift(box: Box, reference: Box, axis: int) -> float:
    return abs((box[axis] + box[axis + 2]) - (reference[axis] + reference[axis + 2])) / 2.0
