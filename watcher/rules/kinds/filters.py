"""The common track filters every kind applies: classes, `min_score`, `min_area`, zone."""

from __future__ import annotations

from collections.abc import Iterable

from watcher.rules.spec import RuleBase
from watcher.types import EventObject, Observation, Track


def matching_tracks(rule: RuleBase, obs: Observation, classes: Iterable[str] | None = None) -> list[Track]:
    """Tracks of `classes` (default `rule.classes`) in `rule.zone` (or anywhere) passing its floors, by id."""
    width, height = obs.frame_size
    min_area = rule.min_area * width * height
    wanted = frozenset(rule.classes if classes is None else classes)
    return sorted(
        (
            t
            for t in obs.tracks
            if t.label in wanted
            and t.score >= rule.min_score
            and t.area >= min_area
            and (rule.zone is None or rule.zone in t.zones)
        ),
        key=lambda t: t.track_id,
    )


def event_objects(tracks: list[Track]) -> tuple[EventObject, ...]:
    """The `objects` of an event for these tracks."""
    return tuple(EventObject(t.track_id, t.label, t.score, t.box) for t in tracks)
