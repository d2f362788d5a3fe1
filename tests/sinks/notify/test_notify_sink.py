"""`NotifySink`: which events notify, rate limits per rule and target, templates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from watcher import config
from watcher.clock import FakeClock
from watcher.config import NotifyTarget
from watcher.errors import ConfigError
from watcher.sinks.notify import FakeSender, NotifyQueue, NotifySink, Target, template_values
from watcher.types import Event, EventType


def _sink(clock: FakeClock, sender: FakeSender, **target: object) -> tuple[NotifySink, NotifyQueue]:
    queue = NotifyQueue(clock=clock)
    cfg = NotifyTarget.model_validate({"urls": ["fake://"], **target})
    sink = NotifySink(
        {"phone": Target("phone", cfg, [sender])},
        {"presence_on_path": ["phone"], "other": ["phone"]},
        clock=clock,
        queue=queue,
        timezone="Europe/Berlin",
    )
    return sink, queue


def test_second_event_of_a_rule_within_the_rate_limit_is_not_sent(event: Callable[..., Event]) -> None:
    clock = FakeClock()
    sender = FakeSender(clock=clock)
    sink, queue = _sink(clock, sender, rate_limit_s=60)
    for n, wait in enumerate((0, 59, 1)):
        clock.advance(wait)
        sink.handle_event(event(n), None)
        queue.run_due()
    assert [t for t, _ in sender.calls] == [0.0, 60.0]


def test_rate_limit_is_per_rule(event: Callable[..., Event]) -> None:
    clock = FakeClock()
    sender = FakeSender()
    sink, queue = _sink(clock, sender, rate_limit_s=60)
    sink.handle_event(event(0), None)
    sink.handle_event(event(1, rule="other"), None)
    sink.handle_event(event(2), None)
    queue.run_due()
    assert [m.rule for _, m in sender.calls] == ["presence_on_path", "other"]


@pytest.mark.parametrize(
    ("on", "sent"),
    [(["start"], ["start"]), (["start", "end"], ["start", "end"]), (["end"], ["end"])],
)
def test_only_the_event_types_in_on_are_notified(
    event: Callable[..., Event], on: list[str], sent: list[str]
) -> None:
    clock = FakeClock()
    sender = FakeSender()
    sink, queue = _sink(clock, sender, rate_limit_s=0, on=on, body="{type}")
    sink.handle_event(event(0), None)
    sink.handle_event(event(1, EventType.END), None)
    queue.run_due()
    assert [m.body for _, m in sender.calls] == sent


def test_rules_without_notify_targets_send_nothing(event: Callable[..., Event]) -> None:
    clock = FakeClock()
    sender = FakeSender()
    sink, queue = _sink(clock, sender)
    sink.handle_event(event(0, rule="quiet"), None)
    assert queue.pending == 0


def test_template_time_is_local_to_the_configured_timezone(event: Callable[..., Event]) -> None:
    clock = FakeClock(wall_start=datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    sender = FakeSender()
    sink, queue = _sink(clock, sender, title="{rule}@{time}")
    sink.handle_event(event(0), None)
    queue.run_due()
    assert sender.calls[0][1].title == "presence_on_path@14:00:00"


def test_template_values_of_an_event(event: Callable[..., Event]) -> None:
    values = template_values(event(0), datetime(2026, 1, 1, 8, 5, 9, tzinfo=UTC))
    assert values == {
        "rule": "presence_on_path",
        "camera": "demo",
        "zone": "path",
        "label": "person",
        "count": "2",
        "time": "08:05:09",
        "type": "start",
    }


def test_unknown_template_placeholder_is_a_config_error_naming_the_key() -> None:
    text = '[[cameras]]\nname = "a"\nurl = "demo"\n[notify.phone]\nurls = ["json://h"]\nbody = "{who}"\n'
    with pytest.raises(ConfigError) as err:
        config.loads(text)
    assert str(err.value) == (
        "config.toml: notify.phone.body: unknown placeholder {who} "
        "(have: rule, camera, zone, label, count, time, type)"
    )
