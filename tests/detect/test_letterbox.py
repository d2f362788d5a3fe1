"""Letterbox geometry and the exact way back from network input to frame pixels."""

from __future__ import annotations

import numpy as np
import pytest

from watcher.detect import Letterbox
from watcher.detect.letterbox import PAD_VALUE, letterbox_geometry


@pytest.mark.parametrize(
    ("frame", "size", "rect", "ratio", "pad", "resized", "network"),
    [
        ((768, 576), 320, False, 320 / 768, (0, 40), (320, 240), (320, 320)),
        ((768, 576), 320, True, 320 / 768, (0, 8), (320, 240), (320, 256)),
        ((480, 270), 320, False, 320 / 480, (0, 70), (320, 180), (320, 320)),
        ((480, 270), 320, True, 320 / 480, (0, 6), (320, 180), (320, 192)),
        ((270, 480), 320, False, 320 / 480, (70, 0), (180, 320), (320, 320)),
        ((320, 320), 320, False, 1.0, (0, 0), (320, 320), (320, 320)),
    ],
)
def test_geometry_scales_the_long_side_and_centres_the_padding(
    frame: tuple[int, int],
    size: int,
    rect: bool,
    ratio: float,
    pad: tuple[int, int],
    resized: tuple[int, int],
    network: tuple[int, int],
) -> None:
    meta, new_size, input_size = letterbox_geometry(*frame, size, rect)
    assert (meta.ratio, (meta.pad_x, meta.pad_y), new_size, input_size) == (ratio, pad, resized, network)


@pytest.mark.parametrize("rect", [False, True])
def test_a_drawn_rectangle_maps_back_to_its_frame_coordinates(rect: bool) -> None:
    frame = np.zeros((576, 768, 3), dtype=np.uint8)
    frame[96:288, 192:480] = 255  # x 192..480, y 96..288: multiples of 2.4 px land on whole input pixels
    tensor, meta = Letterbox(320, rect=rect)(frame)
    ys, xs = np.nonzero(tensor[0, 0] > 0.99)
    network_box = np.array([[xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]], dtype=np.float32)
    np.testing.assert_array_equal(meta.to_frame(network_box), [[192, 96, 480, 288]])


def test_to_frame_undoes_to_input() -> None:
    _, meta = Letterbox(320)(np.zeros((270, 480, 3), dtype=np.uint8))
    boxes = np.array([[0, 0, 480, 270], [12.5, 40.25, 100, 200]], dtype=np.float32)
    np.testing.assert_allclose(meta.to_frame(meta.to_input(boxes)), boxes, atol=1e-4)


def test_boxes_reaching_into_the_padding_are_clipped_to_the_frame() -> None:
    _, meta = Letterbox(320)(np.zeros((270, 480, 3), dtype=np.uint8))
    np.testing.assert_array_equal(
        meta.to_frame(np.array([[-5, 0, 330, 320]], dtype=np.float32)), [[0, 0, 480, 270]]
    )


def test_padding_is_grey_114_and_pixels_are_rgb_in_0_to_1() -> None:
    frame = np.zeros((270, 480, 3), dtype=np.uint8)
    frame[..., 0] = 255  # pure blue in BGR
    tensor, _ = Letterbox(320)(frame)
    assert tensor.shape == (1, 3, 320, 320)
    np.testing.assert_allclose(tensor[0, :, 0, 0], [PAD_VALUE / 255] * 3, rtol=1e-6)
    np.testing.assert_array_equal(tensor[0, :, 160, 160], [0.0, 0.0, 1.0])


def test_a_frame_of_another_size_after_the_first_gets_its_own_geometry() -> None:
    letterbox = Letterbox(320, rect=True)
    letterbox(np.zeros((270, 480, 3), dtype=np.uint8))
    tensor, meta = letterbox(np.full((576, 768, 3), 255, dtype=np.uint8))
    assert tensor.shape == (1, 3, 256, 320)
    assert (meta.pad_x, meta.pad_y, meta.frame_width, meta.frame_height) == (0, 8, 768, 576)
    np.testing.assert_array_equal(tensor[0, :, 128, 160], [1.0, 1.0, 1.0])
