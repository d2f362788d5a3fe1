"""`line_count`: objects of `classes` crossing a line, counted in and out per class."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from watcher.rules.kinds.base import EventValue, Reading
from watcher.rules.kinds.filters import event_objects, matching_tracks
from watcher.rules.spec import LineCountRule
from watcher.types import Observation, Track

Point = tuple[float, float]

FORGET_S = 10.0
"""A track unseen this long is forgotten (bounded memory); a track back after that starts afresh."""


@dataclass(slots=True)
class Crossings:
    """Crossings of one class: `inward` from the right of the line to its left, `outward` back."""

    inward: int = 0
    outward: int = 0


def _side(a: Point, b: Point, p: Point) -> float:
    """Cross product sign: negative on the left of a→b as seen on screen (y grows downwards)."""
    return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])


def crossing(a: Point, b: Point, before: Point, after: Point) -> int:
    """+1 when before→after crosses segment a-b into its left side, -1 out of it, else 0.

    A point exactly on the line counts as the right side, so touching the line and going back is no crossing.
    """
    left_before, left_after = _side(a, b, before) < 0, _side(a, b, after) < 0
    if left_before == left_after:
        return 0
    # The move must also cut the segment itself, not the line beyond its ends.
    if (_side(before, after, a) > 0 and _side(before, after, b) > 0) or (
        _side(before, after, a) < 0 and _side(before, after, b) < 0
    ):
        return 0
    return 1 if left_after else -1


class LineCount:
    """Counts crossings of each track's bottom centre (in frame pixels) between processed frames.

    The kind keeps each track's previous anchor, so it is pure per observation stream. The value
    is the net count (in - out), e.g. people inside; `counts` has in and out per class. The
    condition holds from the first crossing on, so a `sensor` rule reports every change.
    """

    def __init__(self, rule: LineCountRule) -> None:
        self._rule = rule
        self._last: dict[int, tuple[float, Point]] = {}
        self._counts: dict[str, Crossings] = {}

    @property
    def idle_value(self) -> EventValue:
        return 0

    @property
    def counts(self) -> Mapping[str, Crossings]:
        """In and out counts per class so far."""
        return self._counts

    def read(self, obs: Observation) -> Reading:
        width, height = obs.frame_size
        (ax, ay), (bx, by) = self._rule.line
        a, b = (ax * width, ay * height), (bx * width, by * height)
        self._last = {k: v for k, v in self._last.items() if obs.time - v[0] <= FORGET_S}
        crossed: list[Track] = []
        for track in matching_tracks(self._rule, obs):
            x1, _, x2, y2 = track.box
            anchor = ((x1 + x2) / 2.0, y2)
            before = self._last.get(track.track_id)
            # A track missed for a few frames keeps its last anchor: a crossing in the gap still counts.
            self._last[track.track_id] = (obs.time, anchor)
            step = 0 if before is None else crossing(a, b, before[1], anchor)
            if step:
                counts = self._counts.setdefault(track.label, Crossings())
                if step > 0:
                    counts.inward += 1
                else:
                    counts.outward += 1
                crossed.append(track)
        net = sum(c.inward - c.outward for c in self._counts.values())
        return Reading(holds=bool(self._counts), value=net, objects=event_objects(crossed))
