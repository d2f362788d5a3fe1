"""Times the zone test inside the scene and counts the boxes that reach it."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from watcher.pipeline import StageTimes
from watcher.scene import Scene
from watcher.scene.zones import ZoneLookup


class TimedZones:
    """Stands in for a scene's `ZoneSet`: same answers, each call timed as the `zones` stage."""

    def __init__(self, inner: ZoneLookup, times: StageTimes) -> None:
        self._inner = inner
        self._times = times
        self.boxes = 0
        """Detections (after cross-class merging) that reached the scene."""

    @property
    def names(self) -> tuple[str, ...]:
        return self._inner.names

    def contains(self, xyxy: npt.NDArray[np.floating], frame_size: tuple[int, int]) -> npt.NDArray[np.bool_]:
        """Which boxes are in which zone (delegated, timed)."""
        self.boxes += len(xyxy)
        with self._times.measure("zones"):
            return self._inner.contains(xyxy, frame_size)


def time_zones(scene: Scene, times: StageTimes) -> TimedZones:
    """Swap `scene`'s zone test for a timed one around it."""
    timed = TimedZones(scene.zones, times)
    scene.zones = timed
    return timed
