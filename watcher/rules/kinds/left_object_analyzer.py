"""The `left_object` analyzer: one change detector per watched zone, regions into the observation."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from watcher.config import Config
from watcher.rules.spec import LeftObjectRule
from watcher.scene.change import ChangeDetector, ChangeParams
from watcher.types import Frame, Observation, Regions

log = logging.getLogger("watcher.left_object")


class LeftObjectAnalyzer:
    """Runs one change detector per zone that `left_object` rules watch; gives each rule its zone's
    `Regions` fact."""

    def __init__(self, camera: str, zones: Sequence[_Watched], ignore: set[str]) -> None:
        self._camera = camera
        self._zones = tuple(zones)
        self._ignore = frozenset(ignore)
        self._detectors: dict[str, ChangeDetector] = {}
        self._said: dict[str, str] = {}

    def analyze(self, frame: Frame, obs: Observation) -> Observation:
        """Add the new still regions of each watched zone to the facts of the rules watching it."""
        blockers = [t.box for t in obs.tracks if t.label in self._ignore]
        facts = dict(obs.facts)
        for zone in self._zones:
            detector = self._detectors.get(zone.name)
            if detector is None or detector.frame_size != frame.size:
                # A new resolution (a camera reconfigured) invalidates the learned background.
                detector = self._detectors[zone.name] = ChangeDetector(zone.points, frame.size, zone.params)
            found = Regions(detector.update(frame.timestamp, frame.image, blockers), detector.learning)
            self._say(zone, found)
            facts.update(dict.fromkeys(zone.rules, found))
        return replace(obs, facts=facts)

    def _say(self, zone: _Watched, found: Regions) -> None:
        """One log line when a zone's learning state changes, so a zone that never learns is seen."""
        learning = found.learning
        if learning is None or self._said.get(zone.name) == learning.status:
            return
        self._said[zone.name] = learning.status
        log.info(
            "%s: zone %s (%s) %s, %.0f%% of its empty look known",
            self._camera,
            zone.name,
            ", ".join(zone.rules),
            learning.status,
            100 * learning.known,
        )


@dataclass(frozen=True, slots=True)
class _Watched:
    name: str
    points: Sequence[tuple[float, float]]
    params: ChangeParams
    rules: tuple[str, ...]


def left_object_analyzers(camera: str, config: Config) -> list[LeftObjectAnalyzer]:
    """One analyzer for the `left_object` rules of `camera` (none if it has no such rule)."""
    zones = {z.name: z.points for z in config.zones if z.camera == camera}
    watched: dict[str, _Watched] = {}
    ignore: set[str] = set()
    for rule in config.rules:
        if rule.camera == camera and rule.enabled and isinstance(rule, LeftObjectRule):
            # The zone's first rule sets its detector's parameters, as before.
            params = ChangeParams(min_region=rule.min_region, learn_s=rule.learn_s)
            zone = watched.setdefault(rule.zone, _Watched(rule.zone, zones[rule.zone], params, ()))
            watched[rule.zone] = replace(zone, rules=(*zone.rules, rule.name))
            ignore.update(rule.ignore_classes)
    return [LeftObjectAnalyzer(camera, list(watched.values()), ignore)] if watched else []
