"""Class-agnostic change detection in one zone: new, still regions against a learned background.

`left_object` needs "something new lies here" without a detector class for it (parcels are not a
COCO class). The background is learned pixel by pixel: a pixel that holds still for `learn_s` with
no person over it is learned, so a zone that starts with an object in it, or that is never wholly
quiet (a hand elsewhere in it, noise), still learns. Once most of the zone is known each frame is
compared with it (the rest keeps learning), after a gain correction so a global lighting change
does not count. Regions covered by a person track are ignored, regions that move are not
reported, and a region that turns out to be background uncovered by a removed object (fewer edges
now than in the background) is absorbed, so the background follows what the zone looks like empty.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from watcher.types import Box, Image, Learning, Region

F32 = npt.NDArray[np.float32]
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class ChangeParams:
    """Tuning of the change detector; the defaults suit 320–1280 px wide frames."""

    min_region: float = 0.002
    """Smallest changed region, as a fraction of the frame."""
    learn_s: float = 5.0
    """How long a pixel must hold still, with no person over it, to count as learned background."""
    learned_share: float = 0.9
    """Share of the zone that must be learned before regions are looked for (the rest keeps learning)."""
    settle_s: float = 1.0
    """A region must hold still this long before it is reported (or absorbed, if uncovered)."""
    threshold: float = 30.0
    """Grey-level difference against the background that counts as changed."""
    drift_tau_s: float = 20.0
    """Time constant of the background's adaptation to slow lighting drift (unchanged pixels only)."""
    work_px: int = 240
    """The zone's bounding box is scaled so its longer side is at most this many pixels."""


_SAMPLING_JITTER_S = 0.05
"""Frames sampled at `detect_fps` from a 25-30 fps camera land up to a source frame early or late:
three samples at 3 fps can span 0.98 s. A region still for `settle_s` within that counts as settled."""

LEARNED = "learned"
LEARNING = "learning"
LEARNING_PERSON = "learning: a person is in the zone"
LEARNING_MOVING = "learning: the zone keeps moving"
"""What `ChangeDetector.learning` says; the reason names what keeps pixels from being learned."""


@dataclass(slots=True)
class _Debounced:
    """A status that changes only once a new value has held for `hold_s` (LEARNED at once), so a
    hand passing for a frame does not flip what the log, MQTT and the dashboards say."""

    value: str
    hold_s: float
    _next: str | None = None
    _since: float = 0.0

    def feed(self, t: float, value: str) -> None:
        if value == self.value:
            self._next = None
        elif value == LEARNED or (value == self._next and t - self._since >= self.hold_s - 1e-6):
            self.value, self._next = value, None
        elif value != self._next:
            self._next, self._since = value, t


@dataclass(slots=True)
class _Candidate:
    box: tuple[int, int, int, int]
    first_seen: float
    still_since: float | None
    last_seen: float
    new: bool | None = None
    """True: an object appeared; False: background uncovered; None: not yet decided."""


