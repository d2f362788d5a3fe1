"""Masks an `area` or `occupancy` rule measures when no segmentation model gives them.

`object_mask`: a class-agnostic object mask inside a detector's box (GrabCut). `ExamplesMasker`:
the pixels of a label (lawn, snow, a roof) learned from a few example crops. Plus the geometry
both are judged by (`polygon_mask`, `iou`).
"""

from watcher.masks.examples import ExamplesMasker, PatchExamples, examples_problem, load_patch_examples
from watcher.masks.geometry import BoolMask, clip_box, iou, polygon_mask
from watcher.masks.object import object_mask

__all__ = [
    "BoolMask",
    "ExamplesMasker",
    "PatchExamples",
    "clip_box",
    "examples_problem",
    "iou",
    "load_patch_examples",
    "object_mask",
    "polygon_mask",
]
