"""The ground analyzer: world positions and footprints of tracks, and each zone's kerb axis."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from watcher.config import CameraConfig, Config, ZoneConfig
from watcher.ground import GroundPlane, Point
from watcher.scene.zones import pixel_polygon
from watcher.types import Frame, Observation, Track


class GroundAnalyzer:
    """Fills `Track.ground`/`Track.footprint` and `Observation.zone_axes` for a calibrated camera."""

    def __init__(self, ground: GroundPlane, zones: Sequence[ZoneConfig]) -> None:
        self._ground = ground
        self._zones = tuple(zones)
        self._axes: tuple[tuple[int, int], dict[str, tuple[Point, Point]]] | None = None

    def analyze(self, frame: Frame, obs: Observation) -> Observation:
        """`obs` with ground facts added."""
        size = obs.frame_size
        return dataclasses.replace(
            obs, tracks=tuple(self._place(t, size) for t in obs.tracks), zone_axes=self._zone_axes(size)
        )

    def _place(self, track: Track, size: tuple[int, int]) -> Track:
        x1, _, x2, y2 = track.box
        left, centre, right = self._ground.to_world([(x1, y2), ((x1 + x2) / 2.0, y2), (x2, y2)], size)
        return dataclasses.replace(
            track,
            ground=(float(centre[0]), float(centre[1])),
            footprint=((float(left[0]), float(left[1])), (float(right[0]), float(right[1]))),
        )

    def _zone_axes(self, size: tuple[int, int]) -> dict[str, tuple[Point, Point]]:
        if self._axes is None or self._axes[0] != size:
            axes = {z.name: self._ground.long_axis(pixel_polygon(z.points, size), size) for z in self._zones}
            self._axes = (size, axes)
        return self._axes[1]


def ground_analyzers(camera: CameraConfig, config: Config) -> list[GroundAnalyzer]:
    """The ground analyzer of a calibrated camera; none without a `ground_plane`."""
    plane = camera.ground_plane
    if plane is None:
        return []
    zones = [z for z in config.zones if z.camera == camera.name]
    return [GroundAnalyzer(GroundPlane(plane.image_points, plane.world_points), zones)]
