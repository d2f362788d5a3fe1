"""Retained per-rule payloads: `state` (ON/OFF or the value), `attributes` JSON, `enabled` ON/OFF."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from watcher.types import Event, EventObject, EventType, RuleState


@dataclass(frozen=True, slots=True)
class RuleView:
    """What MQTT shows of one rule: the engine's state plus the objects of its last event."""

    state: RuleState
    report: str
    zone: str | None
    objects: tuple[EventObject, ...] = ()
    last_event: str | None = None

    def state_payload(self) -> bytes:
        """`ON`/`OFF` for binary sensors and events, else the value (a number or a label)."""
        if self.report != "sensor":
            return b"ON" if self.state.active else b"OFF"
        value = self.state.value
        if isinstance(value, bool):
            return b"ON" if value else b"OFF"
        return b"None" if value is None else str(value).encode()

    def attributes_payload(self) -> bytes:
        """JSON attributes: kind, zone, activity, value, since, enabled, objects, last event id."""
        s = self.state
        return json.dumps(
            {
                "kind": s.kind,
                "zone": self.zone,
                "active": s.active,
                "value": s.value,
                "since": None if s.since is None else round(s.since, 3),
                "enabled": s.enabled,
                "objects": [
                    {"track_id": o.track_id, "label": o.label, "score": round(o.score, 3)}
                    for o in self.objects
                ],
                "last_event": self.last_event,
            }
        ).encode()

    def enabled_payload(self) -> bytes:
        return b"ON" if self.state.enabled else b"OFF"

    def after(self, event: Event) -> RuleView:
        """This view once `event` happened: start/update set the value, end goes idle."""
        active = event.type is not EventType.END
        since = event.start_time if active else event.end_time
        state = replace(self.state, active=active, value=event.value, since=since)
        return replace(self, state=state, objects=event.objects, last_event=event.id)

    def with_state(self, state: RuleState) -> RuleView:
        """This view with the engine's current state (objects and last event kept)."""
        return replace(self, state=state)
