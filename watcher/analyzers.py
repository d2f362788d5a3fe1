"""Pixel analyzers: per-camera steps that add image-derived facts to an observation.

The rules engine never sees pixels. What a rule kind needs from the image (change regions for
`left_object`, classifier votes for `state` and `missing_associate`, masked areas for `area`) is
computed by the kind's analyzer (next to the kind, in `watcher.rules.kinds`) on the processed
frame, and carried in the observation's `facts` under the rule's name. `KIND_ANALYZERS` is the
one place that says which kinds need pixels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from watcher.config import CameraConfig, Config
from watcher.rules.kinds.area_mask import area_analyzers
from watcher.rules.kinds.left_object_analyzer import left_object_analyzers
from watcher.rules.kinds.votes import missing_associate_analyzers, state_analyzers
from watcher.scene.ground_facts import ground_analyzers
from watcher.types import Frame, Observation


class Analyzer(Protocol):
    """Adds facts derived from the frame's pixels to the observation of that frame."""

    def analyze(self, frame: Frame, obs: Observation) -> Observation: ...


AnalyzerFactory = Callable[[CameraConfig, Config, "Path | None"], Sequence[Analyzer]]


def _left_object(camera: CameraConfig, config: Config, _base_dir: Path | None) -> list[Analyzer]:
    return list(left_object_analyzers(camera.name, config))


KIND_ANALYZERS: Mapping[str, AnalyzerFactory] = {
    "area": area_analyzers,
    "occupancy": area_analyzers,  # `measure = "covered"`: the outlines' share, measured as an area
    "left_object": _left_object,
    "state": state_analyzers,
    "missing_associate": missing_associate_analyzers,
}
"""Rule kind to the builder of a camera's analyzers for its rules of that kind (a builder shared by
kinds runs once); kinds that read only tracks and zones have no entry."""


def build_analyzers(
    camera: CameraConfig, config: Config, base_dir: Path | None, *, keep_masks: bool = False
) -> list[Analyzer]:
    """The analyzers the rules of `camera` need: ground facts first (every kind may read them).

    `keep_masks`: the area analyzer keeps each measured mask in its fact, for an overlay that draws it.
    """
    analyzers: list[Analyzer] = list(ground_analyzers(camera, config))
    kinds = {rule.kind for rule in config.rules if rule.camera == camera.name}
    builders: list[AnalyzerFactory] = []
    for kind, build in KIND_ANALYZERS.items():
        if kind in kinds and build not in builders:
            builders.append(build)
    for build in builders:
        if build is area_analyzers:
            # Its masks are the one frame-sized fact; the others are kept whatever draws them.
            analyzers += area_analyzers(camera, config, base_dir, keep_masks=keep_masks)
        else:
            analyzers += build(camera, config, base_dir)
    return analyzers
