"""Draws tracks, zones and counts on a frame (supervision annotators), and what the rules see
(`watcher.overlay`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import cv2
import numpy as np
import supervision as sv

from watcher.config import ZoneConfig
from watcher.overlay import draw_overlay, overlay_items
from watcher.types import WHOLE_FRAME, Image, Observation, RulesSnapshot

_ZONE_COLOR = sv.Color.from_hex("#ffcc00")
_TEXT_SCALE = 0.45
_PAD = 3


def _counts_text(counts: dict[str, int] | None) -> str:
    if not counts:
        return "0"
    return " ".join(f"{label}:{n}" for label, n in counts.items())


def _text(image: Image, text: str, left: int, top: int, color: sv.Color, background: sv.Color) -> Image:
    """Text with a filled background whose top-left corner is at (left, top)."""
    (w, h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, _TEXT_SCALE, 1)
    centre = sv.Point(left + w // 2 + _PAD, top + h // 2 + _PAD)
    return sv.draw_text(
        image,
        text,
        centre,
        text_color=color,
        text_scale=_TEXT_SCALE,
        text_padding=_PAD,
        background_color=background,
    )


class FrameAnnotator:
    """Draws one camera's zones, tracked boxes with ids, per-zone counts and, given the engine's
    snapshot, each rule's state (`for_s` by rule name times the pending ones)."""

    def __init__(self, zones: Sequence[ZoneConfig], for_s: Mapping[str, float] | None = None) -> None:
        self._zones = list(zones)
        self._for_s = dict(for_s or {})
        self._boxes = sv.BoxAnnotator(thickness=2, color_lookup=sv.ColorLookup.TRACK)
        self._labels = sv.LabelAnnotator(text_scale=0.4, text_padding=3, color_lookup=sv.ColorLookup.TRACK)
        self._masks = sv.MaskAnnotator(opacity=0.4, color_lookup=sv.ColorLookup.TRACK)

    def draw(self, image: Image, obs: Observation | None, snapshot: RulesSnapshot | None = None) -> Image:
        """A copy of `image` with the observation (and the rules' states, if given) drawn on it."""
        out = image.copy()
        height, width = out.shape[:2]
        for zone in self._zones:
            polygon = (np.array(zone.points) * [width, height]).astype(np.int64)
            out = sv.draw_polygon(out, polygon, _ZONE_COLOR, thickness=2)
            counts = obs.counts.get(zone.name) if obs else None
            label = f"{zone.name} {_counts_text(dict(counts) if counts else None)}"
            x, y = polygon.min(axis=0)
            out = _text(out, label, int(x) + 4, int(y) + 4, sv.Color.BLACK, _ZONE_COLOR)
        if obs is None:
            return out
        if obs.tracks:
            detections = sv.Detections(
                xyxy=np.array([t.box for t in obs.tracks], dtype=np.float32),
                confidence=np.array([t.score for t in obs.tracks], dtype=np.float32),
                class_id=np.zeros(len(obs.tracks), dtype=int),
                tracker_id=np.array([t.track_id for t in obs.tracks], dtype=int),
            )
            labels = [f"#{t.track_id} {t.label}{' (still)' if t.stationary else ''}" for t in obs.tracks]
            if any(t.mask is not None and t.mask.shape == (height, width) for t in obs.tracks):
                # A segmentation model's masks, drawn under the boxes; a track without one gets none.
                empty = np.zeros((height, width), dtype=bool)
                detections.mask = np.stack(
                    [
                        t.mask if t.mask is not None and t.mask.shape == (height, width) else empty
                        for t in obs.tracks
                    ]
                )
                out = self._masks.annotate(out, detections)
            out = self._boxes.annotate(out, detections)
            out = self._labels.annotate(out, detections, labels=labels)
        if snapshot is not None:
            out = draw_overlay(out, overlay_items(obs, snapshot, self._for_s))
        header = f"t={obs.time:.1f}s  {_counts_text(dict(obs.counts.get(WHOLE_FRAME, {})))}"
        return _text(out, header, 6, 6, sv.Color.WHITE, sv.Color.BLACK)
