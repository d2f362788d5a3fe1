"""`LogSink`: one INFO line per event on the `watcher.events` logger."""

from __future__ import annotations

import logging

from watcher.types import WHOLE_FRAME, Event, EventType, Image, Observation

_log = logging.getLogger("watcher.events")


def format_event(event: Event) -> str:
    """`start presence_on_path demo zone=path value=2 t=12.300 objects=person#3,person#7`."""
    t = event.end_time if event.type is EventType.END and event.end_time is not None else event.start_time
    objects = ",".join(f"{o.label}#{o.track_id}" for o in event.objects) or "-"
    return (
        f"{event.type} {event.rule} {event.camera} zone={event.zone or WHOLE_FRAME} "
        f"value={event.value} t={t:.3f} objects={objects}"
    )


class LogSink:
    """Logs events (`t` is the start time, or the end time for `end`); ignores observations."""

    name = "log"

    def handle_event(self, event: Event, image: Image | None) -> None:
        _log.info("%s", format_event(event))

    def handle_observation(self, obs: Observation) -> None:
        return None

    def close(self) -> None:
        return None
