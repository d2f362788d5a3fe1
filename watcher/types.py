"""Values that flow between pipeline stages: frozen, typed, no dicts-of-anything."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
Box = tuple[float, float, float, float]
"""x1, y1, x2, y2 in frame pixels."""

WHOLE_FRAME = "*"
"""Zone name used for counts over the whole frame."""


@dataclass(frozen=True, slots=True, eq=False)
class Frame:
    """One captured image; `timestamp` is source seconds (for files: index / fps)."""

    camera: str
    index: int
    timestamp: float
    image: Image

    @property
    def size(self) -> tuple[int, int]:
        """Width and height in pixels."""
        return int(self.image.shape[1]), int(self.image.shape[0])


@dataclass(frozen=True, slots=True, eq=False)
class Track:
    """One tracked object as the scene sees it in one processed frame."""

    track_id: int
    label: str
    score: float
    box: Box
    zones: tuple[str, ...] = ()
    stationary: bool = False
    stationary_since: float | None = None
    first_seen: float = 0.0
    dwell: Mapping[str, float] = field(default_factory=dict)
    """Seconds the track has been continuously inside each zone it is in now."""
    mask: npt.NDArray[np.bool_] | None = None

    @property
    def area(self) -> float:
        """Box area in square pixels."""
        x1, y1, x2, y2 = self.box
        return max(0.0, x2 - x1) * max(0.0, y2 - y1)


@dataclass(frozen=True, slots=True, eq=False)
class Observation:
    """What one camera saw in one processed frame: the only input of the rules engine."""

    camera: str
    frame_index: int
    time: float
    frame_size: tuple[int, int]
    tracks: tuple[Track, ...]
    counts: Mapping[str, Mapping[str, int]]
    """Zone name (and `WHOLE_FRAME`) to label to count."""
    motion: float = 0.0
    """Fraction of the downscaled frame that moved."""
    detected: bool = True
    """False when the motion gate skipped detection for this frame."""

    def to_json(self) -> dict[str, Any]:
        """The observation line of `watcher replay --observations`; rounded for stable output."""
        return {
            "camera": self.camera,
            "frame": self.frame_index,
            "t": round(self.time, 3),
            "counts": {zone: dict(labels) for zone, labels in self.counts.items()},
            "tracks": [
                {
                    "id": t.track_id,
                    "label": t.label,
                    "score": round(t.score, 3),
                    "box": [round(v, 1) for v in t.box],
                    "zones": list(t.zones),
                    "stationary": t.stationary,
                }
                for t in self.tracks
            ],
        }


class EventType(StrEnum):
    START = "start"
    UPDATE = "update"
    END = "end"


@dataclass(frozen=True, slots=True)
class EventObject:
    track_id: int
    label: str
    score: float
    box: Box


@dataclass(frozen=True, slots=True)
class Event:
    """A rule's state change (DESIGN.md §5); the same JSON goes to MQTT, the store and replay."""

    id: str
    type: EventType
    rule: str
    kind: str
    camera: str
    zone: str | None
    start_time: float
    end_time: float | None
    value: bool | float | int | str | None
    objects: tuple[EventObject, ...] = ()
    snapshot: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The event as DESIGN.md §5 JSON; times and boxes rounded so output is stable."""
        return {
            "id": self.id,
            "type": str(self.type),
            "rule": self.rule,
            "kind": self.kind,
            "camera": self.camera,
            "zone": self.zone,
            "start_time": round(self.start_time, 3),
            "end_time": None if self.end_time is None else round(self.end_time, 3),
            "value": self.value,
            "objects": [
                {
                    "track_id": o.track_id,
                    "label": o.label,
                    "score": round(o.score, 3),
                    "box": [round(v, 1) for v in o.box],
                }
                for o in self.objects
            ],
            "snapshot": self.snapshot,
        }


RuleReport = Literal["binary_sensor", "sensor", "event"]


@dataclass(frozen=True, slots=True)
class RuleState:
    """A rule's current state for the TUI, MQTT retained states and restart recovery."""

    rule: str
    camera: str
    kind: str
    active: bool
    value: bool | float | int | str | None
    since: float | None
    enabled: bool = True
