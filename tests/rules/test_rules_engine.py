from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence

import pytest

from watcher.config import PresenceRule
from watcher.rules import RulesEngine, deterministic_ids
from watcher.types import Event, EventObject, EventType, Observation, RuleState

Summary = tuple[str, float, float | None, object, tuple[int, ...]]
PERSON_BOX = (10.0, 10.0, 30.0, 50.0)


def summary(events: Sequence[Event]) -> list[Summary]:
    return [
        (str(e.type), e.start_time, e.end_time, e.value, tuple(o.track_id for o in e.objects)) for e in events
    ]


def feed(engine: RulesEngine, observations: Sequence[Observation]) -> list[Event]:
    return [event for o in observations for event in engine.process(o)]


def counts_stream(crowd: Callable[..., Observation], counts: Sequence[int]) -> list[Observation]:
    return [crowd(float(t), n) for t, n in enumerate(counts)]


@pytest.mark.parametrize(
    ("fields", "counts", "expected"),
    [
        pytest.param(
            {},
            [0, 1, 1, 0],
            [("start", 1.0, None, 1, (1,)), ("end", 1.0, 3.0, 0, (1,))],
            id="start_and_end",
        ),
        pytest.param(
            {"for_s": 2, "clear_s": 2},
            [1, 1, 1, 0, 1, 0, 0, 0],
            [("start", 0.0, None, 1, (1,)), ("end", 0.0, 5.0, 0, (1,))],
            id="for_s_and_clear_s",
        ),
        pytest.param(
            {"for_s": 3, "clear_s": 2},
            [1, 1, 0, 1, 1],
            [("start", 0.0, None, 1, (1,))],
            id="miss_shorter_than_clear_s_keeps_the_pending_hold",
        ),
        pytest.param(
            {"for_s": 3, "clear_s": 1},
            [1, 1, 0, 0, 1, 1, 1, 1],
            [("start", 4.0, None, 1, (1,))],
            id="miss_as_long_as_clear_s_restarts_the_pending_hold",
        ),
        pytest.param(
            {"min_count": 2, "for_s": 3, "clear_s": 10},
            [2, 1, 1, 2, 1, 1, 2],
            [],
            id="blips_of_min_count_with_misses_over_1_s_never_start_despite_a_long_clear_s",
        ),
        pytest.param({"min_count": 2}, [1, 1, 1], [], id="below_min_count"),
        pytest.param(
            {"min_count": 2},
            [1, 2, 1],
            [("start", 1.0, None, 2, (1, 2)), ("end", 1.0, 2.0, 0, (1, 2))],
            id="min_count",
        ),
        pytest.param(
            {"report": "sensor"},
            [1, 2, 2, 1, 0],
            [
                ("start", 0.0, None, 1, (1,)),
                ("update", 0.0, None, 2, (1, 2)),
                ("update", 0.0, None, 1, (1,)),
                ("end", 0.0, 4.0, 0, (1,)),
            ],
            id="sensor_updates_on_count_change",
        ),
        pytest.param(
            {"report": "binary_sensor"},
            [1, 2, 1, 0],
            [("start", 0.0, None, 1, (1,)), ("end", 0.0, 3.0, 0, (1,))],
            id="binary_sensor_has_no_updates",
        ),
        pytest.param(
            {"report": "sensor", "clear_s": 5},
            [2, 0, 2, 0],
            [("start", 0.0, None, 2, (1, 2))],
            id="sensor_gap_sends_no_update",
        ),
    ],
)
def test_presence_rule_emits_exact_event_sequence(
    rule: Callable[..., PresenceRule],
    crowd: Callable[..., Observation],
    fields: dict[str, object],
    counts: list[int],
    expected: list[Summary],
) -> None:
    assert summary(feed(RulesEngine([rule(**fields)]), counts_stream(crowd, counts))) == expected


