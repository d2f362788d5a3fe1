"""The common track filters every kind applies: classes, `min_score`, `min_area`, zone."""

from __future__ import annotations

from watcher.rules.spec import RuleBase
from watcher.types import EventObject, Observation, Track


def matching_tracks(rule: RuleBase, obs: Observation) -> list[Track]:
    """Tracks of `rule.classes` in `rule.zone` (or anywhere) passing its score and area floors, by id."""
    width, height = obs.frame_size
    min_area = rule.min_area * width * height
    classes = frozenset(rule.classes)
    return sorted(
        (
            t
            for t in obs.tracks
            if t.label in classes
            and t.score >= rule.min_score
            and t.area >= min_area
            and (rule.zone is None or rule.zone in t.zones)
        ),
        key=lambda t: t.track_id,
    )


def event_objects(tracks: list[Track]) -> tuple[EventObject, ...]:
    """The `objects` of an event for these tracks."""
    return tuple(EventObject(t.track_id, t.label, t.score, t.box) for t in tracks)
