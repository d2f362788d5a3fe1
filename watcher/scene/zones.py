"""Zone membership of boxes by anchor point, with polygons scaled to each frame size once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt
import supervision as sv

from watcher.config import ZoneConfig

_ANCHOR_Y = {"top_center": 0.0, "center": 0.5, "bottom_center": 1.0}


def anchor_points(
    xyxy: npt.NDArray[np.floating], anchor: str, frame_size: tuple[int, int]
) -> npt.NDArray[np.float64]:
    """Anchor point of each box, clamped into the frame's pixel grid.

    Clamping keeps a box touching the bottom or right edge (anchor y == height) inside a zone that
    reaches that edge; without it the point falls one pixel outside every polygon.
    """
    w, h = frame_size
    boxes = np.asarray(xyxy, dtype=np.float64).reshape(-1, 4)
    fy = _ANCHOR_Y[anchor]
    x = (boxes[:, 0] + boxes[:, 2]) / 2.0
    y = boxes[:, 1] + (boxes[:, 3] - boxes[:, 1]) * fy
    return np.stack([np.clip(x, 0.0, w - 1.0), np.clip(y, 0.0, h - 1.0)], axis=1)


def pixel_polygon(
    points: Sequence[tuple[float, float]], frame_size: tuple[int, int]
) -> npt.NDArray[np.int64]:
    """Relative (0..1) polygon to whole pixels of a frame of `frame_size` (width, height)."""
    w, h = frame_size
    scaled = np.asarray(points, dtype=np.float64) * np.array([w, h], dtype=np.float64)
    pixels: npt.NDArray[np.int64] = np.rint(scaled).astype(np.int64)
    return pixels


class ZoneLookup(Protocol):
    """What the scene asks of its zones: their names and which boxes lie in which."""

    @property
    def names(self) -> tuple[str, ...]: ...

    def contains(
        self, xyxy: npt.NDArray[np.floating], frame_size: tuple[int, int]
    ) -> npt.NDArray[np.bool_]: ...


class ZoneSet:
    """The zones of one camera; `contains` says which boxes are in which zone."""

    def __init__(self, zones: Sequence[ZoneConfig]) -> None:
        self._zones = tuple(zones)
        self._size: tuple[int, int] | None = None
        self._polygons: tuple[sv.PolygonZone, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Zone names in config order."""
        return tuple(z.name for z in self._zones)

    def contains(self, xyxy: npt.NDArray[np.floating], frame_size: tuple[int, int]) -> npt.NDArray[np.bool_]:
        """Boolean matrix (boxes x zones): box's anchor lies inside or on the zone's polygon."""
        polygons = self._polygons_for(frame_size)
        n = len(np.asarray(xyxy).reshape(-1, 4))
        inside = np.zeros((n, len(self._zones)), dtype=bool)
        if n == 0:
            return inside
        for j, (zone, polygon) in enumerate(zip(self._zones, polygons, strict=True)):
            points = anchor_points(xyxy, zone.anchor, frame_size)
            # A zero-size box at the anchor makes PolygonZone test exactly that point.
            inside[:, j] = polygon.trigger(sv.Detections(xyxy=np.concatenate([points, points], axis=1)))
        return inside

    def _polygons_for(self, frame_size: tuple[int, int]) -> tuple[sv.PolygonZone, ...]:
        if frame_size != self._size:
            self._polygons = tuple(sv.PolygonZone(pixel_polygon(z.points, frame_size)) for z in self._zones)
            self._size = frame_size
        return self._polygons
