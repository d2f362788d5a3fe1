"""Retained payloads of one rule, and the board that keeps only the newest of each topic."""

from __future__ import annotations

import json

import pytest

from tests.sinks.mqtt.helpers import event, snapshot_of
from watcher.sinks.mqtt.retained import RetainedBoard
from watcher.sinks.mqtt.states import RuleView
from watcher.types import EventType, RuleState


def _view(report: str, active: bool, value: bool | float | int | str | None) -> RuleView:
    return RuleView(RuleState("r", "porch", "presence", active, value, None), report, "step")


@pytest.mark.parametrize(
    ("report", "active", "value", "payload"),
    [
        ("binary_sensor", True, 2, b"ON"),
        ("binary_sensor", False, 0, b"OFF"),
        ("event", True, 1, b"ON"),
        ("sensor", True, 3, b"3"),
        ("sensor", True, 0.425, b"0.425"),
        ("sensor", True, "open", b"open"),
        ("sensor", True, True, b"ON"),
        ("sensor", False, None, b"None"),
    ],
)
def test_the_state_payload_follows_the_report_type(
    report: str, active: bool, value: bool | float | int | str | None, payload: bytes
) -> None:
    assert _view(report, active, value).state_payload() == payload


def test_the_attributes_show_the_states_objects_and_last_event() -> None:
    view = RuleView(snapshot_of(event(6, EventType.END)).states[0], "binary_sensor", "step")
    attributes = json.loads(view.attributes_payload())
    assert (attributes["active"], attributes["value"], attributes["since"]) == (False, 0, 7.0)
    assert attributes["objects"] == [{"track_id": 3, "label": "person", "score": 0.9}]
    assert attributes["last_event"] == "ev-6"


def test_the_attributes_carry_a_kinds_status_only_when_it_has_one() -> None:
    learning = RuleState(
        "r", "porch", "left_object", False, 0, None, status="learning: a person is in the zone"
    )
    attributes = json.loads(RuleView(learning, "binary_sensor", "step").attributes_payload())
    assert attributes["status"] == "learning: a person is in the zone"
    assert "status" not in json.loads(_view("binary_sensor", False, 0).attributes_payload())


def test_the_board_marks_only_changed_payloads_and_sends_the_newest() -> None:
    board = RetainedBoard()
    assert board.set("a", b"1")
    assert not board.set("a", b"1")
    board.set("b", b"x")
    board.set("a", b"2")
    assert board.take_dirty() == [("a", b"2"), ("b", b"x")]
    assert board.take_dirty() == []
    board.mark_all_dirty()
    assert board.take_dirty() == [("a", b"2"), ("b", b"x")]
