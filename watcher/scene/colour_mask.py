"""The `area` analyzer: masked pixels inside a rule's zone, as px, fraction of the zone and m².

The mask is an HSV colour range (`hsv`) or the instance masks of tracks of `classes` from a
segmentation model (a track without a mask counts with its box). The result goes into
`Observation.areas[rule]`, which the `area` kind reads.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from watcher.config import AreaRule, CameraConfig, Config, ZoneConfig
from watcher.rules.spec import HsvRange
from watcher.scene.ground import GroundPlane
from watcher.scene.zones import pixel_polygon
from watcher.types import AreaMeasure, Frame, Image, Observation, Track

BoolMask = npt.NDArray[np.bool_]

CLOSE_FRACTION = 0.03
"""Gaps narrower than this share of the frame height (print, texture, grass blades) are closed."""


def colour_mask(image: Image, hsv: HsvRange) -> BoolMask:
    """Pixels inside the HSV range; a hue range with lower > upper wraps around red (170..10)."""
    converted = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    (h1, s1, v1), (h2, s2, v2) = hsv.lower, hsv.upper
    if h1 <= h2:
        mask = cv2.inRange(converted, np.array([h1, s1, v1]), np.array([h2, s2, v2]))
    else:
        mask = cv2.bitwise_or(
            cv2.inRange(converted, np.array([h1, s1, v1]), np.array([179, s2, v2])),
            cv2.inRange(converted, np.array([0, s1, v1]), np.array([h2, s2, v2])),
        )
    size = max(3, round(image.shape[0] * CLOSE_FRACTION) | 1)
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((size, size), np.uint8))
    result: BoolMask = closed > 0
    return result


def instance_mask(tracks: Sequence[Track], rule: AreaRule, shape: tuple[int, int]) -> BoolMask:
    """Union of the masks (or boxes, without a mask) of the rule's tracks."""
    union = np.zeros(shape, dtype=bool)
    classes = frozenset(rule.classes)
    for track in tracks:
        if track.label not in classes or track.score < rule.min_score:
            continue
        if track.mask is not None and track.mask.shape == shape:
            union |= track.mask
        else:
            x1, y1, x2, y2 = (max(0, round(v)) for v in track.box)
            union[y1:y2, x1:x2] = True
    return union


class AreaAnalyzer:
    """Measures every `area` rule of one camera on each processed frame."""

    def __init__(
        self, rules: Sequence[AreaRule], zones: Sequence[ZoneConfig], ground: GroundPlane | None = None
    ) -> None:
        self._rules = tuple(rules)
        self._zones = {z.name: z for z in zones}
        self._ground = ground
        self._zone_masks: dict[tuple[str | None, tuple[int, int]], BoolMask] = {}

    def analyze(self, frame: Frame, obs: Observation) -> Observation:
        """`obs` with `areas` filled for each area rule."""
        areas = dict(obs.areas)
        colour: dict[HsvRange | None, BoolMask] = {}
        for rule in self._rules:
            zone = self._zone_mask(rule.zone, frame.size)
            if rule.hsv is not None:
                key = rule.hsv
                if key not in colour:
                    colour[key] = colour_mask(frame.image, rule.hsv)
                mask = colour[key] & zone
            else:
                mask = instance_mask(obs.tracks, rule, zone.shape) & zone
            px = float(mask.sum())
            zone_px = float(zone.sum())
            m2 = None if self._ground is None else self._ground.mask_area(mask, frame.size)
            areas[rule.name] = AreaMeasure(px=px, fraction=px / zone_px if zone_px else 0.0, m2=m2)
        return dataclasses.replace(obs, areas=areas)

    def _zone_mask(self, zone: str | None, size: tuple[int, int]) -> BoolMask:
        cached = self._zone_masks.get((zone, size))
        if cached is not None:
            return cached
        w, h = size
        if zone is None:
            mask = np.ones((h, w), dtype=bool)
        else:
            canvas = np.zeros((h, w), dtype=np.uint8)
            cv2.fillPoly(canvas, [pixel_polygon(self._zones[zone].points, size).astype(np.int32)], 1)
            mask = canvas > 0
        self._zone_masks[(zone, size)] = mask
        return mask


def area_analyzers(camera: CameraConfig, config: Config) -> list[AreaAnalyzer]:
    """One analyzer for the `area` rules of `camera`, or none when it has no such rule."""
    rules = [r for r in config.rules if isinstance(r, AreaRule) and r.camera == camera.name]
    if not rules:
        return []
    plane = camera.ground_plane
    ground = None if plane is None else GroundPlane(plane.image_points, plane.world_points)
    return [AreaAnalyzer(rules, [z for z in config.zones if z.camera == camera.name], ground)]