class ChangeDetector:
    """Finds new still regions in one zone of one camera; feed it every processed frame in order."""

    def __init__(
        self, points: Sequence[tuple[float, float]], frame_size: tuple[int, int], params: ChangeParams
    ) -> None:
        self.frame_size = frame_size
        w, h = frame_size
        polygon = np.rint(np.asarray(points, dtype=np.float64) * [w, h]).astype(np.int32)
        x, y, bw, bh = cv2.boundingRect(polygon)
        self._x0, self._y0 = x, y
        self._scale = min(1.0, params.work_px / max(bw, bh, 1))
        size = (max(1, round(bw * self._scale)), max(1, round(bh * self._scale)))
        mask = np.zeros((size[1], size[0]), np.uint8)
        cv2.fillPoly(mask, [np.rint((polygon - [x, y]) * self._scale).astype(np.int32)], 1)
        self._roi = (x, y, bw, bh)
        self._size = size
        self._zone: Mask = mask.astype(bool)
        self._p = params
        self._min_px = params.min_region * w * h * self._scale**2
        self._bg: F32 | None = None
        self._known: Mask = np.zeros_like(self._zone)
        """Pixels whose background is learned; only these are compared."""
        self._ref: F32 | None = None
        self._still_since = np.zeros(self._zone.shape, np.float64)
        self._learned = False
        self._status = _Debounced(LEARNING, params.settle_s)
        self._prev: F32 | None = None
        self._last_t: float | None = None
        self._candidates: list[_Candidate] = []

    def update(self, t: float, image: Image, blockers: Sequence[Box]) -> tuple[Region, ...]:
        """Compare the frame at time `t` with the background; `blockers` are person boxes (pixels)."""
        gray = self._crop(image)
        blocked = self._blocked(blockers)
        prev, self._prev = self._prev, gray
        dt = 0.0 if self._last_t is None else max(0.0, t - self._last_t)
        self._last_t = t
        moving = np.zeros_like(self._zone) if prev is None else _diff(gray, prev) > self._p.threshold / 2
        person = bool((blocked & self._zone).any())
        quiet = not person and moving[self._zone].mean() < 0.01
        if not self._known[self._zone].all():
            self._learn_pixels(t, gray, blocked)
        self._status.feed(t, self._raw_status(person, quiet))
        if self._bg is None or not self._learned:
            return ()
        bg = self._bg
        live = self._zone & self._known
        adjusted = gray / _gain(gray, bg, live & ~blocked)
        changed = self._changed(adjusted, bg)
        regions = self._track(t, adjusted, changed, moving, blocked)
        if quiet:
            alpha = np.float32(1.0 - math.exp(-dt / self._p.drift_tau_s))
            keep = changed | ~live
            bg = self._bg  # re-read: _track may have absorbed uncovered background
            self._bg = np.where(keep[..., None], bg, bg + alpha * (adjusted - bg)).astype(np.float32)
        return regions

    def _crop(self, image: Image) -> F32:
        x, y, w, h = self._roi
        crop = image[y : y + h, x : x + w]
        if crop.ndim == 2:
            crop = np.asarray(cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
        small = cv2.resize(crop, self._size, interpolation=cv2.INTER_AREA)
        return cv2.GaussianBlur(small, (5, 5), 0).astype(np.float32)

    def _blocked(self, blockers: Sequence[Box]) -> Mask:
        mask = np.zeros(self._zone.shape, np.uint8)
        for x1, y1, x2, y2 in blockers:
            # A margin around the person box covers limbs and shadows the box misses.
            mx, my = 0.1 * (x2 - x1), 0.05 * (y2 - y1)
            p1 = ((x1 - mx - self._x0) * self._scale, (y1 - my - self._y0) * self._scale)
            p2 = ((x2 + mx - self._x0) * self._scale, (y2 + my - self._y0) * self._scale)
            cv2.rectangle(mask, (int(p1[0]), int(p1[1])), (math.ceil(p2[0]), math.ceil(p2[1])), 1, -1)
        return mask.astype(bool)

    @property
    def learning(self) -> Learning:
        """Whether the background is learned, or why not yet, and how much of the zone is known."""
        known = float(self._known[self._zone].mean()) if self._zone.any() else 1.0
        return Learning(self._status.value, known)

    def _learn_pixels(self, t: float, gray: F32, blocked: Mask) -> None:
        """Learn each pixel that has held still (within half the change threshold) for `learn_s`."""
        if self._ref is None or self._bg is None:
            self._ref, self._bg = gray.copy(), gray.copy()
            self._still_since[:] = t
        stirred = (_diff(gray, self._ref) > self._p.threshold / 2) | blocked
        self._ref = np.where(stirred[..., None], gray, self._ref).astype(np.float32)
        self._still_since[stirred] = t
        ready = self._zone & ~self._known & (t - self._still_since >= self._p.learn_s - 1e-6)
        if ready.any():
            self._bg = np.where(ready[..., None], self._ref, self._bg).astype(np.float32)
            self._known |= ready
        if not self._learned and self._known[self._zone].mean() >= self._p.learned_share:
            self._learned = True

    def _raw_status(self, person: bool, quiet: bool) -> str:
        if self._learned:
            return LEARNED
        if person:
            return LEARNING_PERSON
        return LEARNING if quiet else LEARNING_MOVING

    def _changed(self, adjusted: F32, bg: F32) -> Mask:
        fg = ((_diff(adjusted, bg) > self._p.threshold) & self._zone & self._known).astype(np.uint8)
        kernel = np.ones((3, 3), np.uint8)
        fg = np.asarray(cv2.morphologyEx(fg, cv2.MORPH_OPEN, kernel), dtype=np.uint8)
        # Closing joins the fragments of one object (a clear bottle differs only at its label and cap).
        fg = np.asarray(cv2.morphologyEx(fg, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8)), dtype=np.uint8)
        return fg.astype(bool)

    def _track(
        self, t: float, adjusted: F32, changed: Mask, moving: Mask, blocked: Mask
    ) -> tuple[Region, ...]:
        count, labels, stats, _ = cv2.connectedComponentsWithStats(changed.astype(np.uint8), connectivity=8)
        kept: list[_Candidate] = []
        regions: list[Region] = []
        # Largest first: when a region splits (a bottle's cap from its body), the biggest part keeps
        # the region's history and the others count as its fragments.
        for i in sorted(range(1, count), key=lambda i: -int(stats[i][4])):
            x, y, w, h, area = (int(v) for v in stats[i])
            if area < self._min_px:
                continue
            component = labels == i
            box = (x, y, x + w, y + h)
            cand = self._match(box)
            if cand is not None and cand in kept:
                continue  # a fragment of a region already matched this frame
            if cand is not None and cand.new:
                # A confirmed object stays while its changed pixels do, even with a hand or a person
                # over it, so it ends when it is gone rather than when it is first touched.
                cand.box, cand.last_seen = box, t
                kept.append(cand)
                regions.append(self._region(cand, area))
                continue
            still = moving[component].mean() < 0.05
            if blocked[component].mean() > 0.3:
                # A person (or what they carry) there: never decided while covered. A region seen
                # before keeps its history, so a passing (or false) person box over a placed bottle
                # does not restart its settling.
                if cand is not None:
                    cand.last_seen = t
                    cand.still_since = cand.still_since if still else None
                    kept.append(cand)
                continue
            cand = cand or _Candidate(box, t, None, t)
            cand.box, cand.last_seen = box, t
            cand.still_since = (cand.still_since or t) if still else None
            kept.append(cand)
            if cand.still_since is None or t - cand.still_since < self._p.settle_s - _SAMPLING_JITTER_S:
                continue
            cand.new = self._appeared(adjusted, component)
            if cand.new:
                regions.append(self._region(cand, area))
            else:
                self._absorb(adjusted, component)
                kept.pop()
        # A region missed for a moment (noise at the threshold) keeps its history for settle_s.
        self._candidates = kept + [
            c for c in self._candidates if c not in kept and t - c.last_seen < self._p.settle_s
        ]
        return _merge_near(regions, gap=0.1 * max(self._roi[2], self._roi[3]))

    def _match(self, box: tuple[int, int, int, int]) -> _Candidate | None:
        # A confirmed object wins over a pending candidate that the region covers as well: a clear
        # bottle's changed pixels can split in two (cap, body) under a lighting change and join again,
        # and the joined region is the object seen so far, not a new one that must settle again.
        best, best_key = None, (False, 0.5)
        for cand in self._candidates:
            overlap = _overlap(box, cand.box)
            key = (cand.new is True, overlap)
            if overlap > 0.5 and key > best_key:
                best, best_key = cand, key
        return best

    def _region(self, cand: _Candidate, area: int) -> Region:
        s = self._scale
        x1, y1, x2, y2 = cand.box
        box = (self._x0 + x1 / s, self._y0 + y1 / s, self._x0 + x2 / s, self._y0 + y2 / s)
        return Region(box, area / s**2, cand.first_seen, cand.still_since or cand.first_seen)

    def _appeared(self, adjusted: F32, component: Mask) -> bool:
        """An object brings its own edges; uncovered background has fewer edges than the background."""
        assert self._bg is not None
        ring = cv2.dilate(component.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        now = cv2.Canny(_u8(adjusted), 40, 120)[ring].mean()
        before = cv2.Canny(_u8(self._bg), 40, 120)[ring].mean()
        return bool(now >= before)

    def _absorb(self, adjusted: F32, component: Mask) -> None:
        assert self._bg is not None
        grown = cv2.dilate(component.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        self._bg = np.where(grown[..., None], adjusted, self._bg).astype(np.float32)


def _diff(a: F32, b: F32) -> F32:
    """Largest per-channel difference: colour changes count even where grey levels match."""
    d = cv2.absdiff(a, b)
    diff: F32 = np.maximum(np.maximum(d[..., 0], d[..., 1]), d[..., 2])
    return diff


def _u8(image: F32) -> Image:
    gray: Image = np.asarray(
        cv2.cvtColor(np.clip(image, 0, 255).astype(np.uint8), cv2.COLOR_BGR2GRAY), np.uint8
    )
    return gray


def _gain(gray: F32, bg: F32, where: Mask) -> float:
    """Brightness ratio of frame to background over the unblocked zone, clamped to a sane range."""
    # Every other pixel and row is plenty for a median, at a quarter of the cost.
    where = where[::2, ::2]
    if where.sum() < 16:
        return 1.0
    ratio = float(np.median(gray[::2, ::2][where]) + 1.0) / float(np.median(bg[::2, ::2][where]) + 1.0)
    return min(2.0, max(0.5, ratio))


def _merge_near(regions: list[Region], gap: float) -> tuple[Region, ...]:
    """One region per object: parts closer than `gap` px (a clear bottle's cap and label) are one."""
    merged: list[Region] = []
    for region in sorted(regions, key=lambda r: r.box):
        for i, other in enumerate(merged):
            if _box_gap(region.box, other.box) <= gap:
                merged[i] = Region(
                    (
                        min(region.box[0], other.box[0]),
                        min(region.box[1], other.box[1]),
                        max(region.box[2], other.box[2]),
                        max(region.box[3], other.box[3]),
                    ),
                    region.area + other.area,
                    min(region.first_seen, other.first_seen),
                    min(region.still_since, other.still_since),
                )
                break
        else:
            merged.append(region)
    return tuple(merged)


def _box_gap(a: Box, b: Box) -> float:
    """Distance between two boxes (0 when they touch or overlap)."""
    dx = max(0.0, max(a[0], b[0]) - min(a[2], b[2]))
    dy = max(0.0, max(a[1], b[1]) - min(a[3], b[3]))
    return max(dx, dy)


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over the smaller box: a region grown by a hand over it still matches itself."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return ix * iy / smaller if smaller > 0 else 0.0
