"""`NotifySink`: turns events of rules with `notify = [...]` into messages on the `NotifyQueue`."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import cv2

from watcher.clock import Clock, SystemClock
from watcher.config import NotifyTarget
from watcher.sinks.notify.message import render, template_values
from watcher.sinks.notify.queue import NotifyQueue
from watcher.sinks.notify.senders import Sender
from watcher.sinks.snapshots import draw_event
from watcher.types import Event, Image, Observation

_log = logging.getLogger("watcher.notify")


@dataclass(frozen=True, slots=True)
class Target:
    """A configured `[notify.<name>]` with its senders."""

    name: str
    config: NotifyTarget
    senders: Sequence[Sender]


class NotifySink:
    """Rate-limits per rule and target, renders, attaches the snapshot and queues; never sends itself."""

    name = "notify"

    def __init__(
        self,
        targets: Mapping[str, Target],
        rules: Mapping[str, Sequence[str]],
        *,
        clock: Clock | None = None,
        timezone: str = "UTC",
        queue: NotifyQueue | None = None,
    ) -> None:
        self._targets = targets
        self._rules = rules
        self._clock = clock or SystemClock()
        self._tz = ZoneInfo(timezone)
        self._own_queue = queue is None
        self.queue = queue or NotifyQueue(clock=self._clock)
        self._last_sent: dict[tuple[str, str], float] = {}

    def handle_event(self, event: Event, image: Image | None) -> None:
        wanted = [
            self._targets[name]
            for name in self._rules.get(event.rule, ())
            if str(event.type) in self._targets[name].config.on and self._allowed(event.rule, name)
        ]
        if not wanted:
            return
        jpeg = _snapshot_jpeg(event, image)
        values = template_values(event, self._clock.wall().astimezone(self._tz))
        for target in wanted:
            message = render(target.name, target.config, values, jpeg)
            self.queue.submit(message, target.senders, target.config.retries)

    def handle_observation(self, obs: Observation) -> None:
        return None

    def start(self) -> None:
        """Start sending, on the queue's thread, unless the queue was given (its owner runs it)."""
        if self._own_queue:
            self.queue.start()

    def close(self) -> None:
        self.queue.close(timeout=2.0)

    def _allowed(self, rule: str, target: str) -> bool:
        now = self._clock.monotonic()
        last = self._last_sent.get((rule, target))
        limit = self._targets[target].config.rate_limit_s
        if last is not None and now - last < limit:
            _log.info("notify %s: %s rate limited, next allowed in %.0f s", target, rule, last + limit - now)
            return False
        self._last_sent[(rule, target)] = now
        return True


def _snapshot_jpeg(event: Event, image: Image | None) -> bytes | None:
    """The saved snapshot's bytes, else the frame encoded with the boxes drawn, else None."""
    if event.snapshot is not None:
        try:
            return Path(event.snapshot).read_bytes()
        except OSError as exc:
            _log.warning("notify: cannot read snapshot %s: %s", event.snapshot, exc.strerror or exc)
    if image is None:
        return None
    ok, jpeg = cv2.imencode(".jpg", draw_event(image, event), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return jpeg.tobytes() if ok else None
