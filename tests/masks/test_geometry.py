"""Polygon masks and IoU, on shapes whose answers are known exactly."""

from __future__ import annotations

import numpy as np
import pytest

from watcher.masks import clip_box, iou, polygon_mask


def test_a_rectangle_polygon_fills_its_pixels() -> None:
    mask = polygon_mask([[2, 1], [5, 1], [5, 3], [2, 3]], (8, 6))
    assert np.argwhere(mask).tolist() == [[r, c] for r in range(1, 4) for c in range(2, 6)]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((0, 4), (0, 4), 1.0),
        ((0, 4), (2, 6), 2 / 6),
        ((0, 2), (4, 6), 0.0),
    ],
)
def test_iou_of_column_bands(a: tuple[int, int], b: tuple[int, int], expected: float) -> None:
    first, second = np.zeros((3, 8), bool), np.zeros((3, 8), bool)
    first[:, a[0] : a[1]] = True
    second[:, b[0] : b[1]] = True
    assert iou(first, second) == pytest.approx(expected)


def test_two_empty_masks_agree_fully() -> None:
    assert iou(np.zeros((2, 2), bool), np.zeros((2, 2), bool)) == 1.0


def test_a_box_is_clipped_to_the_frame_in_whole_pixels() -> None:
    assert clip_box((-3.2, 4.6, 12.5, 99.0), 10, 20) == (0, 5, 10, 20)
