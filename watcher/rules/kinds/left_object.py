"""`left_object`: a new still thing in the zone ("package delivered"), gone again ("package taken")."""

from __future__ import annotations

from watcher.rules.kinds.base import EventValue, Reading
from watcher.rules.kinds.filters import event_objects, matching_tracks
from watcher.rules.spec import LeftObjectRule
from watcher.types import EventObject, Observation, Regions

REGION_LABEL = "object"
"""Label of a change-detector region in event objects (it has no class)."""


class LeftObject:
    """Holds while the zone has a new still region or a stationary track of `classes`; value = count."""

    def __init__(self, rule: LeftObjectRule) -> None:
        self._rule = rule

    @property
    def idle_value(self) -> EventValue:
        return 0

    def read(self, obs: Observation) -> Reading:
        objects = list(event_objects([t for t in matching_tracks(self._rule, obs) if t.stationary]))
        # Regions have no track id; -1, -2, ... keep them apart from real tracks in the objects list.
        found = obs.fact(self._rule.name, Regions)
        regions = sorted(found.regions if found else (), key=lambda r: (r.first_seen, r.box))
        objects += [EventObject(-1 - i, REGION_LABEL, 1.0, r.box) for i, r in enumerate(regions)]
        status = found.learning.status if found and found.learning else None
        return Reading(holds=bool(objects), value=len(objects), objects=tuple(objects), status=status)
