"""`state` on hand-made observations: the zone vote held for `for_s` gives exact event sequences."""

from __future__ import annotations

import pytest

from tests.rules.kinds.helpers import at, rule_of, run
from watcher.rules.kinds import State
from watcher.rules.kinds.state import ZONE_VOTE
from watcher.rules.spec import StateRule
from watcher.scene.classify import UNKNOWN
from watcher.types import Observation, Vote


def _rule(**fields: object) -> StateRule:
    rule = rule_of("state", **{"when": "open", "for_s": 2, "clear_s": 1, **fields})
    assert isinstance(rule, StateRule)
    return rule


def _voted(t: float, label: str) -> Observation:
    return at(t, votes={"r": {ZONE_VOTE: Vote(label, 1.0, 0.9)}})


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        # open from 1 to 4, closed at 5: start (value "open") at 3, end at 5 with the idle value.
        ("cooooccc", [("start", 1.0, None, "open"), ("end", 1.0, 5.0, None)]),
        # open for 1 s only.
        ("coocccc", []),
        # an unknown vote (unusual view) is not "open": the hold restarts after it.
        ("couoooc", [("start", 3.0, None, "open"), ("end", 3.0, 6.0, None)]),
        # gate never opened.
        ("ccccc", []),
    ],
    ids=["opened-then-closed", "too-short", "unknown-breaks-hold", "closed"],
)
def test_vote_held_for_for_s_starts_and_other_vote_ends(
    labels: str, expected: list[tuple[object, ...]]
) -> None:
    names = {"c": "closed", "o": "open", "u": UNKNOWN}
    observations = [_voted(float(t), names[c]) for t, c in enumerate(labels)]
    assert run(_rule(clear_s=0), observations) == expected


def test_observation_without_a_vote_does_not_hold() -> None:
    assert State(_rule()).read(at(1.0)).holds is False


def test_vote_of_another_rule_is_ignored() -> None:
    obs = at(1.0, votes={"other": {ZONE_VOTE: Vote("open", 1.0, 0.9)}})
    assert State(_rule()).read(obs).holds is False
