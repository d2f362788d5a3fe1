"""`watcher mask`: the mask an `area` rule would measure on one frame, drawn, and an HSV range to start from.

The range is read off the zone's dominant colour (the largest of a few colour clusters): hue, saturation
and value from the 2nd to the 98th percentile of its pixels, the hue taken round the circle so a red
wraps (lower > upper), as `hsv` accepts it. Nobody needs to guess HSV numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import supervision as sv

from watcher.config import AreaRule, Config
from watcher.detect import Detector
from watcher.errors import ConfigError
from watcher.masks import BoolMask
from watcher.rules.kinds.area_mask import AreaAnalyzer, colour_mask, example_source
from watcher.rules.spec import HsvRange
from watcher.types import Frame, Image, Track

CLUSTERS = 3
GREY_HUE_SPREAD = 120
"""A cluster whose hues spread wider than this (of 180) is grey: its range takes every hue."""
_SAMPLE = 20_000
"""Zone pixels the clustering looks at (a random but seeded sample: the same frame, the same answer)."""
_TINT = np.array([255, 0, 255], dtype=np.float32)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An HSV range and the share of the zone it covers on the frame it was read from."""

    hsv: HsvRange
    share: float

    def toml(self) -> str:
        """The range as the rule's `hsv` key."""
        lower, upper = (list(v) for v in (self.hsv.lower, self.hsv.upper))
        return f"hsv = {{ lower = {lower}, upper = {upper} }}"


@dataclass(frozen=True, slots=True)
class Preview:
    """The measured mask on one frame, its zone, and the frame with both drawn."""

    mask: BoolMask
    zone: BoolMask
    image: Image

    @property
    def fraction(self) -> float:
        """Share of the zone the mask covers."""
        return float(self.mask.sum() / max(1, int(self.zone.sum())))


def area_rule(cfg: Config, name: str) -> tuple[int, AreaRule]:
    """The `area` rule called `name` and its index; ConfigError naming the rule otherwise."""
    for i, rule in enumerate(cfg.rules):
        if rule.name == name:
            if not isinstance(rule, AreaRule):
                raise ConfigError(f"rule {name} is a {rule.kind} rule, not an area rule", key="RULE")
            return i, rule
    areas = ", ".join(r.name for r in cfg.rules if isinstance(r, AreaRule)) or "none"
    raise ConfigError(f"no rule {name} (area rules: {areas})", key="RULE")


def preview(
    cfg: Config, base_dir: Path | None, name: str, frame: Frame, detector: Detector | None
) -> Preview:
    """What rule `name` measures on `frame` (tracks come from `detector` for `classes` rules)."""
    index, rule = area_rule(cfg, name)
    zones = [z for z in cfg.zones if z.camera == rule.camera]
    sources = {rule.name: example_source(rule, index, base_dir)} if rule.examples else None
    analyzer = AreaAnalyzer([rule], zones, sources=sources)
    mask, zone = analyzer.mask(rule.name, frame, _tracks(frame, detector) if rule.classes else ())
    return Preview(mask, zone, draw(frame.image, mask, zone, f"{rule.name}"))


def _tracks(frame: Frame, detector: Detector | None) -> tuple[Track, ...]:
    if detector is None:
        return ()
    found = detector.detect(frame.image)
    names = found.data.get("class_name", np.array([], dtype=str))
    masks = found.mask
    return tuple(
        Track(
            i + 1,
            str(names[i]),
            float(found.confidence[i]) if found.confidence is not None else 1.0,
            (
                float(found.xyxy[i][0]),
                float(found.xyxy[i][1]),
                float(found.xyxy[i][2]),
                float(found.xyxy[i][3]),
            ),
            mask=None if masks is None else np.asarray(masks[i], dtype=bool),
        )
        for i in range(len(found))
    )


def draw(image: Image, mask: BoolMask, zone: BoolMask, title: str) -> Image:
    """The frame with the mask tinted magenta, the zone outlined yellow and the covered share written."""
    out = image.astype(np.float32)
    out[mask] = 0.45 * out[mask] + 0.55 * _TINT
    drawn = np.ascontiguousarray(out.astype(np.uint8))
    contours, _ = cv2.findContours(zone.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(drawn, contours, -1, (0, 204, 255), 2)
    share = float(mask.sum() / max(1, int(zone.sum())))
    text = f"{title}: {share:.3f} of the zone ({int(mask.sum())} px)"
    return sv.draw_text(
        drawn,
        text,
        sv.Point(8 + 4 * len(text), 14),
        text_color=sv.Color.WHITE,
        text_scale=0.5,
        text_padding=4,
        background_color=sv.Color.BLACK,
    )


def suggest_hsv(image: Image, zone: BoolMask) -> list[Suggestion]:
    """HSV ranges of the zone's colour clusters, the dominant one first."""
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)[zone]
    # Clustered on colour alone (Lab a, b): sun and shade on one lawn stay one cluster.
    lab = cv2.cvtColor(image, cv2.COLOR_BGR2LAB)[zone][:, 1:].astype(np.float32)
    if len(hsv) == 0:
        return []
    rng = np.random.default_rng(0)
    pick = rng.choice(len(hsv), size=min(_SAMPLE, len(hsv)), replace=False)
    hsv, lab = hsv[pick], lab[pick]
    k = min(CLUSTERS, len(lab))
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 1.0)
    cv2.setRNGSeed(0)
    _, labels, _ = cv2.kmeans(lab, k, np.zeros((len(lab), 1), np.int32), criteria, 3, cv2.KMEANS_PP_CENTERS)
    counts = np.bincount(labels.ravel(), minlength=k)
    suggestions = []
    for cluster in np.argsort(-counts):
        ranged = _range(hsv[labels.ravel() == cluster])
        share = float((colour_mask(image, ranged) & zone).sum() / zone.sum())
        suggestions.append(Suggestion(ranged, share))
    return suggestions


def _range(pixels: np.ndarray) -> HsvRange:
    hue = pixels[:, 0].astype(np.int32)
    # Rotate the hues so the cluster's centre sits mid-circle: percentiles then never straddle 0/180.
    centre = int(np.degrees(np.angle(np.exp(1j * np.radians(hue * 2.0)).mean())) / 2) % 180
    turned = (hue - centre + 90) % 180
    low_h, high_h = (int(v) for v in np.percentile(turned, [2, 98]))
    if high_h - low_h > GREY_HUE_SPREAD:
        # Greys and whites have no hue to speak of: any hue, the range is in saturation and value.
        low_h, high_h = 90 - centre, 90 - centre + 179
    low = ((low_h + centre - 90) % 180, *(int(v) for v in np.percentile(pixels[:, 1:], 2, axis=0)))
    high = ((high_h + centre - 90) % 180, *(int(v) for v in np.percentile(pixels[:, 1:], 98, axis=0)))
    return HsvRange(lower=(low[0], low[1], low[2]), upper=(high[0], high[1], high[2]))
