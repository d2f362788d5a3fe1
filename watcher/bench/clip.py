"""A mostly static 768x432 clip cut from real footage, for the motion-gate scenario."""

from __future__ import annotations

from pathlib import Path

import cv2

from watcher.errors import SourceError

SIZE = (768, 432)
FPS = 10.0
# bottle-detection.mp4 (30 fps) holds still for its first 171 frames (motion < 0.2 % of a 160x90 grey
# frame), then a hand moves a bottle: 5.7 s still + 1 s of motion, every 3rd frame for 10 fps.
STILL_FRAMES = range(0, 171, 3)
MOVING_FRAMES = range(171, 201, 3)


def make_static_clip(source: Path, out: Path) -> Path:
    """Write `out` (MPEG-4, 768x432, 10 fps) from a still stretch and a short moving one of `source`."""
    wanted = {*STILL_FRAMES, *MOVING_FRAMES}
    capture = cv2.VideoCapture(str(source), cv2.CAP_FFMPEG)
    if not capture.isOpened():
        raise SourceError("bench", f"cannot open video file {source}")
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), FPS, SIZE)
    if not writer.isOpened():
        capture.release()
        raise SourceError("bench", f"cannot write video {out}")
    written = 0
    try:
        for index in range(max(wanted) + 1):
            ok, image = capture.read()
            if not ok:
                break
            if index in wanted:
                writer.write(cv2.resize(image, SIZE, interpolation=cv2.INTER_AREA))
                written += 1
    finally:
        capture.release()
        writer.release()
    if written < len(wanted):
        raise SourceError("bench", f"{source} has only {written} of the {len(wanted)} frames the clip needs")
    return out
