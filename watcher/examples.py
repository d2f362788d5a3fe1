"""`watcher examples`: cut a rule's reference crops from a recording or its live camera.

A `state` rule classifies the bounding box of its zone, and a `missing_associate` rule the `band`
of each person box (the head, by default): this cuts exactly those crops, at given times or every
N seconds, into `<examples>/<label>/`, so nobody has to do the zone-to-pixel maths by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from watcher.capture import Source
from watcher.config import Config, ZoneConfig
from watcher.detect import Detector
from watcher.errors import ConfigError
from watcher.rules.kinds.missing_associate import PERSON, missing_label
from watcher.rules.kinds.votes import band_box, crop_box, example_folder, zone_box
from watcher.rules.spec import MissingAssociateRule, StateRule
from watcher.scene.zones import ZoneSet
from watcher.types import Box, Frame, Image

ExampleRule = StateRule | MissingAssociateRule


@dataclass(frozen=True)
class Pick:
    """Which frames to cut: the first at or after each of `at` (seconds from the first frame), or
    one every `every_s`; at most `count` frames."""

    at: tuple[float, ...] = ()
    every_s: float | None = None
    count: int | None = None

    def frames(self, source: Source) -> Iterator[tuple[float, Frame]]:
        """(seconds from the first frame, frame) for each frame to cut, reading `source` to the end."""
        pending = sorted(self.at)
        next_due = 0.0 if self.every_s is not None else None
        first: float | None = None
        taken = 0
        while (pending or next_due is not None) and (self.count is None or taken < self.count):
            frame = source.read()
            if frame is None:
                return
            first = frame.timestamp if first is None else first
            t = frame.timestamp - first
            due = bool(pending) and t + 1e-6 >= pending[0]
            while pending and t + 1e-6 >= pending[0]:
                pending.pop(0)
            if next_due is not None and self.every_s is not None and t + 1e-6 >= next_due:
                due = True
                next_due += self.every_s * (1 + int((t - next_due) // self.every_s))
            if due:
                taken += 1
                yield t, frame


def example_rule(config: Config, name: str) -> ExampleRule:
    """The few-shot rule called `name`; a one-line `ConfigError` at `RULE` otherwise."""
    rules = {r.name: r for r in config.rules}
    rule = rules.get(name)
    if rule is None:
        raise ConfigError(f"unknown rule {name!r} (have: {', '.join(rules) or 'none'})", key="RULE")
    if isinstance(rule, StateRule) or (isinstance(rule, MissingAssociateRule) and rule.item_model is None):
        return rule
    raise ConfigError(f"rule {name!r} has no few-shot examples (state, or missing_associate)", key="RULE")


def label_folder(rule: ExampleRule, label: str, base_dir: Path | None) -> Path:
    """`<examples>/<label>/` of the rule; a `missing_associate` label must be `<item>` or `no_<item>`."""
    if isinstance(rule, MissingAssociateRule) and label not in (rule.item, missing_label(rule.item)):
        need = f"{rule.item!r} or {missing_label(rule.item)!r}"
        raise ConfigError(f"must be {need} (got {label!r})", key="--label")
    if not label or Path(label).name != label or label.startswith("."):
        raise ConfigError(f"must be a folder name such as 'open' (got {label!r})", key="--label")
    return example_folder(rule.examples, rule.name, base_dir) / label


def cut_examples(
    config: Config,
    rule: ExampleRule,
    source: Source,
    pick: Pick,
    folder: Path,
    *,
    prefix: str,
    detector: Detector | None = None,
) -> list[Path]:
    """Write the rule's crops of the picked frames into `folder`; the files written, in order.

    A `state` rule gets its zone's box; a `missing_associate` rule the band of each person in its
    zone (the `detector` finds them), as the running rule would classify them.
    """
    zones = {z.name: z for z in config.zones if z.camera == rule.camera}
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for t, frame in pick.frames(source):
        if isinstance(rule, StateRule):
            crops = [zone_crop(frame.image, zones[rule.zone])]
        else:
            assert detector is not None
            zone = zones[rule.zone] if rule.zone is not None else None
            crops = person_crops(frame.image, rule, detector, zone)
        for i, image in enumerate(crops):
            name = f"{prefix}-{t:07.2f}s" + (f"-p{i + 1}" if isinstance(rule, MissingAssociateRule) else "")
            path = folder / f"{name}.jpg"
            if not cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 90]):
                raise ConfigError(f"cannot write image {path}", key="--label")
            written.append(path)
    return written


def zone_crop(image: Image, zone: ZoneConfig) -> Image:
    """The bounding box of `zone` in `image`: what a `state` rule classifies."""
    height, width = image.shape[:2]
    x1, y1, x2, y2 = zone_box(zone.points, (width, height))
    return crop_box(image, (x1, y1, x2, y2))


def person_crops(
    image: Image, rule: MissingAssociateRule, detector: Detector, zone: ZoneConfig | None
) -> list[Image]:
    """The `band` crop of each person the detector finds in `zone`, left to right."""
    height, width = image.shape[:2]
    found = detector.detect(image)
    names = np.asarray(found.data.get("class_name", []))
    scores = found.confidence if found.confidence is not None else np.ones(len(names))
    areas = (found.xyxy[:, 2] - found.xyxy[:, 0]) * (found.xyxy[:, 3] - found.xyxy[:, 1])
    keep = (names == PERSON) & (scores >= rule.min_score) & (areas >= rule.min_area * width * height)
    boxes = found.xyxy[keep]
    if zone is not None and len(boxes):
        boxes = boxes[ZoneSet([zone]).contains(boxes, (width, height))[:, 0]]
    people: list[Box] = sorted((float(x1), float(y1), float(x2), float(y2)) for x1, y1, x2, y2 in boxes)
    return [crop_box(image, band_box(box, rule.band)) for box in people]
