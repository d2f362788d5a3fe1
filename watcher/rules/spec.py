"""Rule specs: the `[[rules]]` tables of the config, one model per kind (DESIGN.md §4)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from watcher.strict import FromArray, Pair, StrictModel

Point = Pair


def _relative(points: Sequence[Point]) -> Sequence[Point]:
    for x, y in points:
        if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
            raise ValueError(f"must be relative coordinates in 0..1 (got [{x}, {y}])")
    return points


RelativePoints = Annotated[list[Point], AfterValidator(_relative)]
"""Points in relative image coordinates: 0..1 of width and height."""
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_ALL_DAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ScheduleWindow(StrictModel):
    """A time-of-day window (in the config's time zone); `end` before `start` spans midnight."""

    start: str = Field(description="HH:MM")
    end: str = Field(description="HH:MM")
    days: list[Weekday] = Field(default_factory=lambda: list(_ALL_DAYS))

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError(f"must be a time HH:MM (got {value!r})")
        return value


class RuleBase(StrictModel):
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    camera: str
    zone: str | None = Field(None, description="Zone name; omitted = whole frame.")
    classes: list[str] = Field(default_factory=lambda: ["person"])
    min_score: float = Field(0.0, ge=0, le=1)
    min_area: float = Field(0.0, ge=0, le=1, description="Minimum box area as a fraction of the frame.")
    for_s: float = Field(0.0, ge=0, description="Condition must hold this long to start.")
    clear_s: float = Field(0.0, ge=0, description="Condition must be gone this long to end.")
    cooldown_s: float = Field(0.0, ge=0, description="No new start this long after an end.")
    schedule: list[ScheduleWindow] = Field(
        default_factory=list, description="Active only inside these windows; empty = always."
    )
    report: Literal["binary_sensor", "sensor", "event"] = "binary_sensor"
    min_change: float = Field(
        0.01,
        ge=0,
        description="A sensor's update is sent only when its number moved this much since the last one "
        "sent, in the value's unit (0.01 = 1 % of a zone for fractions; counts move by 1).",
    )
    min_interval_s: float = Field(
        1.0, ge=0, description="A sensor sends at most one update this often (seconds of video)."
    )
    notify: list[str] = Field(default_factory=list)
    snapshot: bool = True
    enabled: bool = True


class PresenceRule(RuleBase):
    """Objects of `classes` in a zone for `for_s` → start; absent for `clear_s` → end."""

    kind: Literal["presence"]
    min_count: int = Field(1, ge=1)
    min_dwell_s: float = Field(0.0, ge=0, description="Count an object only after this long in the zone.")


class LeftObjectRule(RuleBase):
    """A new still thing in the zone that is not a person: "package delivered" / "package taken"."""

    kind: Literal["left_object"]
    zone: str = Field(description="Zone to watch (required).")
    classes: list[str] = Field(
        default_factory=lambda: ["suitcase", "backpack", "handbag"],
        description="Stationary tracks of these classes also count as left objects.",
    )
    ignore_classes: list[str] = Field(
        default_factory=lambda: ["person"], description="Regions covered by these tracks never count."
    )
    min_region: float = Field(
        0.002, gt=0, le=1, description="Smallest changed region, as a fraction of the frame."
    )
    learn_s: float = Field(
        5.0,
        ge=0,
        description="How long a pixel must hold still, with no person over it, to be learned as background.",
    )
    for_s: float = Field(10.0, ge=0)
    clear_s: float = Field(10.0, ge=0)


class StateRule(RuleBase):
    """Few-shot classifier on the zone crop: `when` held for `for_s` → start ("gate left open")."""

    kind: Literal["state"]
    zone: str = Field(description="Zone whose bounding box is classified (required).")
    when: str = Field(description="The label that makes the condition hold, e.g. 'open'.")
    examples: str | None = Field(
        None, description="Folder of <label>/*.jpg reference images; default rules/examples/<rule name>."
    )
    k: int = Field(3, ge=1, description="Neighbours in the kNN vote.")
    min_similarity: float = Field(
        0.0, ge=0, le=1, description="Below this cosine similarity the crop is 'unknown'."
    )
    check_every_s: float = Field(2.0, gt=0, description="Classify the crop this often.")
    classes: list[str] = Field(default_factory=list)


class MissingAssociateRule(RuleBase):
    """A person in the zone without an associated item (hardhat, vest) for `for_s`, per track."""

    kind: Literal["missing_associate"]
    item: str = Field(description="Item class (PPE model) or classifier label, e.g. 'hardhat'.")
    band: Pair = Field(
        (0.0, 0.3),
        description="Vertical band of the person box (0 = top, 1 = bottom) the item centre must be in.",
    )
    item_model: str | None = Field(None, description="Detector model that has the `item` class.")
    examples: str | None = Field(
        None, description="Without item_model: folder with <item>/ and no_<item>/ head crops."
    )

    @field_validator("band")
    @classmethod
    def _band(cls, band: tuple[float, float]) -> tuple[float, float]:
        if not 0.0 <= band[0] < band[1] <= 1.0:
            raise ValueError(f"must be [top, bottom] with 0 <= top < bottom <= 1 (got {list(band)})")
        return band


class OccupancyRule(RuleBase):
    """Count of (stationary) objects in the zone, utilisation and over-stay ("curb occupancy")."""

    kind: Literal["occupancy"]
    classes: list[str] = Field(default_factory=lambda: ["car", "truck", "bus", "motorcycle"])
    capacity: int | None = Field(None, ge=1, description="Spaces in the zone; enables utilisation.")
    stationary_only: bool = Field(True, description="Count only stationary objects (parked, not passing).")
    max_dwell_s: float | None = Field(
        None, gt=0, description="Holds only while one object has stayed longer (an over-stay rule)."
    )
    measure: Literal["count", "utilisation", "length_m", "length_utilisation", "covered"] = Field(
        "count",
        description="The value: count, count/capacity, occupied kerb metres, occupied/zone length "
        "(those two need the camera's ground_plane), or the share of the zone the parked objects' "
        "outlines cover (masks: a `yolo_seg` model's, else GrabCut in each box).",
    )
    report: Literal["binary_sensor", "sensor", "event"] = "sensor"

    @model_validator(mode="after")
    def _capacity(self) -> OccupancyRule:
        if self.measure == "utilisation" and self.capacity is None:
            raise ValueError("measure = 'utilisation' needs `capacity`")
        return self


class HsvRange(StrictModel):
    lower: Annotated[tuple[int, int, int], FromArray] = Field(description="[H 0-179, S 0-255, V 0-255]")
    upper: Annotated[tuple[int, int, int], FromArray]


class AreaRule(RuleBase):
    """Mask area inside the zone: of objects of `classes`, of an HSV colour range, or of an example label."""

    kind: Literal["area"]
    classes: list[str] = Field(
        default_factory=list,
        description="Measure these objects' masks: a `yolo_seg` model's, else GrabCut inside each box.",
    )
    hsv: HsvRange | None = Field(None, description="Measure this colour range (`watcher mask` suggests one).")
    examples: str | None = Field(
        None, description="Folder of <label>/*.jpg example crops: measure the pixels that look like `label`."
    )
    label: str | None = Field(None, description="With `examples`: the sub-folder whose look is measured.")
    check_every_s: float = Field(
        1.0, gt=0, description="Measure this often; the last value holds in between (masks cost CPU)."
    )
    above: float | None = Field(
        None, ge=0, le=1, description="Holds when the covered fraction is above this."
    )
    below: float | None = Field(
        None, ge=0, le=1, description="Holds when the covered fraction is below this."
    )
    measure: Literal["fraction", "px", "m2"] = Field(
        "fraction", description="The value: fraction of the zone, square pixels, or m² (needs ground_plane)."
    )
    report: Literal["binary_sensor", "sensor", "event"] = "sensor"

    @model_validator(mode="after")
    def _source(self) -> AreaRule:
        given = [key for key in ("classes", "hsv", "examples") if getattr(self, key)]
        if not given:
            raise ValueError(
                "needs a mask source: `classes` (object masks), `hsv` (colour) or `examples` (crops)"
            )
        if len(given) > 1:
            raise ValueError(f"give one mask source, not {' and '.join(f'`{k}`' for k in given)}")
        if self.examples and not self.label:
            raise ValueError("`examples` needs `label`: the sub-folder of the examples to measure")
        if self.label and not self.examples:
            raise ValueError("`label` goes with `examples` (a folder of <label>/*.jpg crops)")
        return self


class LineCountRule(RuleBase):
    """In/out counts of `classes` crossing a line, per class."""

    kind: Literal["line_count"]
    line: Annotated[tuple[Point, Point], FromArray, AfterValidator(_relative)] = Field(
        description="Two points in relative coordinates; 'in' is to the left."
    )
    report: Literal["binary_sensor", "sensor", "event"] = "sensor"


RuleConfig = Annotated[
    PresenceRule
    | LeftObjectRule
    | StateRule
    | MissingAssociateRule
    | OccupancyRule
    | AreaRule
    | LineCountRule,
    Field(discriminator="kind"),
]
KINDS = ("presence", "left_object", "state", "missing_associate", "occupancy", "area", "line_count")
