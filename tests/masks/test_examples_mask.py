"""Stuff masks from example crops against the hand-drawn lawn (thresholds documented in docs/rules.md).

The examples (tests/data/examples/lawn/{lawn,other}) are crops of other frames of the same clip.
Measured IoU with the lawn outline: 0.90-0.93 in the lower two thirds of the frame (lawn and path),
0.93-0.96 in the lawn recipe's zone, 0.83-0.85 over the whole frame (the far lawns count too).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from tests.masks.truth import ROOT, outlined, samples
from watcher.detect.patches import shared_patch_embedder
from watcher.errors import ConfigError
from watcher.masks import ExamplesMasker, iou, load_patch_examples, polygon_mask

EXAMPLES = ROOT / "tests" / "data" / "examples" / "lawn"
LOWER = [[0.0, 0.35], [1.0, 0.35], [1.0, 1.0], [0.0, 1.0]]
RECIPE = [[0.05, 0.55], [0.95, 0.55], [0.95, 0.98], [0.05, 0.98]]
"""The zone of rules/roof_or_lawn_area.toml."""


@cache
def lawn_masker() -> ExamplesMasker:
    embedder = shared_patch_embedder()
    return ExamplesMasker(load_patch_examples(EXAMPLES, embedder, label="lawn", key="k"), "lawn", embedder)


def zone(points: list[list[float]], size: tuple[int, int]) -> np.ndarray:
    return polygon_mask(np.asarray(points) * size, size)


@pytest.mark.parametrize(("name", "index"), samples("lawn"))
@pytest.mark.parametrize(("points", "threshold"), [(LOWER, 0.88), (RECIPE, 0.90)])
def test_lawn_from_examples_matches_the_outline_inside_the_zone(
    name: str, index: int, points: list[list[float]], threshold: float
) -> None:
    image, truth = outlined(name, index)
    region = zone(points, (image.shape[1], image.shape[0]))
    mask = lawn_masker().mask(image, region)
    assert not (mask & ~region).any()
    assert iou(mask, truth & region) >= threshold


def test_the_patch_grid_is_one_cell_per_16_pixels() -> None:
    image, _ = outlined("lawn", 0)
    odds = lawn_masker().patch_log_odds(image[400:576, 0:320])
    assert odds.shape == (11, 20)
    assert (odds > 0).mean() > 0.8  # that corner is lawn but for the litter on it


def test_examples_without_the_measured_label_are_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"rules\[0\]\.examples: no example images for snow in .*snow/"):
        load_patch_examples(EXAMPLES, shared_patch_embedder(), label="snow", key="rules[0].examples")


def test_one_label_alone_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "lawn").mkdir()
    (tmp_path / "lawn" / "a.jpg").write_bytes((EXAMPLES / "lawn" / "demo0150_20_340.jpg").read_bytes())
    with pytest.raises(ConfigError, match="needs a second label"):
        load_patch_examples(tmp_path, shared_patch_embedder(), label="lawn", key="rules[0].examples")
