"""The `left_object` analyzer: one change detector per watched zone, regions into the observation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from watcher.config import Config
from watcher.rules.spec import LeftObjectRule
from watcher.scene.change import ChangeDetector, ChangeParams
from watcher.types import Frame, Observation, Region


class LeftObjectAnalyzer:
    """Runs one change detector per zone that a `left_object` rule watches; fills `Observation.regions`."""

    def __init__(
        self, zones: Sequence[tuple[str, Sequence[tuple[float, float]], ChangeParams]], ignore: set[str]
    ) -> None:
        self._zones = tuple(zones)
        self._ignore = frozenset(ignore)
        self._detectors: dict[str, ChangeDetector] = {}

    def analyze(self, frame: Frame, obs: Observation) -> Observation:
        """Add the new still regions of each watched zone to the observation."""
        blockers = [t.box for t in obs.tracks if t.label in self._ignore]
        regions: dict[str, tuple[Region, ...]] = dict(obs.regions)
        for name, points, params in self._zones:
            detector = self._detectors.get(name)
            if detector is None or detector.frame_size != frame.size:
                # A new resolution (a camera reconfigured) invalidates the learned background.
                detector = self._detectors[name] = ChangeDetector(points, frame.size, params)
            regions[name] = detector.update(frame.timestamp, frame.image, blockers)
        return replace(obs, regions=regions)


def left_object_analyzers(camera: str, config: Config) -> list[LeftObjectAnalyzer]:
    """One analyzer for the `left_object` rules of `camera` (none if it has no such rule)."""
    zones = {z.name: z.points for z in config.zones if z.camera == camera}
    watched: dict[str, tuple[str, Sequence[tuple[float, float]], ChangeParams]] = {}
    ignore: set[str] = set()
    for rule in config.rules:
        if rule.camera == camera and rule.enabled and isinstance(rule, LeftObjectRule):
            params = ChangeParams(min_region=rule.min_region, learn_s=rule.learn_s)
            watched.setdefault(rule.zone, (rule.zone, zones[rule.zone], params))
            ignore.update(rule.ignore_classes)
    return [LeftObjectAnalyzer(list(watched.values()), ignore)] if watched else []
