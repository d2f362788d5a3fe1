"""Decoding a recording on its own thread, a few frames ahead of the pipeline (`watcher replay`)."""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from watcher.capture import FileSource, Source
from watcher.errors import SourceError
from watcher.pipeline import Throttle
from watcher.types import Frame

log = logging.getLogger("watcher.replay")

DEPTH = 8
"""Frames decoded ahead: enough to cover a slow model run, ~10 MB at 768x576."""


@dataclass(frozen=True, slots=True)
class Item:
    """One position in the recording: its frame (None when only grabbed), capture time, and if it is due."""

    frame: Frame | None
    timestamp: float
    due: bool


_END = object()


class ReadAhead:
    """Reads `source` on a thread; frames the throttle will not take are only grabbed unless `every_frame`.

    The throttle belongs to this reader: it decides `due` in file order, exactly as a serial loop would,
    so a replay gives the same events with or without the thread.
    """

    def __init__(self, source: Source, throttle: Throttle, *, every_frame: bool, depth: int = DEPTH) -> None:
        self._source = source
        self._throttle = throttle
        self._skipper = source if isinstance(source, FileSource) and not every_frame else None
        self._items: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="replay-decode", daemon=True)
        self._thread.start()

    def __iter__(self) -> Iterator[Item]:
        while (item := self._items.get()) is not _END:
            assert isinstance(item, Item)
            yield item
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        """Stop reading (early exit included) and wait for the thread."""
        self._stop.set()
        while self._thread.is_alive():
            with contextlib.suppress(queue.Empty):  # unblock a put() waiting on a full queue
                self._items.get(timeout=0.05)
        self._thread.join()

    def _run(self) -> None:
        try:
            self._read()
        except BaseException as exc:  # handed to the consuming thread, raised there
            self._error = exc
        finally:
            self._put(_END, final=True)

    def _read(self) -> None:
        skipper, throttle = self._skipper, self._throttle
        while not self._stop.is_set():
            upcoming = skipper.next_timestamp if skipper is not None else None
            if skipper is not None and upcoming is not None and not throttle.wants(upcoming):
                if not skipper.skip():
                    return
                self._put(Item(None, upcoming, due=False))
                continue
            try:
                frame = self._source.read()
            except SourceError as exc:
                log.warning("skipping the rest of the video: %s", exc.problem)
                return
            if frame is None:
                return
            self._put(Item(frame, frame.timestamp, due=throttle.due(frame.timestamp)))

    def _put(self, item: object, *, final: bool = False) -> None:
        while final or not self._stop.is_set():
            try:
                self._items.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
