from __future__ import annotations

import threading
from collections.abc import Callable

from watcher.sinks import FakeSink
from watcher.types import Event


def test_fake_sink_records_events_from_many_threads(event: Callable[..., Event]) -> None:
    sink = FakeSink()
    threads = [threading.Thread(target=sink.handle_event, args=(event(n), None)) for n in range(20)]
    for t in threads:
        t.start()
    assert sink.wait_for_events(20)
    assert sorted(e.id for e in sink.events) == sorted(f"ev-{n}" for n in range(20))
