"""`missing_associate` per person: tracks that break stay one person, votes settle, cost is bounded (#18)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.rules.kinds.helpers import at, car, rule_of
from watcher.detect import ScriptedDetector
from watcher.rules import RulesEngine
from watcher.rules.kinds.missing_associate import PersonVotes
from watcher.rules.kinds.persons import CLEAR_HOLD_S, CONFIRM_EVERY_S, RECHECK_S, UNSETTLED_EVERY_S, Persons
from watcher.rules.kinds.votes import MissingAssociateAnalyzer
from watcher.rules.spec import MissingAssociateRule
from watcher.types import Box, Frame, Observation, Track, Vote

HAT = Vote("hardhat", 1.0, 0.9)
NO_HAT = Vote("no_hardhat", 1.0, 0.9)
TALL: Box = (20.0, 10.0, 40.0, 70.0)  # 60 px tall


def _person(track_id: int, box: Box = TALL, zones: tuple[str, ...] = ("kerb",)) -> Track:
    return car(track_id, label="person", box=box, zones=zones, since=None)


def _moved(box: Box, dx: float, scale: float = 1.0) -> Box:
    x1, y1, x2, y2 = box
    return x1 + dx, y1, x1 + dx + (x2 - x1) * scale, y1 + (y2 - y1) * scale


def _ids(persons: Persons, t: float, *tracks: Track) -> dict[int, int]:
    persons.update(t, tracks)
    return {tr.track_id: persons.person_of(tr.track_id) for tr in tracks}


@pytest.mark.parametrize(
    ("gap_s", "box", "same"),
    [
        (0.5, _moved(TALL, 30.0), True),  # lost behind a pole, found 0.5 body heights on
        (1.5, _moved(TALL, 80.0), True),  # further after longer: a walk of ~1 height a second
        (0.5, _moved(TALL, 80.0), False),  # too far for the time it was gone
        (0.5, _moved(TALL, 0.0, scale=2.0), False),  # twice as tall: someone nearer the camera
        (2.5, TALL, False),  # gone longer than a relink bridges
    ],
    ids=["near-soon", "further-later", "too-far", "too-tall", "too-late"],
)
def test_a_new_track_where_a_lost_person_could_be_is_that_person(gap_s: float, box: Box, same: bool) -> None:
    persons = Persons()
    _ids(persons, 0.0, _person(1))
    assert _ids(persons, gap_s, _person(5, box)) == {5: 1 if same else 5}


def test_a_live_track_is_never_linked_and_each_lost_person_is_linked_once() -> None:
    persons = Persons()
    _ids(persons, 0.0, _person(1), _person(2, _moved(TALL, 200.0)))
    # 1 is lost; 3 and 4 both appear where it was: the nearer one is 1, the other someone new.
    found = _ids(
        persons, 0.5, _person(2, _moved(TALL, 200.0)), _person(3, _moved(TALL, 5.0)), _person(4, TALL)
    )
    assert found == {2: 2, 3: 3, 4: 1}


def test_a_lost_track_found_again_takes_its_person_back_and_the_stand_in_is_someone_else() -> None:
    persons = Persons()
    _ids(persons, 0.0, _person(1))
    assert _ids(persons, 0.5, _person(5, _moved(TALL, 10.0))) == {5: 1}
    assert _ids(persons, 1.0, _person(1), _person(5, _moved(TALL, 10.0))) == {1: 1, 5: 5}


def _rule(**fields: object) -> MissingAssociateRule:
    rule = rule_of("missing_associate", **{"item": "hardhat", "for_s": 1, "clear_s": 1, **fields})
    assert isinstance(rule, MissingAssociateRule)
    return rule


FRAME = np.zeros((100, 100, 3), np.uint8)


def _analyze(analyzer: MissingAssociateAnalyzer, t: float, *tracks: Track) -> Observation:
    return analyzer.analyze(Frame("demo", round(t * 10), t, FRAME), at(t, *tracks))


def test_a_person_whose_track_breaks_is_one_episode() -> None:
    # No hardhat box ever: every look votes no_hardhat. Track 1 walks right, is lost for 0.5 s
    # (less than clear_s) and comes back as track 7: one start, one end, not two of each, and both
    # name the person by their first track.
    analyzer = MissingAssociateAnalyzer(_rule(), detector=ScriptedDetector({}, labels=["hardhat"]))
    engine = RulesEngine([_rule()])
    walk = [(t / 2, 1 if t < 4 else 7, t * 4.0) for t in range(10) if t != 4]
    events = []
    for t, track, dx in walk:
        events += engine.process(_analyze(analyzer, t, _person(track, _moved(TALL, dx))))
    events += engine.process(_analyze(analyzer, 5.0))
    events += engine.process(_analyze(analyzer, 6.0))
    assert [(str(e.type), e.start_time, e.end_time, [o.track_id for o in e.objects]) for e in events] == [
        ("start", 0.0, None, [1]),
        ("end", 0.0, 5.0, [1]),
    ]


def test_a_settled_person_is_looked_at_again_only_after_recheck_s_or_a_new_size() -> None:
    # A hardhat box on the head every call: the vote settles on 'hardhat' after three looks 0.4 s
    # apart; a person sidling along is not looked at again until RECHECK_S; walking nearer is.
    hat = [("hardhat", 0.8, (25.0, 12.0, 35.0, 20.0))]
    detector = ScriptedDetector(dict.fromkeys(range(20), hat), labels=["hardhat"])
    analyzer = MissingAssociateAnalyzer(_rule(), detector=detector)
    looks = []
    for i in range(70):
        t = i * 0.2
        box = _moved(TALL, i * 0.1, scale=1.6 if t >= 12.0 else 1.0)
        obs = _analyze(analyzer, t, _person(1, box))
        looks.append(detector.calls)
        fact = obs.fact("r", PersonVotes)
        assert fact is not None
        vote = fact.persons[1].vote
        assert vote is not None
        assert (vote.label, vote.share, vote.similarity) == ("hardhat", 1.0, pytest.approx(0.8))
    looked_at = [round(i * 0.2, 1) for i in range(70) if looks[i] > (looks[i - 1] if i else 0)]
    assert looked_at == [0.0, 0.4, 0.8, 0.8 + RECHECK_S, 12.0]
    fact = obs.fact("r", PersonVotes)
    assert fact is not None
    assert (fact.persons[1].person, fact.persons[1].settled) == (1, True)


def test_votes_are_smoothed_over_the_persons_recent_looks() -> None:
    persons = Persons()
    track = _person(1)
    persons.update(0.0, [track])
    for i, vote in enumerate([NO_HAT, NO_HAT, HAT, NO_HAT]):
        persons.add_vote(track, vote, i * 0.5)
    (found,) = persons.votes([track]).values()
    assert (found.vote, found.settled) == (Vote("no_hardhat", 0.75, 0.9), False)


def _decisions(hat_from: float, hat_until: float, end: float) -> list[tuple[float, str]]:
    """Drive one flagged-prone person on the analyzer's look schedule: each look votes a hat
    between `hat_from` and `hat_until`, no hat otherwise; the (time, label) of each change of what
    the rule reads."""
    persons = Persons(sticky="no_hardhat")
    track = _person(1)
    changes: list[tuple[float, str]] = []
    for i in range(round(end / 0.2) + 1):
        t = round(i * 0.2, 1)
        persons.update(t, [track])
        if persons.needs_vote(track, t):
            persons.add_vote(track, HAT if hat_from <= t < hat_until else NO_HAT, t)
        vote = persons.votes([track])[1].vote
        assert vote is not None
        if not changes or changes[-1][1] != vote.label:
            changes.append((t, vote.label))
    return changes


def test_a_flagged_person_who_puts_a_hat_on_is_cleared_after_clear_hold_s() -> None:
    # Flagged from the first look; the hat goes on at 5 s. It is seen at the next recheck
    # (0.8 + RECHECK_S), the smoothed vote turns after three hat looks 0.4 s apart, and the flag
    # holds until the hat has held CLEAR_HOLD_S on looks every CONFIRM_EVERY_S.
    turned = 0.8 + RECHECK_S + 2 * UNSETTLED_EVERY_S
    confirms = math.ceil(CLEAR_HOLD_S / CONFIRM_EVERY_S)  # looks until the hold is reached
    cleared = round(turned + confirms * CONFIRM_EVERY_S, 1)
    assert _decisions(5.0, 60.0, 40.0) == [(0.0, "no_hardhat"), (cleared, "hardhat")]
    assert cleared - 5.0 <= RECHECK_S + 2 * UNSETTLED_EVERY_S + CLEAR_HOLD_S + CONFIRM_EVERY_S


def test_a_flagged_person_misread_as_wearing_a_hat_for_a_while_stays_flagged() -> None:
    # Every look reads a hat from the recheck at 10.8 s until 20 s (shorter than CLEAR_HOLD_S),
    # then no hat again: the flag never drops, so their episode does not end and start again.
    assert _decisions(5.0, 20.0, 40.0) == [(0.0, "no_hardhat")]


def test_without_a_sticky_label_a_majority_flip_is_followed_at_once() -> None:
    persons = Persons()
    track = _person(1)
    persons.update(0.0, [track])
    for i, vote in enumerate([NO_HAT, NO_HAT, NO_HAT, HAT, HAT, HAT]):
        persons.add_vote(track, vote, i * 0.4)
    (found,) = persons.votes([track]).values()
    assert (found.vote, found.settled) == (Vote("hardhat", 0.6, 0.9), True)
