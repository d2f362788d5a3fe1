"""`watcher calibrate`: image points + measured ground points → the camera's `ground_plane` block."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from watcher.errors import ConfigError
from watcher.ground import GroundError, GroundPlane, Point

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)"
_PAIR = re.compile(rf"^\s*({_NUMBER})\s*[, ]\s*({_NUMBER})\s*$")


@dataclass(frozen=True, slots=True)
class Calibration:
    """A checked ground plane: relative image points, world metres and the reprojection error."""

    camera: str
    image_points: tuple[Point, ...]
    world_points: tuple[Point, ...]
    error_m: float

    def toml(self) -> str:
        """The block to paste into the camera's `[[cameras]]` table."""

        def points(values: Sequence[Point]) -> str:
            return "[" + ", ".join(f"[{_num(x)}, {_num(y)}]" for x, y in values) + "]"

        return (
            f"# paste into the [[cameras]] table of camera {self.camera!r}\n"
            f"ground_plane = {{ image_points = {points(self.image_points)}, "
            f"world_points = {points(self.world_points)} }}"
        )


def _num(value: float) -> str:
    return f"{round(value, 4):g}"


def parse_point(text: str, key: str) -> Point:
    """`"x,y"` (or `"x y"`) as a point; `ConfigError` on `key` otherwise."""
    match = _PAIR.match(text)
    if match is None:
        raise ConfigError(f"expected a point as x,y (got {text!r})", key=key)
    return float(match.group(1)), float(match.group(2))


def parse_points(text: str, key: str) -> list[Point]:
    """`"x,y x,y ..."` or `"x,y; x,y; ..."` as points."""
    parts = [p for p in re.split(r"[;\s]+", re.sub(r"\s*,\s*", ",", text.strip())) if p]
    return [parse_point(part, key) for part in parts]


def calibrate(
    camera: str,
    image_points: Sequence[Point],
    world_points: Sequence[Point],
    frame_size: tuple[int, int] | None = None,
) -> Calibration:
    """Check the points and fit the plane; pixel image points need `frame_size` (width, height)."""
    if frame_size is not None:
        w, h = frame_size
        image_points = [(x / w, y / h) for x, y in image_points]
    for x, y in image_points:
        if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
            hint = "" if frame_size else "; pixel coordinates need --frame-size WxH"
            raise ConfigError(
                f"image point [{_num(x)}, {_num(y)}] is outside the frame{hint}", key="--image-points"
            )
    try:
        plane = GroundPlane(image_points, world_points)
    except GroundError as exc:
        raise ConfigError(str(exc), key="--image-points/--world-points") from None
    return Calibration(camera, tuple(image_points), tuple(world_points), plane.reprojection_error())


def prompt_points(ask: Callable[[str], str]) -> tuple[list[Point], list[Point]]:
    """Ask for pairs of image and world points until a blank answer (at least 4 pairs)."""
    try:
        return _prompt(ask)
    except EOFError:
        raise ConfigError("input ended before 4 point pairs were given", key="CAMERA") from None


def _prompt(ask: Callable[[str], str]) -> tuple[list[Point], list[Point]]:
    image: list[Point] = []
    world: list[Point] = []
    while True:
        n = len(image) + 1
        answer = ask(f"image point {n} (x,y relative 0..1{'; blank to finish' if n > 4 else ''}): ").strip()
        if not answer:
            if n > 4:
                return image, world
            continue
        image.append(parse_point(answer, f"image point {n}"))
        world.append(parse_point(ask(f"world point {n} (x,y metres): "), f"world point {n}"))
