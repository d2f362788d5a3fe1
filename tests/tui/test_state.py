"""The dashboard state model: count history, rule merging, bounded and filtered events."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.tui.conftest import NOON, make_event
from watcher.clock import FakeClock
from watcher.tui.state import SPARK_BUCKET_S, SPARK_BUCKETS, DashboardState, RuleUpdate
from watcher.types import EventType


def test_a_count_without_changes_holds_its_value_in_later_buckets(
    clock: FakeClock, state: DashboardState
) -> None:
    state.set_counts("garden", {"*": {"person": 2}})
    clock.advance(3 * SPARK_BUCKET_S)
    series = state.counts[("", "garden", "*", "person")].series(state.bucket())
    assert series[-4:] == [2, 2, 2, 2]
    assert series[:-4] == [0] * (SPARK_BUCKETS - 4)


def test_a_bucket_shows_the_highest_count_it_saw(clock: FakeClock, state: DashboardState) -> None:
    for people in (1, 4, 2):
        state.set_counts("garden", {"*": {"person": people}})
    clock.advance(SPARK_BUCKET_S)
    assert state.counts[("", "garden", "*", "person")].series(state.bucket())[-2:] == [4, 2]


def test_history_older_than_the_window_still_sets_the_held_value(
    clock: FakeClock, state: DashboardState
) -> None:
    state.set_counts("garden", {"*": {"person": 3}})
    clock.advance(5 * SPARK_BUCKETS * SPARK_BUCKET_S)
    assert state.counts[("", "garden", "*", "person")].series(state.bucket()) == [3] * SPARK_BUCKETS


def test_a_label_missing_from_new_counts_drops_to_zero(state: DashboardState) -> None:
    state.set_counts("garden", {"*": {"person": 1, "dog": 1}})
    state.set_counts("garden", {"*": {"person": 1}})
    assert {key[3]: s.value for key, s in state.counts.items()} == {"person": 1, "dog": 0}


def test_counts_of_another_camera_are_left_alone(state: DashboardState) -> None:
    state.set_counts("garden", {"*": {"person": 1}})
    state.set_counts("porch", {"*": {}})
    assert state.counts[("", "garden", "*", "person")].value == 1


def test_events_are_kept_newest_first_up_to_the_limit(clock: FakeClock) -> None:
    state = DashboardState(clock, events_kept=3)
    for n in range(5):
        state.add_event(make_event(n), NOON + timedelta(seconds=n))
    assert [row.event.id for row in state.shown_events()] == ["ev004", "ev003", "ev002"]


@pytest.mark.parametrize(
    ("words", "shown"),
    [
        ("", ["ev003", "ev002", "ev001"]),
        ("END", ["ev002"]),
        ("sign", ["ev003"]),
        ("person garden start", ["ev003", "ev001"]),
        ("porch", []),
    ],
)
def test_the_event_filter_keeps_events_matching_every_word(
    busy_state: DashboardState, words: str, shown: list[str]
) -> None:
    busy_state.event_filter = words
    assert [row.event.id for row in busy_state.shown_events()] == shown


def test_an_update_without_a_state_keeps_the_rules_state(state: DashboardState) -> None:
    state.update_rule(RuleUpdate("r", "cam", "presence", True, 2, NOON))
    state.update_rule(RuleUpdate("r", "cam", enabled=False))
    row = state.rules[("", "r")]
    assert (row.kind, row.active, row.value, row.since, row.enabled) == ("presence", True, 2, NOON, False)


def test_the_same_state_again_keeps_its_since_when(state: DashboardState) -> None:
    state.update_rule(RuleUpdate("r", "cam", active=True, value=2, since=NOON))
    state.update_rule(RuleUpdate("r", "cam", active=True, value=2, since=NOON + timedelta(seconds=60)))
    assert state.rules[("", "r")].since == NOON


def test_a_rule_first_seen_without_a_kind_shows_a_question_mark(state: DashboardState) -> None:
    state.update_rule(RuleUpdate("r", "cam", active=False, value=None))
    assert state.rules[("", "r")].kind == "?"


def test_pausing_an_unknown_camera_adds_it_as_unknown(state: DashboardState) -> None:
    state.set_detecting("attic", False)
    assert (state.cameras[("", "attic")].state, state.cameras[("", "attic")].detecting) == ("unknown", False)


def test_an_end_event_row_matches_its_type_word(busy_state: DashboardState) -> None:
    (row,) = [r for r in busy_state.events if r.event.type is EventType.END]
    assert "end person_on_lawn presence garden lawn person" in row.text()


def _fleet(state: DashboardState) -> None:
    for node, availability in (("porch", "online"), ("garage", "offline"), ("attic", "online")):
        state.set_availability(node, availability, None)
        state.set_counts("cam", {"*": {"person": 1}}, node)
        state.add_event(make_event(len(state.events), camera="cam"), NOON, node)


def test_nodes_are_kept_in_name_order_and_counted_online_in_the_headline(state: DashboardState) -> None:
    state.feed = "mqtt broker:1883"
    _fleet(state)
    assert list(state.nodes) == ["attic", "garage", "porch"]
    assert state.headline() == "mqtt broker:1883 · 2/3 nodes online · offline: garage"


def test_n_steps_the_node_filter_through_every_node_then_all(state: DashboardState) -> None:
    _fleet(state)
    assert [state.next_node() for _ in range(4)] == ["attic", "garage", "porch", None]


def test_the_node_filter_shows_that_nodes_events_only(state: DashboardState) -> None:
    _fleet(state)
    state.node_filter = "garage"
    assert [(row.node, row.event.id) for row in state.shown_events()] == [("garage", "ev001")]
    assert state.headline().endswith(" · node garage")


def test_only_a_node_that_said_offline_is_offline(state: DashboardState) -> None:
    _fleet(state)
    assert [state.online(node) for node in ("attic", "garage", "unknown")] == [True, False, True]


def test_a_node_is_offline_while_its_bridge_is_down_whatever_it_said_last(state: DashboardState) -> None:
    later = NOON + timedelta(minutes=5)
    state.set_bridge("porch", False, None)
    assert "porch" not in state.nodes  # a bridge alone is no node: its row waits for the node's word
    state.set_availability("porch", "online", None)
    assert (state.nodes["porch"].availability, state.online("porch")) == ("offline", False)
    state.set_bridge("porch", True, NOON)
    assert (state.nodes["porch"].availability, state.nodes["porch"].since) == ("online", NOON)
    state.set_bridge("porch", False, later)
    state.set_availability("porch", "online", None)  # a stale retained `online` changes nothing
    assert (state.nodes["porch"].availability, state.nodes["porch"].since) == ("offline", later)
    state.set_availability("porch", "offline", None)
    state.set_bridge("porch", True, None)
    assert (state.nodes["porch"].availability, state.nodes["porch"].since) == ("offline", later)


def test_the_same_availability_again_keeps_its_since_when(state: DashboardState) -> None:
    state.set_availability("porch", "offline", NOON)
    state.set_availability("porch", "offline", None)
    assert state.nodes["porch"].since == NOON


def test_in_a_fleet_the_headline_names_the_node_of_each_failed_part(state: DashboardState) -> None:
    state.feed = "mqtt broker:1883"
    _fleet(state)
    state.set_faults({"store": "full", "mqtt outbox": "full"}, "porch")
    assert state.headline() == (
        "mqtt broker:1883 · 2/3 nodes online · offline: garage · porch: mqtt outbox failed: full · "
        "porch: store failed: full"
    )
    state.node_filter = "attic"
    assert state.headline() == "mqtt broker:1883 · 2/3 nodes online · offline: garage · node attic"
