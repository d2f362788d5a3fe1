"""Retained per-rule payloads: `state` (ON/OFF or the value), `attributes` JSON, `enabled` ON/OFF."""

from __future__ import annotations

import json
from dataclasses import dataclass

from watcher.types import RuleState


@dataclass(frozen=True, slots=True)
class RuleView:
    """What MQTT shows of one rule: a state of the engine's snapshot, and how the rule reports."""

    state: RuleState
    report: str
    zone: str | None

    def state_payload(self) -> bytes:
        """`ON`/`OFF` for binary sensors and events, else the value (a number or a label)."""
        if self.report != "sensor":
            return b"ON" if self.state.active else b"OFF"
        value = self.state.value
        if isinstance(value, bool):
            return b"ON" if value else b"OFF"
        return b"None" if value is None else str(value).encode()

    def attributes_payload(self) -> bytes:
        """JSON attributes: kind, zone, activity, value, since, enabled, objects, last event id, and
        the kind's readiness (`status`) when it has one."""
        s = self.state
        status = {} if s.status is None else {"status": s.status}
        return json.dumps(
            {
                "kind": s.kind,
                "zone": self.zone,
                "active": s.active,
                "value": s.value,
                "since": None if s.since is None else round(s.since, 3),
                "enabled": s.enabled,
                "objects": [
                    {"track_id": o.track_id, "label": o.label, "score": round(o.score, 3)} for o in s.objects
                ],
                "last_event": s.last_event,
            }
            | status
        ).encode()

    def enabled_payload(self) -> bytes:
        return b"ON" if self.state.enabled else b"OFF"
