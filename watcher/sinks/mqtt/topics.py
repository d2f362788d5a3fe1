"""MQTT topic names (DESIGN.md §5): one place, so sink, discovery and commands agree."""

from __future__ import annotations

from dataclasses import dataclass

DETECT = "detect"
"""The camera-level path segment of the detection switch; no rule may use this name."""
SNAPSHOT = "snapshot"
"""`<prefix>/<camera>/snapshot/set` asks for a snapshot; the JPEG comes on `<prefix>/<camera>/snapshot`."""


@dataclass(frozen=True, slots=True)
class Topics:
    """Topic names under `prefix` (default `watcher`) and HA discovery under `discovery_prefix`."""

    prefix: str = "watcher"
    discovery_prefix: str = "homeassistant"
    node: str = "watcher"
    bridge_state: str | None = None
    """The state topic (`1`/`0`) of the mosquitto bridge the node publishes through, when it has one."""

    @property
    def availability(self) -> str:
        return f"{self.prefix}/availability"

    @property
    def bridge(self) -> str:
        """Names `bridge_state`, retained, so the fleet dashboard can follow the bridge too."""
        return f"{self.prefix}/bridge"

    @property
    def faults(self) -> str:
        """The daemon's failed parts (store, outbox) and why: retained JSON `{part: reason}`."""
        return f"{self.prefix}/faults"

    @property
    def events(self) -> str:
        return f"{self.prefix}/events"

    @property
    def ha_status(self) -> str:
        return f"{self.discovery_prefix}/status"

    @property
    def command_filter(self) -> str:
        """Subscription matching every `/set` topic."""
        return f"{self.prefix}/+/+/set"

    def counts(self, camera: str) -> str:
        return f"{self.prefix}/{camera}/counts"

    def status(self, camera: str) -> str:
        return f"{self.prefix}/{camera}/status"

    def state(self, camera: str, rule: str) -> str:
        return f"{self.prefix}/{camera}/{rule}/state"

    def attributes(self, camera: str, rule: str) -> str:
        return f"{self.prefix}/{camera}/{rule}/attributes"

    def enabled(self, camera: str, rule: str) -> str:
        return f"{self.prefix}/{camera}/{rule}/enabled"

    def camera_snapshot(self, camera: str) -> str:
        """The last snapshot asked for by hand (the dashboard's `s`), retained JPEG."""
        return f"{self.prefix}/{camera}/{SNAPSHOT}"

    def snapshot(self, camera: str, rule: str) -> str:
        return f"{self.prefix}/{camera}/{rule}/snapshot"

    def rule_event(self, camera: str, rule: str) -> str:
        """Per-rule event stream for HA `event` entities (not retained: HA ignores retained events)."""
        return f"{self.prefix}/{camera}/{rule}/event"

    def set(self, camera: str, target: str) -> str:
        """Command topic of a rule's enable switch, or of the camera's detection switch (`detect`)."""
        return f"{self.prefix}/{camera}/{target}/set"

    def detect_state(self, camera: str) -> str:
        return f"{self.prefix}/{camera}/{DETECT}/state"

    def discovery(self, component: str, object_id: str) -> str:
        return f"{self.discovery_prefix}/{component}/watcher_{self.node}/{object_id}/config"

    def parse_set(self, topic: str) -> tuple[str, str] | None:
        """(camera, rule or `detect`) of a `/set` topic, or None if `topic` is not one."""
        head = f"{self.prefix}/"
        if not topic.startswith(head) or not topic.endswith("/set"):
            return None
        parts = topic[len(head) : -len("/set")].split("/")
        if len(parts) != 2 or not all(parts):
            return None
        return parts[0], parts[1]
