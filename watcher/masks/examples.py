"""Stuff masks from a few examples: lawn, snow, water or a roof, without a segmentation model.

Each 16x16 patch of the region is labelled by its nearest example patches (MobileNetV2 stride-16
features, cosine similarity, mean of the `k` best per label): a coarse mask, 16 px to a cell. It is
then refined to pixels by colour: a Lab colour histogram of the target is learned from the patches
that are confidently the target and one of the rest from those confidently not, on this very frame
(so it follows the light), and each pixel combines its colour's odds with its patch's odds.
Edges are as good as the colours are distinct; a thin strip under a cell wide (a path between two
lawns, a fence) is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from watcher.detect.patches import PATCH, Grid, PatchEmbedder
from watcher.errors import ConfigError
from watcher.masks.geometry import BoolMask
from watcher.scene.classify import example_images
from watcher.types import Image

K = 5
"""Example patches per label whose similarities are averaged into the label's score."""
TEMPERATURE = 0.03
"""Score difference (cosine) that makes a patch e (2.7) times more likely the target than not."""
CONFIDENT = 0.05
"""Score difference beyond which a patch's pixels teach the colour model."""
MIN_COLOUR_PIXELS = 200
PRIOR_CAP = 2.0
"""The patch odds are capped (log odds) so a pixel's clearly telling colour can overrule its patch:
the patches that straddle an edge are what the colour model is there to split."""
MAX_SIDE = 768
"""Regions larger than this (px, longest side) are measured on a downscaled copy."""
EXAMPLE_MAX_SIDE = 256
_BINS = (2, 16, 16)
"""Lab histogram bins: lightness matters less than the colour itself (shade, sun)."""
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class PatchExamples:
    """Unit feature vectors of every patch of every example image, with the label of its image."""

    vectors: Grid
    labels: tuple[str, ...]


def examples_problem(folder: Path, label: str) -> str | None:
    """What is wrong with an examples folder for measuring `label` (None: usable), with the fix."""
    images = example_images(folder)
    if label in images and len(images) >= 2:
        return None
    problem = f"no example images for {label}" if label not in images else "needs a second label"
    wanted = [label] if len(images) >= 2 else [label, "other"]
    subdirs = ", ".join(f"{folder / name}/" for name in wanted)
    # Not `watcher examples`: it cuts a whole zone, and an example here must show one surface only.
    return (
        f"{problem} in {folder}; add 3-5 crops per label ({subdirs}), each showing only that surface, "
        "cut from `watcher snapshot CAMERA -o frame.jpg`"
    )


def load_patch_examples(folder: Path, embedder: PatchEmbedder, *, label: str, key: str) -> PatchExamples:
    """Patch features of `folder`/<label>/*.jpg; `label` and at least one other label must have images."""
    problem = examples_problem(folder, label)
    if problem is not None:
        raise ConfigError(problem, key=key)
    images = example_images(folder)
    vectors: list[Grid] = []
    labels: list[str] = []
    for name, files in images.items():
        for path in files:
            read = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if read is None:
                raise ConfigError(f"cannot read example image {path}", key=key)
            cells = embedder.grid(_example_size(np.asarray(read, dtype=np.uint8)))
            grid = cells.reshape(-1, cells.shape[2])
            vectors.append(grid)
            labels.extend([name] * len(grid))
    return PatchExamples(np.concatenate(vectors), tuple(labels))


def _example_size(image: Image) -> Image:
    """At least two patches each way, at most EXAMPLE_MAX_SIDE: a crop keeps its texture's scale."""
    height, width = image.shape[:2]
    scale = min(EXAMPLE_MAX_SIDE / max(height, width), 1.0)
    scale = max(scale, 2 * PATCH / min(height, width))
    if scale == 1.0:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(cv2.resize(image, size), dtype=np.uint8)


