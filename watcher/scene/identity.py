"""Stable object identities on top of the library's ids: one object, one key, even across id splits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from watcher.scene.tracker import CONFIDENT_SCORE
from watcher.types import Box

REASSOCIATE_DISTANCE = 1.0
"""A new box may continue a recent track whose predicted centre is within this many box sizes."""

REASSOCIATE_SIZE_RATIO = 2.0
"""... and whose size differs by no more than this factor."""

SAME_PLACE_IOU = 0.5
"""A box overlapping an object's last box this much is that object even under another label (flicker)."""


@dataclass(slots=True)
class _Known:
    box: Box
    seen: float
    labels: set[str]
    library_id: int
    velocity: tuple[float, float] = (0.0, 0.0)
    """Centre velocity in pixels per second, from the last two observations."""


def _centre(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0


def _iou(a: Box, b: Box) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0


def _size(box: Box) -> float:
    return max(box[2] - box[0], box[3] - box[1], 1.0)


class Identities:
    """Maps each detection to an object key that survives the tracker splitting one object.

    A detection keeps the key its library id is bound to. A detection with a new library id, or a
    confident one the library left unmatched (a fast first move), continues the nearest recent
    object of the same label (or any label, if the box overlaps the object's last one) when the box
    is where that object should be now; else it starts a
    new key. Keys are never reused.
    """

    def __init__(self, lost_track_s: float) -> None:
        self._lost_s = lost_track_s
        self._known: dict[int, _Known] = {}
        self._by_library: dict[int, int] = {}
        self._next_key = 1

    def assign(
        self,
        boxes: Sequence[Box],
        labels: Sequence[str],
        scores: npt.NDArray[np.float64],
        library_ids: npt.NDArray[np.int64],
        t: float,
    ) -> list[int | None]:
        """Each detection's object key; None for a weak detection no track claims."""
        self.expire(t)
        keys: list[int | None] = [None] * len(boxes)
        for i, lib in enumerate(library_ids.tolist()):
            key = self._by_library.get(lib) if lib >= 0 else None
            if key is not None and key in self._known and key not in keys:
                keys[i] = key
        starts = (library_ids >= 0) | (scores >= CONFIDENT_SCORE)
        open_dets = [i for i in range(len(boxes)) if keys[i] is None and starts[i]]
        self._continue_recent(open_dets, boxes, labels, keys, t)
        for i in open_dets:
            if keys[i] is None:
                keys[i] = self._next_key
                self._next_key += 1
        for i, key in enumerate(keys):
            if key is not None:
                self._observe(key, boxes[i], labels[i], int(library_ids[i]), t)
        return keys

    @property
    def known(self) -> frozenset[int]:
        """Keys of the objects still remembered."""
        return frozenset(self._known)

    def expire(self, t: float) -> list[int]:
        """Forget objects unseen for longer than `lost_track_s`; returns their keys."""
        gone = [k for k, known in self._known.items() if t - known.seen > self._lost_s]
        for key in gone:
            del self._known[key]
        self._by_library = {lib: key for lib, key in self._by_library.items() if key in self._known}
        return gone

    def reset(self) -> None:
        """Forget every object (keys keep counting up)."""
        self._known.clear()
        self._by_library.clear()

    def _continue_recent(
        self, dets: list[int], boxes: Sequence[Box], labels: Sequence[str], keys: list[int | None], t: float
    ) -> None:
        claimed = {k for k in keys if k is not None}
        pairs: list[tuple[float, int, int]] = []
        for key, known in self._known.items():
            if key in claimed or known.seen >= t:
                continue
            dt = t - known.seen
            cx, cy = _centre(known.box)
            px, py = cx + known.velocity[0] * dt, cy + known.velocity[1] * dt
            size = _size(known.box)
            for i in dets:
                if labels[i] not in known.labels and _iou(boxes[i], known.box) < SAME_PLACE_IOU:
                    continue
                ratio = _size(boxes[i]) / size
                if not 1.0 / REASSOCIATE_SIZE_RATIO <= ratio <= REASSOCIATE_SIZE_RATIO:
                    continue
                dx, dy = _centre(boxes[i])
                distance = float(np.hypot(dx - px, dy - py)) / size
                if distance <= REASSOCIATE_DISTANCE:
                    pairs.append((distance, i, key))
        for _, i, key in sorted(pairs):
            if keys[i] is None and key not in claimed:
                keys[i] = key
                claimed.add(key)

    def _observe(self, key: int, box: Box, label: str, library_id: int, t: float) -> None:
        known = self._known.get(key)
        if known is None:
            self._known[key] = _Known(box=box, seen=t, labels={label}, library_id=library_id)
        else:
            if t > known.seen:
                (ox, oy), (nx, ny) = _centre(known.box), _centre(box)
                known.velocity = ((nx - ox) / (t - known.seen), (ny - oy) / (t - known.seen))
            known.box, known.seen = box, t
            known.labels.add(label)
            if library_id >= 0 and library_id != known.library_id:
                self._by_library.pop(known.library_id, None)
                known.library_id = library_id
        if library_id >= 0:
            self._by_library[library_id] = key
