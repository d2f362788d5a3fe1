"""Ground plane: a homography from image points to world metres on the ground (flat garden, street).

Calibrated from four or more image points (relative 0..1, so any stream resolution works) and
the same points measured on the ground in metres. Positions, distances, kerb lengths and mask
areas then come out in metres and m².
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import cv2
import numpy as np
import numpy.typing as npt

Point = tuple[float, float]
FloatArray = npt.NDArray[np.float64]

_COLLINEAR = 1e-3
"""A triangle smaller than this share of the points' bounding-box area counts as a line."""


class GroundError(ValueError):
    """The points cannot define a ground plane; the message says why."""


def _collinear_triple(points: FloatArray) -> tuple[int, int, int] | None:
    span = np.ptp(points, axis=0)
    scale = float(span[0] * span[1]) or float(max(span.max(), 1e-12)) ** 2
    for i, j, k in combinations(range(len(points)), 3):
        a, b, c = points[i], points[j], points[k]
        twice_area = abs((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))
        if twice_area / 2.0 < _COLLINEAR * scale:
            return i, j, k
    return None


def _check(points: FloatArray, what: str) -> None:
    if len(points) == 4:
        triple = _collinear_triple(points)
        if triple is not None:
            i, j, k = triple
            raise GroundError(f"{what} {i + 1}, {j + 1} and {k + 1} lie on one line (degenerate)")
        return
    spread = np.linalg.svd(points - points.mean(axis=0), compute_uv=False)
    if spread[1] < _COLLINEAR * spread[0]:
        raise GroundError(f"{what} all lie on one line (degenerate)")


class GroundPlane:
    """Maps frame pixels to world metres on the ground."""

    def __init__(self, image_points: Sequence[Point], world_points: Sequence[Point]) -> None:
        image = np.asarray(image_points, dtype=np.float64).reshape(-1, 2)
        world = np.asarray(world_points, dtype=np.float64).reshape(-1, 2)
        if len(image) != len(world):
            raise GroundError(f"{len(image)} image points but {len(world)} world points; they must pair up")
        if len(image) < 4:
            raise GroundError(f"needs at least 4 point pairs (got {len(image)})")
        _check(image, "image points")
        _check(world, "world points")
        homography, _ = cv2.findHomography(image, world, 0)
        if (
            homography is None
            or not np.all(np.isfinite(homography))
            or abs(np.linalg.det(homography)) < 1e-12
        ):
            raise GroundError("the points do not define a ground plane (degenerate homography)")
        self._relative: FloatArray = homography.astype(np.float64)
        self._image = image
        self._world = world
        self._scale_cache: tuple[tuple[int, int], FloatArray] | None = None

    def homography(self, frame_size: tuple[int, int]) -> FloatArray:
        """The 3x3 matrix from pixels of a `frame_size` (width, height) frame to metres."""
        w, h = frame_size
        return self._relative @ np.diag([1.0 / w, 1.0 / h, 1.0])

    def to_world(self, pixels: npt.ArrayLike, frame_size: tuple[int, int]) -> FloatArray:
        """World positions (metres) of pixel points, shape (N, 2)."""
        points = np.asarray(pixels, dtype=np.float64).reshape(-1, 1, 2)
        if len(points) == 0:
            return np.zeros((0, 2), dtype=np.float64)
        mapped = cv2.perspectiveTransform(points, self.homography(frame_size))
        return np.asarray(mapped, dtype=np.float64).reshape(-1, 2)

    def distance(self, a: Point, b: Point, frame_size: tuple[int, int]) -> float:
        """Metres between two pixel points on the ground."""
        pa, pb = self.to_world([a, b], frame_size)
        return float(np.hypot(*(pa - pb)))

    def polygon_area(self, pixels: npt.ArrayLike, frame_size: tuple[int, int]) -> float:
        """m² of a polygon given in pixels (a homography maps straight edges to straight edges)."""
        world = self.to_world(pixels, frame_size)
        x, y = world[:, 0], world[:, 1]
        return float(abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))) / 2.0)

    def pixel_areas(self, frame_size: tuple[int, int]) -> FloatArray:
        """m² of the ground under each pixel, shape (height, width): |det J| of the homography there."""
        if self._scale_cache is not None and self._scale_cache[0] == frame_size:
            return self._scale_cache[1]
        matrix = self.homography(frame_size)
        w, h = frame_size
        xs, ys = np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)
        denominator = matrix[2, 0] * xs + matrix[2, 1] * ys + matrix[2, 2]
        areas: FloatArray = np.abs(np.linalg.det(matrix) / denominator**3)
        self._scale_cache = (frame_size, areas)
        return areas

    def mask_area(self, mask: npt.NDArray[np.bool_], frame_size: tuple[int, int]) -> float:
        """m² of the ground a boolean pixel mask covers."""
        return float(self.pixel_areas(frame_size)[mask].sum())

    def reprojection_error(self) -> float:
        """Mean distance (metres) between the measured world points and the mapped image points."""
        mapped = cv2.perspectiveTransform(self._image.reshape(-1, 1, 2), self._relative).reshape(-1, 2)
        return float(np.mean(np.hypot(*(mapped - self._world).T)))

    def long_axis(self, polygon_pixels: npt.ArrayLike, frame_size: tuple[int, int]) -> tuple[Point, Point]:
        """World end points of a zone's long axis (its kerb line): the long side of its minimal rectangle."""
        world = self.to_world(polygon_pixels, frame_size).astype(np.float32)
        (cx, cy), (rw, rh), angle = cv2.minAreaRect(world)
        theta = np.deg2rad(angle if rw >= rh else angle + 90.0)
        half = max(rw, rh) / 2.0
        dx, dy = float(np.cos(theta)) * half, float(np.sin(theta)) * half
        return (float(cx - dx), float(cy - dy)), (float(cx + dx), float(cy + dy))
