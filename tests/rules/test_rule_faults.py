"""A rule whose reading raises: the camera's other rules still step and their events come with the error."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.rules.kinds.helpers import rule_of
from watcher.config import PresenceRule
from watcher.errors import RuleError
from watcher.rules import RulesEngine
from watcher.rules.kinds import Occupancy
from watcher.types import EventType, Observation


def _bug(self: Occupancy, obs: Observation) -> object:
    raise ZeroDivisionError("division by zero")


def test_a_rule_that_raises_costs_the_cameras_other_rules_nothing(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Occupancy, "read", _bug)
    engine = RulesEngine([rule_of("occupancy", name="full", camera="demo", zone="path"), rule()])
    with pytest.raises(RuleError) as raised:
        engine.process(crowd(0.0, 1))
    assert str(raised.value) == "rule full: ZeroDivisionError: division by zero"
    assert [(e.type, e.rule) for e in raised.value.events] == [(EventType.START, "presence_on_path")]
    assert engine.state("presence_on_path").active
    assert engine.snapshot().get("presence_on_path") == engine.state("presence_on_path")
