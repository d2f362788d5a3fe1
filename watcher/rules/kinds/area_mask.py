"""The `area` analyzer: masked pixels inside a rule's zone, as px, fraction of the zone and m².

The mask is an HSV colour range (`hsv`), the masks of tracks of `classes` (a segmentation model's,
else GrabCut in the box: `watcher.masks.sources`), or the pixels like an example label (`examples`).
Each rule is measured every `check_every_s`; the result goes into `Observation.facts[rule]` (an
`AreaMeasure`), which the `area` kind reads.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from watcher.config import AreaRule, CameraConfig, Config, OccupancyRule, ZoneConfig
from watcher.detect.patches import shared_patch_embedder
from watcher.errors import ConfigError
from watcher.ground import GroundPlane
from watcher.masks import ExamplesMasker, examples_problem, load_patch_examples, polygon_mask
from watcher.masks.sources import ExampleSource, ObjectSource
from watcher.rules.kinds.votes import example_folder
from watcher.rules.spec import HsvRange
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


MaskSource = ObjectSource | ExampleSource
_TIME_TOLERANCE = 1e-6


def check_area_examples(config: Config, base_dir: Path | None, file: str) -> None:
    """ConfigError for an `area` rule whose examples folder lacks its label or a second one."""
    for i, rule in enumerate(config.rules):
        if isinstance(rule, AreaRule) and rule.examples and rule.label:
            problem = examples_problem(example_folder(rule.examples, rule.name, base_dir), rule.label)
            if problem is not None:
                raise ConfigError(problem, file=file, key=f"rules[{i}].examples")


def example_source(rule: AreaRule, index: int | None, base_dir: Path | None) -> ExampleSource:
    """The examples masker of an `area` rule with `examples`; ConfigError when the folder is unusable."""
    if rule.examples is None or rule.label is None:
        raise ValueError(f"rule {rule.name} has no examples")
    folder = example_folder(rule.examples, rule.name, base_dir)
    key = "examples" if index is None else f"rules[{index}].examples"
    embedder = shared_patch_embedder()
    examples = load_patch_examples(folder, embedder, label=rule.label, key=key)
    return ExampleSource(ExamplesMasker(examples, rule.label, embedder))


class AreaAnalyzer:
    """Measures every `area` rule of one camera, each at its own `check_every_s`."""

    stage = "masks"
    """The pipeline times this analyzer as its own stage (`watcher bench`)."""

    def __init__(
        self,
        rules: Sequence[AreaRule],
        zones: Sequence[ZoneConfig],
        ground: GroundPlane | None = None,
        *,
        sources: Mapping[str, MaskSource] | None = None,
        keep_masks: bool = False,
    ) -> None:
        self._rules = tuple(rules)
        self._zones = {z.name: z for z in zones}
        self._ground = ground
        # Only an annotated replay draws the measured masks; without it a measure is its numbers alone.
        self._keep_masks = keep_masks
        self._zone_masks: dict[tuple[str | None, tuple[int, int]], tuple[BoolMask, int]] = {}
        given = dict(sources or {})
        self._sources: dict[str, MaskSource] = {
            r.name: given.get(r.name) or ObjectSource(r.classes, r.min_score)
            for r in self._rules
            if not r.hsv
        }
        self._last: dict[str, tuple[float, AreaMeasure]] = {}

    def analyze(self, frame: Frame, obs: Observation) -> Observation:
        """`obs` with each area rule's `AreaMeasure` in its facts (re-measured when its `check_every_s`
        is up)."""
        facts = dict(obs.facts)
        colour: dict[HsvRange, BoolMask] = {}
        for rule in self._rules:
            last = self._last.get(rule.name)
            # The tolerance keeps frames at exactly the rule's rate (0.2 s apart at 5 fps) from being skipped.
            if last is not None and 0 <= frame.timestamp - last[0] < rule.check_every_s - _TIME_TOLERANCE:
                facts[rule.name] = last[1]
                continue
            zone, zone_px = self._zone_mask(rule.zone, frame.size)
            mask = self._mask(rule, frame, obs.tracks, zone, colour)
            px = float(np.count_nonzero(mask))
            m2 = None if self._ground is None else self._ground.mask_area(mask, frame.size)
            fraction = px / zone_px if zone_px else 0.0
            measured = (
                AreaMeasure.of(px, fraction, m2, mask) if self._keep_masks else AreaMeasure(px, fraction, m2)
            )
            facts[rule.name] = measured
            self._last[rule.name] = (frame.timestamp, measured)
        return dataclasses.replace(obs, facts=facts)

    def mask(self, rule: str, frame: Frame, tracks: Sequence[Track]) -> tuple[BoolMask, BoolMask]:
        """The mask rule `rule` measures on `frame`, and its zone (both frame-sized), for `watcher mask`."""
        spec = next(r for r in self._rules if r.name == rule)
        zone, _ = self._zone_mask(spec.zone, frame.size)
        return self._mask(spec, frame, tracks, zone, {}), zone

    def _mask(
        self,
        rule: AreaRule,
        frame: Frame,
        tracks: Sequence[Track],
        zone: BoolMask,
        colour: dict[HsvRange, BoolMask],
    ) -> BoolMask:
        if rule.hsv is not None:
            if rule.hsv not in colour:
                colour[rule.hsv] = colour_mask(frame.image, rule.hsv)
            return colour[rule.hsv] & zone
        return self._sources[rule.name].mask(frame.image, tracks, zone)

    def _zone_mask(self, zone: str | None, size: tuple[int, int]) -> tuple[BoolMask, int]:
        """The zone's pixels on a frame of `size` and how many they are (made once per size)."""
        cached = self._zone_masks.get((zone, size))
        if cached is not None:
            return cached
        if zone is None:
            mask = np.ones(size[::-1], dtype=bool)
        else:
            mask = polygon_mask(pixel_polygon(self._zones[zone].points, size), size)
        self._zone_masks[(zone, size)] = (mask, int(np.count_nonzero(mask)))
        return self._zone_masks[(zone, size)]


