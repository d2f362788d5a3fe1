"""Where a measured mask comes from: tracked objects of some classes, or example-labelled stuff.

`ObjectSource` takes each track's own mask from a segmentation model (layout `yolo_seg`) and, for a
detector without masks, cuts one with GrabCut inside the track's box; a still object's mask is kept
while its box stays put, so a parked car costs one GrabCut, not one per frame. `ExampleSource` labels
the region's pixels from example crops. Colour ranges (`hsv`) need no source object: a threshold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from watcher.masks.examples import ExamplesMasker
from watcher.masks.geometry import BoolMask, clip_box
from watcher.masks.object import object_mask
from watcher.types import Box, Image, Track

BOX_TOLERANCE = 2.0
"""A track whose box moved less than this (px, each side) keeps its cached GrabCut mask."""


class ObjectSource:
    """Union of the masks of tracks of `classes` (score at least `min_score`) that overlap the region.

    `stationary_only`: only tracks that stand still (parked cars, not passing traffic).
    """

    def __init__(
        self, classes: Iterable[str], min_score: float = 0.0, *, stationary_only: bool = False
    ) -> None:
        self._classes = frozenset(classes)
        self._min_score = min_score
        self._stationary_only = stationary_only
        self._cache: dict[int, tuple[Box, BoolMask]] = {}
        self.cuts = 0
        """GrabCut runs so far (the costly part; reported by `watcher bench`)."""

    def mask(self, image: Image, tracks: Sequence[Track], region: BoolMask) -> BoolMask:
        """Frame-sized union of the wanted tracks' masks, cut to `region`."""
        union = np.zeros(region.shape, dtype=bool)
        height, width = region.shape
        live: set[int] = set()
        for track in tracks:
            if track.label not in self._classes or track.score < self._min_score:
                continue
            if self._stationary_only and not track.stationary:
                continue
            x1, y1, x2, y2 = clip_box(track.box, width, height)
            if not region[y1:y2, x1:x2].any():
                continue
            live.add(track.track_id)
            if track.mask is not None and track.mask.shape == region.shape:
                union |= track.mask
            else:
                union |= self._cut(image, track)
        self._cache = {k: v for k, v in self._cache.items() if k in live}
        return union & region

    def _cut(self, image: Image, track: Track) -> BoolMask:
        cached = self._cache.get(track.track_id)
        if (
            cached is not None
            and max(abs(a - b) for a, b in zip(cached[0], track.box, strict=True)) < BOX_TOLERANCE
        ):
            return cached[1]
        mask = object_mask(image, track.box)
        self.cuts += 1
        self._cache[track.track_id] = (track.box, mask)
        return mask


class ExampleSource:
    """The pixels of one example label inside the region."""

    def __init__(self, masker: ExamplesMasker) -> None:
        self._masker = masker

    def mask(self, image: Image, tracks: Sequence[Track], region: BoolMask) -> BoolMask:
        """Frame-sized mask of the label's pixels in `region` (tracks are not used)."""
        return self._masker.mask(image, region)
