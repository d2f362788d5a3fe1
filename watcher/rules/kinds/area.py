"""`area`: how much of a zone a mask covers (instance masks of `classes`, or an HSV colour range).

The pixels are measured by the area analyzer (`watcher.rules.kinds.area_mask`) and arrive in
the rule's `AreaMeasure` fact; this kind only applies the thresholds, so the engine never sees pixels.
"""

from __future__ import annotations

from watcher.rules.kinds.base import EventValue, Reading
from watcher.rules.kinds.filters import event_objects, matching_tracks
from watcher.rules.spec import AreaRule
from watcher.types import AreaMeasure, Observation


class Area:
    """Value per `measure` (fraction, px or m²); holds on `above`/`below` the fraction, else on any area."""

    def __init__(self, rule: AreaRule) -> None:
        self._rule = rule

    @property
    def idle_value(self) -> EventValue:
        return 0.0

    def read(self, obs: Observation) -> Reading:
        measured = obs.fact(self._rule.name, AreaMeasure)
        if measured is None:
            # Nothing measured on this frame (no analyzer result): counts as a miss, bridged by clear_s.
            return Reading(holds=False, value=self.idle_value)
        objects = event_objects(matching_tracks(self._rule, obs)) if self._rule.classes else ()
        return Reading(holds=self._holds(measured.fraction), value=self._value(measured), objects=objects)

    def _holds(self, fraction: float) -> bool:
        above, below = self._rule.above, self._rule.below
        if above is None and below is None:
            return fraction > 0.0
        return (above is None or fraction > above) and (below is None or fraction < below)

    def _value(self, measured: AreaMeasure) -> EventValue:
        if self._rule.measure == "px":
            return round(measured.px)
        if self._rule.measure == "m2":
            return None if measured.m2 is None else round(measured.m2, 2)
        return round(measured.fraction, 3)
