"""`left_object` on hand-made observations: change regions and stationary tracks, exact event sequences."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.rules.kinds.helpers import at, car, rule_of, run
from watcher.rules import RulesEngine
from watcher.rules.kinds import LeftObject
from watcher.rules.spec import LeftObjectRule
from watcher.types import Learning, Observation, Region, Regions

PARCEL = Region(box=(40.0, 60.0, 60.0, 80.0), area=400.0, first_seen=0.0, still_since=0.0)


def _rule(**fields: object) -> LeftObjectRule:
    rule = rule_of("left_object", for_s=2, clear_s=2, **fields)
    assert isinstance(rule, LeftObjectRule)
    return rule


def _parcel(t: float, zone: str = "kerb") -> Observation:
    return at(t, regions={zone: (PARCEL,)})


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        # delivered at 1, held for_s = 2 → start emitted at 3; taken at 6 → end emitted at 8.
        ({1, 2, 3, 4, 5}, [("start", 1.0, None, 1), ("end", 1.0, 6.0, 0)]),
        # held only 1 s: no event at all.
        ({1, 2}, []),
        # one missed frame (t = 4) is no taking: one event.
        ({1, 2, 3, 5, 6}, [("start", 1.0, None, 1), ("end", 1.0, 7.0, 0)]),
    ],
    ids=["delivered-then-taken", "too-short", "flicker"],
)
def test_region_in_zone_starts_after_for_s_and_ends_after_clear_s(
    present: set[int], expected: list[tuple[object, ...]]
) -> None:
    observations = [_parcel(float(t)) if t in present else at(float(t)) for t in range(11)]
    assert run(_rule(), observations) == expected


def test_region_in_another_zone_does_not_hold() -> None:
    assert LeftObject(_rule()).read(_parcel(1.0, zone="porch")).holds is False


@pytest.mark.parametrize(
    ("label", "stationary", "holds"),
    [("suitcase", True, True), ("suitcase", False, False), ("person", True, False), ("backpack", True, True)],
)
def test_stationary_tracks_of_listed_classes_count_as_left_objects(
    label: str, stationary: bool, holds: bool
) -> None:
    track = car(label=label, since=0.0 if stationary else None)
    assert LeftObject(_rule()).read(at(1.0, track)).holds is holds


def test_custom_class_counts_when_listed() -> None:
    track = car(label="package", since=0.0)
    assert LeftObject(_rule(classes=["package"])).read(at(1.0, track)).holds is True


def test_reading_lists_tracks_then_regions_with_negative_ids() -> None:
    reading = LeftObject(_rule()).read(at(1.0, car(7, label="suitcase"), regions={"kerb": (PARCEL,)}))
    assert [(o.track_id, o.label, o.box) for o in reading.objects] == [
        (7, "suitcase", (10.0, 10.0, 40.0, 30.0)),
        (-1, "object", PARCEL.box),
    ]
    assert reading.value == 2


def test_learning_state_and_pending_hold_reach_the_engines_snapshot() -> None:
    engine = RulesEngine([_rule()])
    shown: list[tuple[str | None, float | None, bool]] = []
    for t, learning, regions in [
        (0.0, Learning("learning: a person is in the zone", 0.4), ()),
        (1.0, Learning("learned", 0.95), ()),
        (2.0, Learning("learned", 0.95), (PARCEL,)),
        (4.0, Learning("learned", 0.95), (PARCEL,)),
    ]:
        engine.process(replace(at(t), facts={"r": Regions(regions, learning)}))
        state = engine.state("r")
        shown.append((state.status, state.pending_since, state.active))
    # Pending from 2.0 (for_s = 2) until the start at 4.0.
    assert shown == [
        ("learning: a person is in the zone", None, False),
        ("learned", None, False),
        ("learned", 2.0, False),
        ("learned", None, True),
    ]
