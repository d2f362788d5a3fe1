"""`FakeSource`: a scripted source for tests of code that consumes frames."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from watcher.errors import SourceError
from watcher.types import Frame


class FakeSource:
    """Plays a script: a Frame is returned by read, an exception is raised by read; after the script, None."""

    def __init__(
        self,
        script: Iterable[Frame | Exception],
        *,
        camera: str = "fake",
        fps: float | None = None,
        open_errors: Iterable[SourceError] = (),
    ) -> None:
        self.camera = camera
        self.url = f"fake://{camera}"
        self.fps = fps
        self.opens = 0
        self.closes = 0
        self.is_open = False
        # The script is consumed lazily so a generator can stand for an endless camera.
        self._script: Iterator[Frame | Exception] = iter(script)
        self._open_errors = list(open_errors)

    @classmethod
    def counting(
        cls, count: int, *, camera: str = "fake", fps: float = 10.0, size: tuple[int, int] = (32, 24)
    ) -> FakeSource:
        """A source of `count` frames with index i, timestamp i / fps and every pixel equal to i % 256."""
        width, height = size
        frames = (
            Frame(camera, i, i / fps, np.full((height, width, 3), i % 256, dtype=np.uint8))
            for i in range(count)
        )
        return cls(frames, camera=camera, fps=fps)

    def open(self) -> None:
        """Open; raises the next of `open_errors` while any are left."""
        self.opens += 1
        if self._open_errors:
            raise self._open_errors.pop(0)
        self.is_open = True

    def read(self) -> Frame | None:
        """The next scripted frame, the next scripted error raised, or None when the script is over."""
        if not self.is_open:
            raise SourceError(self.camera, "read before open")
        item = next(self._script, None)
        if isinstance(item, Exception):
            raise item
        return item

    def close(self) -> None:
        """Close."""
        self.closes += 1
        self.is_open = False