def area_analyzers(
    camera: CameraConfig, config: Config, base_dir: Path | None = None, *, keep_masks: bool = False
) -> list[AreaAnalyzer]:
    """One analyzer for the `area` rules (and covered-share `occupancy` rules) of `camera`, or none;
    `keep_masks`: each measure keeps its mask, for something that draws it (`replay --annotate`)."""
    indexed = [
        (i, r) for i, r in enumerate(config.rules) if isinstance(r, AreaRule) and r.camera == camera.name
    ]
    covered = [
        r
        for r in config.rules
        if isinstance(r, OccupancyRule) and r.camera == camera.name and r.measure == "covered"
    ]
    if not indexed and not covered:
        return []
    plane = camera.ground_plane
    ground = None if plane is None else GroundPlane(plane.image_points, plane.world_points)
    sources: dict[str, MaskSource] = {
        r.name: example_source(r, i, base_dir) for i, r in indexed if r.examples
    }
    # An occupancy rule that measures how much of its zone parked objects cover is measured here too.
    for rule in covered:
        sources[rule.name] = ObjectSource(rule.classes, rule.min_score, stationary_only=rule.stationary_only)
    rules = [r for _, r in indexed] + [_covered_area(r) for r in covered]
    zones = [z for z in config.zones if z.camera == camera.name]
    return [AreaAnalyzer(rules, zones, ground, sources=sources, keep_masks=keep_masks)]


EVERY_FRAME = 1e-6
"""`check_every_s` of a covered-share occupancy rule: every processed frame, so the value moves with
the parked set; a parked object's outline is kept while its box stays put, so only a newcomer costs."""


def _covered_area(rule: OccupancyRule) -> AreaRule:
    """The area measurement an occupancy rule with `measure = "covered"` reads."""
    return AreaRule(
        name=rule.name,
        kind="area",
        camera=rule.camera,
        zone=rule.zone,
        classes=rule.classes,
        check_every_s=EVERY_FRAME,
    )
