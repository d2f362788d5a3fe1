"""The scene: tracker glue, zones, label votes and stillness; detections in, `Observation` out."""

from watcher.scene.identity import Identities
from watcher.scene.labels import LabelVote, merge_cross_class
from watcher.scene.scene import Scene
from watcher.scene.stationary import Stationarity
from watcher.scene.tracker import BoxTracker
from watcher.scene.zones import ZoneSet, anchor_points, pixel_polygon

__all__ = [
    "BoxTracker",
    "Identities",
    "LabelVote",
    "Scene",
    "Stationarity",
    "ZoneSet",
    "anchor_points",
    "merge_cross_class",
    "pixel_polygon",
]
