"""Builders shared by the kind tests: tracks, observations and rules of any kind."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import TypeAdapter

from watcher.rules import RulesEngine
from watcher.rules.spec import RuleConfig
from watcher.types import AreaMeasure, Box, Event, Observation, Region, Regions, Track, Vote, Votes

FRAME = (100, 100)
_RULE: TypeAdapter[RuleConfig] = TypeAdapter(RuleConfig)


def rule_of(kind: str, **fields: Any) -> RuleConfig:
    """A `kind` rule called `r` on camera `demo`, zone `kerb` unless overridden."""
    data: dict[str, Any] = {"name": "r", "kind": kind, "camera": "demo", "zone": "kerb"}
    data.update(fields)
    return _RULE.validate_python(data)


def car(
    track_id: int = 1,
    *,
    label: str = "car",
    box: Box = (10.0, 10.0, 40.0, 30.0),
    zones: tuple[str, ...] = ("kerb",),
    since: float | None = 0.0,
    **fields: Any,
) -> Track:
    """A track; stationary since `since` (None: moving)."""
    return Track(
        track_id=track_id,
        label=label,
        score=fields.pop("score", 0.9),
        box=box,
        zones=zones,
        stationary=since is not None,
        stationary_since=since,
        **fields,
    )


def at(
    t: float,
    *tracks: Track,
    areas: Mapping[str, AreaMeasure] | None = None,
    votes: Mapping[str, Mapping[int, Vote]] | None = None,
    regions: Mapping[str, tuple[Region, ...]] | None = None,
    **fields: Any,
) -> Observation:
    """An observation of camera `demo` at capture time `t` on a 100x100 frame, with the facts the
    analyzers would add: `areas` and `votes` by rule, `regions` by zone (what the change analyzer
    finds in zone `kerb` is the fact of rule `r`, which watches it)."""
    facts: dict[str, object] = {**(areas or {})}
    facts.update({rule: Votes(dict(by_key)) for rule, by_key in (votes or {}).items()})
    if regions and "kerb" in regions:
        facts["r"] = Regions(regions["kerb"])
    return Observation(
        camera="demo",
        frame_index=round(t * 10),
        time=t,
        frame_size=FRAME,
        tracks=tracks,
        counts={},
        facts=facts,
        **fields,
    )


Summary = tuple[str, float, float | None, object]


def run(rule: RuleConfig, observations: Sequence[Observation]) -> list[Summary]:
    """(type, start_time, end_time, value) of every event the engine emits for this stream."""
    engine = RulesEngine([rule])
    events: list[Event] = [e for o in observations for e in engine.process(o)]
    return [(str(e.type), e.start_time, e.end_time, e.value) for e in events]
