"""The annotated frame draws a segmentation model's masks on their tracks."""

from __future__ import annotations

import numpy as np

from watcher.annotate import FrameAnnotator
from watcher.types import Image, Observation, Track

BOX = (100.0, 120.0, 220.0, 220.0)


def drawn(mask: np.ndarray | None) -> Image:
    image = np.full((240, 320, 3), 128, dtype=np.uint8)
    obs = Observation("cam", 0, 0.0, (320, 240), (Track(1, "car", 0.9, BOX, mask=mask),), {})
    return FrameAnnotator([]).draw(image, obs)


def test_a_tracks_mask_is_tinted_and_the_rest_of_its_box_is_not() -> None:
    mask = np.zeros((240, 320), dtype=bool)
    mask[150:190, 140:180] = True
    out = drawn(mask)
    assert (out[170, 160] != 128).any()
    assert (out[210, 110] == 128).all()


def test_without_a_mask_the_box_is_outlined_and_its_inside_left_alone() -> None:
    out = drawn(None)
    assert (out[170, 160] == 128).all()
    assert (out[220, 160] != 128).any()
