"""`missing_associate`: a person in the zone without the associated item ("hardhat missing")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from watcher.rules.kinds.base import EventValue, Reading
from watcher.rules.kinds.filters import matching_tracks
from watcher.rules.kinds.persons import PersonVote
from watcher.rules.spec import MissingAssociateRule
from watcher.types import EventObject, Observation, Votes

PERSON = "person"


@dataclass(frozen=True, slots=True)
class PersonVotes(Votes):
    """The analyzer's fact: `by_key` is each track's smoothed vote (as any `Votes`), `persons` says
    which person each track is, their vote and whether it is settled (what the annotation draws)."""

    persons: Mapping[int, PersonVote] = field(default_factory=dict)


def missing_label(item: str) -> str:
    """The vote label for a person seen without `item`."""
    return f"no_{item}"


class MissingAssociate:
    """Holds while a person in the zone is voted `no_<item>`; objects are those persons, value the count.

    Judged per person (`read_each`), so two workers without a hardhat give two events, and one
    whose track breaks and is found again keeps one. An object's `track_id` is the person's id (the
    id of their first track, from `PersonVotes`; the track id itself without it), so a person's
    start, updates and end name them alike. A person with no vote yet (or an 'unknown' vote) does
    not count: silence is the safe default.
    """

    def __init__(self, rule: MissingAssociateRule) -> None:
        self._rule = rule
        self._missing = missing_label(rule.item)

    @property
    def idle_value(self) -> EventValue:
        return 0

    def read_each(self, obs: Observation) -> Mapping[int, Reading]:
        """One holding reading per person voted without the item, keyed by person; others are absent."""
        return {o.track_id: Reading(holds=True, value=1, objects=(o,)) for o in self.read(obs).objects}

    def read(self, obs: Observation) -> Reading:
        found = obs.fact(self._rule.name, Votes)
        votes = found.by_key if found is not None else {}
        persons = found.persons if isinstance(found, PersonVotes) else {}
        missing = [
            t
            for t in matching_tracks(self._rule, obs, classes=(PERSON,))
            if (vote := votes.get(t.track_id)) is not None and vote.label == self._missing
        ]
        objects = tuple(
            EventObject(
                persons[t.track_id].person if t.track_id in persons else t.track_id, t.label, t.score, t.box
            )
            for t in missing
        )
        return Reading(holds=bool(objects), value=len(objects), objects=objects)
