"""`missing_associate`: a person in the zone without the associated item ("hardhat missing")."""

from __future__ import annotations

from collections.abc import Mapping

from watcher.rules.kinds.base import EventValue, Reading
from watcher.rules.spec import MissingAssociateRule
from watcher.types import EventObject, Observation

PERSON = "person"


def missing_label(item: str) -> str:
    """The vote label for a person seen without `item`."""
    return f"no_{item}"


class MissingAssociate:
    """Holds while a person in the zone is voted `no_<item>`; objects are those persons, value the count.

    Judged per track (`read_each`), so two workers without a hardhat give two events. A person with
    no vote yet (or an 'unknown' vote) does not count: silence is the safe default.
    """

    def __init__(self, rule: MissingAssociateRule) -> None:
        self._rule = rule
        self._missing = missing_label(rule.item)

    @property
    def idle_value(self) -> EventValue:
        return 0

    def read_each(self, obs: Observation) -> Mapping[int, Reading]:
        """One holding reading per person voted without the item; others are absent."""
        return {o.track_id: Reading(holds=True, value=1, objects=(o,)) for o in self.read(obs).objects}

    def read(self, obs: Observation) -> Reading:
        votes = obs.votes.get(self._rule.name, {})
        zone = self._rule.zone
        missing = sorted(
            (
                t
                for t in obs.tracks
                if t.label == PERSON
                and t.score >= self._rule.min_score
                and (zone is None or zone in t.zones)
                and (vote := votes.get(t.track_id)) is not None
                and vote.label == self._missing
            ),
            key=lambda t: t.track_id,
        )
        objects = tuple(EventObject(t.track_id, t.label, t.score, t.box) for t in missing)
        return Reading(holds=bool(objects), value=len(objects), objects=objects)
