"""`NotifyQueue` driven by a FakeClock: retries with backoff, bound, order."""

from __future__ import annotations

import logging

import pytest

from watcher.clock import FakeClock
from watcher.sinks.notify import FakeSender, Message, NotifyQueue


def _message(n: int = 0) -> Message:
    return Message("phone", f"rule_{n}", "title", "body")


def _drive(queue: NotifyQueue, clock: FakeClock, seconds: int) -> None:
    """Run the queue once per fake second."""
    for _ in range(seconds):
        queue.run_due()
        clock.advance(1.0)


@pytest.mark.parametrize(
    ("retries", "attempt_times"),
    [(0, [0.0]), (1, [0.0, 2.0]), (3, [0.0, 2.0, 6.0, 14.0])],
)
def test_a_failing_service_is_tried_once_plus_retries_with_doubling_backoff(
    retries: int, attempt_times: list[float]
) -> None:
    clock = FakeClock()
    queue = NotifyQueue(clock=clock, backoff_s=2.0)
    sender = FakeSender([False], clock=clock)
    queue.submit(_message(), [sender], retries)
    _drive(queue, clock, 60)
    assert [t for t, _ in sender.calls] == attempt_times
    assert (queue.sent, queue.failed, queue.pending) == (0, 1, 0)


def test_backoff_stops_growing_at_its_maximum() -> None:
    clock = FakeClock()
    queue = NotifyQueue(clock=clock, backoff_s=2.0, max_backoff_s=5.0)
    sender = FakeSender([False], clock=clock)
    queue.submit(_message(), [sender], 4)
    _drive(queue, clock, 60)
    assert [t for t, _ in sender.calls] == [0.0, 2.0, 6.0, 11.0, 16.0]


def test_a_retry_that_succeeds_ends_the_retries() -> None:
    clock = FakeClock()
    queue = NotifyQueue(clock=clock)
    sender = FakeSender([False, True], clock=clock)
    queue.submit(_message(), [sender], 5)
    _drive(queue, clock, 60)
    assert (len(sender.calls), queue.sent, queue.failed) == (2, 1, 0)


def test_each_service_of_a_message_is_retried_on_its_own() -> None:
    clock = FakeClock()
    queue = NotifyQueue(clock=clock)
    good, bad = FakeSender([True], clock=clock), FakeSender([False], clock=clock)
    queue.submit(_message(), [good, bad], 1)
    _drive(queue, clock, 10)
    assert (len(good.calls), len(bad.calls), queue.sent, queue.failed) == (1, 2, 1, 1)


def test_a_full_queue_drops_the_oldest_delivery_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    queue = NotifyQueue(clock=clock, maxsize=2)
    sender = FakeSender([True])
    for n in range(3):
        queue.submit(_message(n), [sender], 0)
    queue.run_due()
    assert [m.rule for _, m in sender.calls] == ["rule_1", "rule_2"]
    assert queue.dropped == 1
    assert "notify phone: queue full (2), dropped a rule_0 message to fake://sender" in caplog.messages


def test_a_sender_that_raises_counts_as_a_failed_attempt() -> None:
    class Broken:
        label = "broken://service"

        def send(self, message: Message) -> bool:
            raise RuntimeError("plugin bug")

    clock = FakeClock()
    queue = NotifyQueue(clock=clock)
    queue.submit(_message(), [Broken()], 0)
    assert queue.run_due() == 1
    assert queue.failed == 1


def test_the_thread_sends_what_is_submitted_and_stops_on_close(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    queue = NotifyQueue()
    sender = FakeSender([True])
    queue.start()
    queue.submit(_message(), [sender], 0)
    queue.close(5)
    assert (len(sender.calls), queue.sent) == (1, 1)
    assert caplog.messages == []
