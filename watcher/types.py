"""Values that flow between pipeline stages: frozen, typed, no dicts-of-anything."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
Box = tuple[float, float, float, float]
"""x1, y1, x2, y2 in frame pixels."""

F = TypeVar("F")

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
    ground: tuple[float, float] | None = None
    """World position (metres) of the box's bottom centre, when the camera has a ground plane."""
    footprint: tuple[tuple[float, float], tuple[float, float]] | None = None
    """World positions (metres) of the box's bottom-left and bottom-right corners."""

    @property
    def area(self) -> float:
        """Box area in square pixels."""
        x1, y1, x2, y2 = self.box
        return max(0.0, x2 - x1) * max(0.0, y2 - y1)


@dataclass(frozen=True, slots=True)
class Region:
    """A changed region of a zone that is new against the learned background and holds still."""

    box: Box
    area: float
    """Changed pixels, in square frame pixels."""
    first_seen: float
    still_since: float


@dataclass(frozen=True, slots=True)
class Vote:
    """A few-shot classifier's verdict on one crop: the winning label and how sure it is."""

    label: str
    share: float
    """Fraction of the k neighbours (similarity-weighted) that voted for `label`."""
    similarity: float
    """Cosine similarity of the nearest reference image."""


@dataclass(frozen=True, slots=True)
class Votes:
    """A classifier's votes for one rule: key 0 for a zone crop (`state`), track ids for per-track votes."""

    by_key: Mapping[int, Vote]


@dataclass(frozen=True, slots=True)
class Learning:
    """How far a `left_object` zone has learned its empty look."""

    status: str
    """`learned`, or `learning` with the reason it is not done yet (e.g. a person in the zone)."""
    known: float
    """Share of the zone whose background is learned (0..1)."""


@dataclass(frozen=True, slots=True)
class Regions:
    """The still, new regions the change detector found in a `left_object` rule's zone."""

    regions: tuple[Region, ...]
    learning: Learning | None = None


@dataclass(frozen=True, slots=True)
class AreaMeasure:
    """The area an `area` rule measures in its zone: pixels, fraction of the zone, m² if calibrated."""

    px: float
    fraction: float
    m2: float | None = None
    packed: npt.NDArray[np.uint8] | None = field(default=None, compare=False, repr=False)
    """The measured pixels, bit-packed (an observation may wait in the sink queue: 8x smaller)."""
    shape: tuple[int, int] = field(default=(0, 0), compare=False, repr=False)
    """Height and width of the measured mask (the frame's)."""

    @staticmethod
    def of(px: float, fraction: float, m2: float | None, mask: npt.NDArray[np.bool_]) -> AreaMeasure:
        """A measure that keeps its mask, for drawing what the rule sees."""
        height, width = mask.shape
        return AreaMeasure(px, fraction, m2, np.packbits(mask), (height, width))

    @property
    def mask(self) -> npt.NDArray[np.bool_] | None:
        """The measured pixels (frame-sized), when kept."""
        if self.packed is None:
            return None
        height, width = self.shape
        return np.unpackbits(self.packed, count=height * width).reshape(height, width).astype(bool)


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
    facts: Mapping[str, object] = field(default_factory=dict)
    """Rule name to what that rule's analyzer computed from the pixels (`Votes`, `Regions`,
    `AreaMeasure`, ...); the rule's kind reads it with `fact`. One map, whatever the kind."""
    zone_axes: Mapping[str, tuple[tuple[float, float], tuple[float, float]]] = field(default_factory=dict)
    """Zone name to the world end points (metres) of its long axis (the kerb), with a ground plane."""

    def fact(self, rule: str, type_: type[F]) -> F | None:
        """The fact an analyzer computed for `rule`, if it is a `type_`."""
        value = self.facts.get(rule)
        return value if isinstance(value, type_) else None

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
            **self._areas_json(),
        }

    def _areas_json(self) -> dict[str, Any]:
        """`areas` only when an area rule measured something, so other lines stay as they were."""
        areas = {rule: a for rule, a in self.facts.items() if isinstance(a, AreaMeasure)}
        if not areas:
            return {}
        return {
            "areas": {
                rule: {"px": round(a.px, 1), "fraction": round(a.fraction, 4)}
                | ({} if a.m2 is None else {"m2": round(a.m2, 3)})
                for rule, a in areas.items()
            }
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


@dataclass(frozen=True, slots=True)
class OpenEpisode:
    """One open per-track episode of a rule: its track, since when, its value and objects."""

    track_id: int
    since: float | None
    value: bool | float | int | str | None
    objects: tuple[EventObject, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleState:
    """A rule's state as the engine holds it: what MQTT, dashboards and the store show and save.

    `objects` are those of the rule's last event (for a per-track rule: of its open episodes);
    `episodes` lists a per-track rule's open episodes, so the rule is active while any is open.
    Equality compares the condition (name, activity, value, since, enabled), not these details.
    """

    rule: str
    camera: str
    kind: str
    active: bool
    value: bool | float | int | str | None
    since: float | None
    enabled: bool = True
    objects: tuple[EventObject, ...] = field(default=(), compare=False)
    episodes: tuple[OpenEpisode, ...] = field(default=(), compare=False)
    last_event: str | None = field(default=None, compare=False)
    pending_since: float | None = field(default=None, compare=False)
    """While idle: since when the condition has held, waiting out `for_s` (None: not pending)."""
    status: str | None = field(default=None, compare=False)
    """What the rule's kind says of its readiness, e.g. `left_object`'s "learning: a person is in
    the zone" or "learned"; None for kinds that are always ready."""
    seen_at: float | None = field(default=None, compare=False)
    """Capture time of the rule's last observation as of this state (None: none yet): with
    `seen_wall`, what translates `since` into a new run's clock after a reboot (docs/store.md)."""
    seen_wall: float | None = field(default=None, compare=False)
    """Wall-clock epoch seconds of that observation (None: unknown, as in a replay)."""

    def details(self) -> tuple[object, ...]:
        """Everything the state shows, equality included: what tells one snapshot from the next."""
        return (self, self.objects, self.episodes, self.last_event, self.pending_since, self.status)


@dataclass(frozen=True, slots=True)
class RulesSnapshot:
    """Every rule's state at one moment, in config order; immutable, so any thread may read it."""

    states: tuple[RuleState, ...] = ()
    version: int = 0
    """Grows by one with every change, so a reader sees at a glance whether anything moved."""

    def get(self, rule: str) -> RuleState | None:
        """The state of the rule called `rule`, if it is in the snapshot."""
        for state in self.states:
            if state.rule == rule:
                return state
        return None
