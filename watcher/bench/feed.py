"""Frames for the bench worker: live capture threads (real time) or blocking prefetch (fast)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from typing import Protocol

from watcher.capture import CaptureThread
from watcher.clock import SystemClock
from watcher.daemon import BACKLOG_FRAMES
from watcher.types import Frame

from .source import TimedFileSource

_POLL_S = 0.005


class Feed(Protocol):
    """Hands the worker the next frame of a camera, if there is one."""

    sources: Sequence[TimedFileSource]

    def start(self) -> None: ...

    def next(self, index: int) -> Frame | None:
        """A new frame of camera `index`, or None when none is ready yet."""
        ...

    def dropped(self) -> int:
        """Frames overwritten in a capture slot before the worker took them."""
        ...

    def stop(self) -> None: ...


class LiveFeed:
    """The daemon's path: one `CaptureThread` per camera with the daemon's backlog (drops frames)."""

    def __init__(self, sources: Sequence[TimedFileSource]) -> None:
        self.sources = sources
        self._threads = [CaptureThread(s, SystemClock(), backlog=BACKLOG_FRAMES) for s in sources]
        self._last = [-1] * len(sources)

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def next(self, index: int) -> Frame | None:
        frame = self._threads[index].next(after_index=self._last[index])
        if frame is not None:
            self._last[index] = frame.index
        return frame

    def dropped(self) -> int:
        return sum(t.status().frames_dropped for t in self._threads)

    def stop(self) -> None:
        for thread in self._threads:
            thread.stop(timeout=2.0)


class PrefetchFeed:
    """As fast as the worker takes them: a decode thread per camera keeps two frames ready, drops none."""

    def __init__(self, sources: Sequence[TimedFileSource], depth: int = 2) -> None:
        self.sources = sources
        self._queues: list[queue.Queue[Frame]] = [queue.Queue(maxsize=depth) for _ in sources]
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(i,), name=f"bench-decode-{s.camera}", daemon=True)
            for i, s in enumerate(sources)
        ]

    def start(self) -> None:
        for source in self.sources:
            source.open()
        for thread in self._threads:
            thread.start()

    def next(self, index: int) -> Frame | None:
        try:
            return self._queues[index].get(timeout=_POLL_S)
        except queue.Empty:
            return None

    def dropped(self) -> int:
        return 0

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2.0)
        for source in self.sources:
            source.close()

    def _run(self, index: int) -> None:
        source, slots = self.sources[index], self._queues[index]
        while not self._stop.is_set():
            frame = source.read()
            if frame is None:
                return
            while not self._stop.is_set():
                try:
                    slots.put(frame, timeout=0.1)
                    break
                except queue.Full:
                    continue
