"""Which PUBACK completes what: a row needs all its messages acked."""

from __future__ import annotations

from watcher.sinks.mqtt.inflight import InFlight


def test_a_row_published_twice_is_delivered_only_when_both_are_acked() -> None:
    inflight = InFlight()
    inflight.row(7, [1, 2])
    assert inflight.ack(2) == (None, None)
    assert len(inflight) == 1
    assert inflight.ack(1) == (7, None)
    assert len(inflight) == 0


def test_an_ack_of_a_cleared_discovery_topic_names_the_topic() -> None:
    inflight = InFlight()
    inflight.cleared(3, "homeassistant/switch/watcher_x/a/config")
    assert inflight.ack(3) == (None, "homeassistant/switch/watcher_x/a/config")


def test_acks_of_unknown_messages_or_after_clear_complete_nothing() -> None:
    inflight = InFlight()
    inflight.row(1, [5])
    inflight.clear()
    assert inflight.ack(5) == (None, None)
    assert inflight.ack(99) == (None, None)
