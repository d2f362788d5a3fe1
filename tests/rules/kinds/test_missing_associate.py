"""`missing_associate` on hand-made observations: per-person votes in the zone, exact event sequences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.rules.kinds.helpers import at, car, rule_of, run
from watcher import config
from watcher.detect import ScriptedDetector, YoloDetector
from watcher.rules import RulesEngine
from watcher.rules.kinds import MissingAssociate
from watcher.rules.kinds.votes import MissingAssociateAnalyzer, missing_associate_analyzers
from watcher.rules.spec import MissingAssociateRule
from watcher.types import Frame, Observation, Track, Vote

HAT = Vote("hardhat", 1.0, 0.9)
NO_HAT = Vote("no_hardhat", 1.0, 0.9)


def _rule(**fields: object) -> MissingAssociateRule:
    rule = rule_of("missing_associate", **{"item": "hardhat", "for_s": 1, "clear_s": 1, **fields})
    assert isinstance(rule, MissingAssociateRule)
    return rule


def _person(track_id: int, zones: tuple[str, ...] = ("kerb",)) -> Track:
    return car(track_id, label="person", zones=zones, since=None)


def _obs(t: float, votes: dict[int, Vote], zones: tuple[str, ...] = ("kerb",)) -> Observation:
    return at(t, *(_person(i, zones) for i in sorted(votes)), votes={"r": votes})


@pytest.mark.parametrize(
    ("votes", "expected"),
    [
        ([{1: NO_HAT}] * 3 + [{1: HAT}] * 3, [("start", 0.0, None, 1), ("end", 0.0, 3.0, 0)]),
        ([{1: HAT}] * 5, []),
        ([{1: NO_HAT}, {1: HAT}, {1: NO_HAT}, {1: HAT}], []),
    ],
    ids=["bare-head-then-hat", "hat-all-along", "never-held-for-for_s"],
)
def test_person_without_item_for_for_s_starts(
    votes: list[dict[int, Vote]], expected: list[tuple[object, ...]]
) -> None:
    assert run(_rule(clear_s=0), [_obs(float(t), v) for t, v in enumerate(votes)]) == expected


def test_two_bare_headed_workers_are_both_objects_of_the_event() -> None:
    reading = MissingAssociate(_rule()).read(_obs(0.0, {1: NO_HAT, 2: NO_HAT, 3: HAT}))
    assert [o.track_id for o in reading.objects] == [1, 2]
    assert reading.value == 2


@pytest.mark.parametrize(
    ("zones", "votes"),
    [(("yard",), {1: NO_HAT}), (("kerb",), {}), (("kerb",), {1: Vote("unknown", 0.0, 0.1)})],
    ids=["outside-zone", "no-vote-yet", "unknown-vote"],
)
def test_person_does_not_count_without_a_missing_vote_in_the_zone(
    zones: tuple[str, ...], votes: dict[int, Vote]
) -> None:
    obs = at(0.0, _person(1, zones), votes={"r": votes})
    assert MissingAssociate(_rule()).read(obs).holds is False


PERSON_BOX = (20.0, 10.0, 60.0, 90.0)  # head band [0, 0.3] = y 10..34


@pytest.mark.parametrize(
    ("items", "label"),
    [
        ([("hardhat", 0.8, (30.0, 10.0, 50.0, 22.0))], "hardhat"),  # centre (40, 16): on the head
        ([("hardhat", 0.8, (30.0, 60.0, 50.0, 80.0))], "no_hardhat"),  # held at the hip
        ([("hardhat", 0.8, (70.0, 10.0, 90.0, 22.0))], "no_hardhat"),  # on someone else's head
        ([("vest", 0.8, (30.0, 10.0, 50.0, 22.0))], "no_hardhat"),  # another item class
        ([], "no_hardhat"),
    ],
    ids=["on-head", "at-hip", "beside", "other-class", "none"],
)
def test_item_model_associates_by_item_centre_inside_the_band(
    items: list[tuple[str, float, tuple[float, float, float, float]]], label: str
) -> None:
    detector = ScriptedDetector([items], labels=["hardhat", "vest"])
    analyzer = MissingAssociateAnalyzer(_rule(), detector=detector)
    person = car(4, label="person", box=PERSON_BOX, since=None)
    frame = Frame("demo", 0, 0.0, np.zeros((100, 100, 3), np.uint8))
    obs = analyzer.analyze(frame, at(0.0, person))
    assert obs.facts["r"].by_key[4].label == label  # type: ignore[attr-defined]


def test_item_model_does_not_run_without_a_person_in_the_zone() -> None:
    detector = ScriptedDetector([[("hardhat", 0.8, (30.0, 10.0, 50.0, 22.0))]])
    analyzer = MissingAssociateAnalyzer(_rule(), detector=detector)
    frame = Frame("demo", 0, 0.0, np.zeros((100, 100, 3), np.uint8))
    obs = analyzer.analyze(frame, at(0.0, car(4, label="person", zones=("yard",), since=None)))
    assert (detector.calls, dict(obs.facts["r"].by_key)) == (0, {})  # type: ignore[attr-defined]


def test_two_bare_headed_workers_give_two_events_each_ending_on_its_own() -> None:
    engine = RulesEngine([_rule(clear_s=0)])
    stream = [
        _obs(0.0, {1: NO_HAT, 2: NO_HAT}),
        _obs(1.0, {1: NO_HAT, 2: NO_HAT}),
        _obs(2.0, {1: HAT, 2: NO_HAT}),
        _obs(3.0, {1: HAT, 2: HAT}),
    ]
    events = [
        (e.type.value, e.start_time, e.end_time, [o.track_id for o in e.objects])
        for o in stream
        for e in engine.process(o)
    ]
    assert events == [
        ("start", 0.0, None, [1]),
        ("start", 0.0, None, [2]),
        ("end", 0.0, 2.0, [1]),
        ("end", 0.0, 3.0, [2]),
    ]


def test_per_track_rule_state_counts_the_tracks_with_an_active_event() -> None:
    engine = RulesEngine([_rule(clear_s=0, for_s=0)])
    engine.process(_obs(5.0, {1: NO_HAT, 2: NO_HAT, 3: HAT}))
    state = engine.state("r")
    assert (state.active, state.value, state.since) == (True, 2, 5.0)
    engine.process(_obs(6.0, {1: HAT, 2: HAT, 3: HAT}))
    state = engine.state("r")
    assert (state.active, state.value, state.since) == (False, 0, None)


def test_an_item_model_takes_the_thresholds_of_its_cameras_own_detector(repo_root: Path) -> None:
    cfg = config.loads(
        f"""
[[cameras]]
name = "site"
url = "demo"
detector = {{ score_threshold = 0.6 }}

[[zones]]
camera = "site"
name = "gate"
points = [[0, 0], [1, 0], [1, 1], [0, 1]]

[[rules]]
name = "no_backpack"
kind = "missing_associate"
camera = "site"
zone = "gate"
item = "backpack"
item_model = "{repo_root / "models" / "yolov8n_int8.onnx"}"
"""
    )
    (analyzer,) = missing_associate_analyzers(cfg.cameras[0], cfg, None)
    assert isinstance(analyzer, MissingAssociateAnalyzer)
    assert isinstance(analyzer._detector, YoloDetector)
    assert analyzer._detector.score_threshold == 0.6
