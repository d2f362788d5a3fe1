"""`state`: the few-shot classifier's vote on the zone crop equals `when` ("gate left open")."""

from __future__ import annotations

from watcher.rules.kinds.base import EventValue, Reading
from watcher.rules.spec import StateRule
from watcher.types import Observation, Votes

ZONE_VOTE = 0
"""Key of the zone crop's vote in the rule's `Votes` fact (track ids are used for per-track votes)."""


class State:
    """Holds while the latest vote is `when`; the value is the voted label, None before any vote."""

    def __init__(self, rule: StateRule) -> None:
        self._rule = rule

    @property
    def idle_value(self) -> EventValue:
        return None

    def read(self, obs: Observation) -> Reading:
        votes = obs.fact(self._rule.name, Votes)
        vote = votes.by_key.get(ZONE_VOTE) if votes is not None else None
        if vote is None:
            return Reading(holds=False, value=None)
        return Reading(holds=vote.label == self._rule.when, value=vote.label)