class ExamplesMasker:
    """The pixels of one label of the examples inside a region of a frame."""

    def __init__(self, examples: PatchExamples, label: str, embedder: PatchEmbedder, k: int = K) -> None:
        self._embedder = embedder
        self._label = label
        labels = np.asarray(examples.labels)
        self._target = examples.vectors[labels == label]
        self._others = [examples.vectors[labels == other] for other in sorted(set(examples.labels) - {label})]
        self._k = k

    def mask(self, image: Image, region: BoolMask) -> BoolMask:
        """A frame-sized mask of the label's pixels inside `region` (a frame-sized mask, e.g. a zone)."""
        out = np.zeros(region.shape, dtype=bool)
        ys, xs = np.nonzero(region)
        if len(ys) == 0:
            return out
        height, width = region.shape
        x1, y1, x2, y2 = _patch_aligned(
            int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1, width, height
        )
        crop = image[y1:y2, x1:x2]
        scale = min(1.0, MAX_SIDE / max(crop.shape[:2]))
        small = np.asarray(
            cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else crop,
            dtype=np.uint8,
        )
        if min(small.shape[:2]) < PATCH:
            return out
        odds = self.patch_log_odds(small)
        pixels = self._refine(small[: odds.shape[0] * PATCH, : odds.shape[1] * PATCH], odds)
        canvas = np.zeros(small.shape[:2], dtype=np.uint8)
        canvas[: pixels.shape[0], : pixels.shape[1]] = pixels
        out[y1:y2, x1:x2] = cv2.resize(canvas, (x2 - x1, y2 - y1), interpolation=cv2.INTER_NEAREST) > 0
        return out & region

    def patch_log_odds(self, image: Image) -> FloatArray:
        """Per patch, how much more the target it looks than the nearest other label (log odds)."""
        grid = self._embedder.grid(image)
        rows, columns = grid.shape[:2]
        flat = grid.reshape(rows * columns, -1)
        target = self._score(flat, self._target)
        other = np.max(np.stack([self._score(flat, refs) for refs in self._others]), axis=0)
        odds: FloatArray = ((target - other) / TEMPERATURE).reshape(rows, columns).astype(np.float32)
        return odds

    def _score(self, flat: Grid, refs: Grid) -> FloatArray:
        similarities = flat @ refs.T
        k = min(self._k, refs.shape[0])
        best = -np.partition(-similarities, k - 1, axis=1)[:, :k]
        score: FloatArray = best.mean(axis=1)
        return score

    def _refine(self, image: Image, odds: FloatArray) -> npt.NDArray[np.uint8]:
        """Pixel mask (uint8 0/1) from the patch odds and a colour model learned on confident patches."""
        height, width = image.shape[:2]
        prior = np.clip(
            cv2.resize(odds, (width, height), interpolation=cv2.INTER_LINEAR), -PRIOR_CAP, PRIOR_CAP
        )
        # Only patches whose neighbours agree teach colours: a patch on an edge holds both sides.
        inner = np.ones((3, 3), np.uint8)
        yes_cells = cv2.erode(
            (odds > CONFIDENT / TEMPERATURE).astype(np.uint8), inner, borderType=cv2.BORDER_REPLICATE
        )
        no_cells = cv2.erode(
            (odds < -CONFIDENT / TEMPERATURE).astype(np.uint8), inner, borderType=cv2.BORDER_REPLICATE
        )
        block = np.ones((PATCH, PATCH), np.uint8)
        yes, no = np.kron(yes_cells, block) > 0, np.kron(no_cells, block) > 0
        if np.count_nonzero(yes) < MIN_COLOUR_PIXELS or np.count_nonzero(no) < MIN_COLOUR_PIXELS:
            return (prior > 0).astype(np.uint8)
        lab = np.asarray(cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_BGR2LAB), dtype=np.uint8)
        index = _bin_index(lab)
        size = _BINS[0] * _BINS[1] * _BINS[2]
        p_yes = (np.bincount(index[yes], minlength=size) + 1.0) / (np.count_nonzero(yes) + size)
        p_no = (np.bincount(index[no], minlength=size) + 1.0) / (np.count_nonzero(no) + size)
        colour = np.log(p_yes / p_no).astype(np.float32)[index]
        combined = (colour + prior > 0).astype(np.uint8)
        smoothed = np.asarray(cv2.medianBlur(combined, 5), dtype=np.uint8)
        return smoothed


def _bin_index(lab: Image) -> npt.NDArray[np.intp]:
    l_bin = lab[..., 0].astype(np.intp) * _BINS[0] // 256
    a_bin = lab[..., 1].astype(np.intp) * _BINS[1] // 256
    b_bin = lab[..., 2].astype(np.intp) * _BINS[2] // 256
    index: npt.NDArray[np.intp] = (l_bin * _BINS[1] + a_bin) * _BINS[2] + b_bin
    return index


def _patch_aligned(x1: int, y1: int, x2: int, y2: int, width: int, height: int) -> tuple[int, int, int, int]:
    """The box grown (inside the frame) so each side is a whole number of patches where it can be."""
    w = min(width, -(-(x2 - x1) // PATCH) * PATCH)
    h = min(height, -(-(y2 - y1) // PATCH) * PATCH)
    x1, y1 = min(x1, width - w), min(y1, height - h)
    return x1, y1, x1 + w, y1 + h
