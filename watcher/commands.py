"""Commands from outside the frame loop (MQTT `/set` topics, TUI keys), applied by the daemon's worker."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SetRuleEnabled:
    """Enable or disable one rule; disabling an active rule ends it."""

    rule: str
    enabled: bool


@dataclass(frozen=True, slots=True)
class SetDetection:
    """Pause or resume detection on one camera."""

    camera: str
    enabled: bool


@dataclass(frozen=True, slots=True)
class SaveSnapshot:
    """Save the camera's next frame as a snapshot."""

    camera: str


Command = SetRuleEnabled | SetDetection | SaveSnapshot
