"""`NotifyQueue`: sends messages on its own thread, retries with backoff, bounded.

`submit` never blocks: past `maxsize` waiting deliveries the oldest is dropped with a warning.
Each (message, service) pair is one delivery; a failed one is retried `retries` times,
`backoff_s`, 2×, 4×… later (at most `max_backoff_s`). Due times come from the injected clock,
so `run_due` can be driven by a `FakeClock` without the thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.clock import Clock, SystemClock
from watcher.sinks.notify.message import Message
from watcher.sinks.notify.senders import Sender

_log = logging.getLogger("watcher.notify")
_MAX_IDLE_WAIT_S = 1.0


@dataclass(slots=True)
class _Delivery:
    message: Message
    sender: Sender
    retries: int
    due: float
    attempt: int = 0


class NotifyQueue:
    """A bounded queue of deliveries and the thread that works through it."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        maxsize: int = 100,
        backoff_s: float = 2.0,
        max_backoff_s: float = 60.0,
    ) -> None:
        self._clock = clock or SystemClock()
        self._maxsize = maxsize
        self._backoff_s = backoff_s
        self._max_backoff_s = max_backoff_s
        self._waiting: list[_Delivery] = []
        self._cond = threading.Condition()
        self._closing = False
        self._thread: threading.Thread | None = None
        self.sent = 0
        self.failed = 0
        self.dropped = 0

    def submit(self, message: Message, senders: Sequence[Sender], retries: int) -> None:
        """Queue `message` for every sender; returns at once."""
        now = self._clock.monotonic()
        with self._cond:
            for sender in senders:
                if len(self._waiting) >= self._maxsize:
                    old = self._waiting.pop(0)
                    self.dropped += 1
                    _log.warning(
                        "notify %s: queue full (%d), dropped a %s message to %s",
                        old.message.target,
                        self._maxsize,
                        old.message.rule,
                        old.sender.label,
                    )
                self._waiting.append(_Delivery(message, sender, retries, now))
            self._cond.notify_all()

    @property
    def pending(self) -> int:
        """Deliveries waiting, retries included."""
        with self._cond:
            return len(self._waiting)

    def run_due(self) -> int:
        """Try every delivery that is due now, in order; the number tried."""
        now = self._clock.monotonic()
        with self._cond:
            due = [d for d in self._waiting if d.due <= now]
            self._waiting = [d for d in self._waiting if d.due > now]
        for delivery in due:
            self._attempt(delivery)
        return len(due)

    def start(self) -> None:
        """Start the sending thread."""
        self._thread = threading.Thread(target=self._run, name="watcher-notify", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        """Send what is due now, then stop; retries still waiting are dropped with a warning."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                _log.warning("notify: a send still running after %.0f s is abandoned", timeout)
        left = self.pending
        if left:
            _log.warning("notify: %d message(s) not sent before stop", left)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closing or self._has_due(), self._wait_s())
                closing = self._closing
            self.run_due()
            if closing:
                return

    def _has_due(self) -> bool:
        now = self._clock.monotonic()
        return any(d.due <= now for d in self._waiting)

    def _wait_s(self) -> float:
        if not self._waiting:
            return _MAX_IDLE_WAIT_S
        soonest = min(d.due for d in self._waiting) - self._clock.monotonic()
        return max(0.0, min(soonest, _MAX_IDLE_WAIT_S))

    def _attempt(self, d: _Delivery) -> None:
        d.attempt += 1
        try:
            ok = d.sender.send(d.message)
        except Exception as exc:  # a service plugin's bug must not kill the sending thread
            _log.warning("notify %s: %s raised %s", d.message.target, d.sender.label, type(exc).__name__)
            ok = False
        if ok:
            with self._cond:
                self.sent += 1
            return
        tries = f"attempt {d.attempt} of {d.retries + 1}"
        if d.attempt > d.retries:
            with self._cond:
                self.failed += 1
            _log.error(
                "notify %s: %s message to %s failed (%s), giving up",
                d.message.target,
                d.message.rule,
                d.sender.label,
                tries,
            )
            return
        delay = min(self._backoff_s * 2 ** (d.attempt - 1), self._max_backoff_s)
        _log.warning(
            "notify %s: %s message to %s failed (%s), retrying in %.0f s",
            d.message.target,
            d.message.rule,
            d.sender.label,
            tries,
            delay,
        )
        d.due = self._clock.monotonic() + delay
        with self._cond:
            self._waiting.append(d)
            self._cond.notify_all()