def test_event_carries_rule_identity_zone_and_objects(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation]
) -> None:
    [event] = RulesEngine([rule()], ids=lambda: "id-1").process(crowd(2.5, 1))
    assert event == Event(
        id="id-1",
        type=EventType.START,
        rule="presence_on_path",
        kind="presence",
        camera="demo",
        zone="path",
        start_time=2.5,
        end_time=None,
        value=1,
        objects=(EventObject(1, "person", 0.9, PERSON_BOX),),
    )


def test_whole_frame_rule_has_no_zone_in_events(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation]
) -> None:
    [event] = RulesEngine([rule(zone=None)]).process(crowd(0, 1))
    assert event.zone is None


def test_rules_of_other_cameras_ignore_the_observation(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation]
) -> None:
    assert RulesEngine([rule(camera="porch")]).process(crowd(0, 1)) == []


def test_rule_disabled_in_config_emits_nothing(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation]
) -> None:
    assert RulesEngine([rule(enabled=False)]).process(crowd(0, 1)) == []


def test_disabling_an_active_rule_ends_it_at_the_last_observation_time(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation]
) -> None:
    engine = RulesEngine([rule(clear_s=10)])
    feed(engine, [crowd(0, 1), crowd(1.5, 1)])
    assert summary(engine.set_enabled("presence_on_path", False)) == [("end", 0.0, 1.5, 0, (1,))]


def test_disabled_rule_ignores_observations(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation]
) -> None:
    engine = RulesEngine([rule()])
    engine.set_enabled("presence_on_path", False)
    assert engine.process(crowd(0, 1)) == []


def test_disabling_an_idle_rule_emits_nothing(rule: Callable[..., PresenceRule]) -> None:
    assert RulesEngine([rule()]).set_enabled("presence_on_path", False) == []


def test_reenabled_rule_starts_afresh(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation]
) -> None:
    engine = RulesEngine([rule(for_s=1)])
    feed(engine, [crowd(0, 1), crowd(1, 1)])
    engine.set_enabled("presence_on_path", False)
    engine.set_enabled("presence_on_path", True)
    events = feed(engine, [crowd(2, 1), crowd(3, 1)])
    assert summary(events) == [("start", 2.0, None, 1, (1,))]


def test_state_reports_active_value_and_since(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation]
) -> None:
    engine = RulesEngine([rule()])
    feed(engine, [crowd(0, 0), crowd(1, 2)])
    assert engine.state("presence_on_path") == RuleState(
        rule="presence_on_path", camera="demo", kind="presence", active=True, value=2, since=1.0
    )


def test_states_list_every_rule_in_config_order(rule: Callable[..., PresenceRule]) -> None:
    engine = RulesEngine([rule(name="b"), rule(name="a", enabled=False)])
    assert engine.states() == [
        RuleState(rule="b", camera="demo", kind="presence", active=False, value=0, since=None),
        RuleState(rule="a", camera="demo", kind="presence", active=False, value=0, since=None, enabled=False),
    ]


def test_state_of_unknown_rule_raises_key_error(rule: Callable[..., PresenceRule]) -> None:
    with pytest.raises(KeyError):
        RulesEngine([rule()]).state("nope")


def test_same_stream_twice_gives_identical_json(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation]
) -> None:
    rules = [rule(report="sensor", for_s=1, clear_s=1), rule(name="pair", min_count=2)]
    stream = counts_stream(crowd, [0, 1, 2, 2, 3, 1, 0, 0, 2, 2, 0, 0])

    def replay() -> str:
        events = feed(RulesEngine(rules, ids=deterministic_ids("clip.mp4")), stream)
        return json.dumps([e.to_json() for e in events])

    first = replay()
    assert len(json.loads(first)) > 4
    assert replay() == first


def test_default_ids_are_uuid4(rule: Callable[..., PresenceRule], crowd: Callable[..., Observation]) -> None:
    [event] = RulesEngine([rule()]).process(crowd(0, 1))
    assert uuid.UUID(event.id).version == 4
