from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

import pytest

from watcher.sinks import LogSink
from watcher.types import Event, EventType


@pytest.mark.parametrize(
    ("type_", "line"),
    [
        (EventType.START, "start presence_on_path demo zone=path value=2 t=12.300 objects=person#3,person#7"),
        (EventType.END, "end presence_on_path demo zone=path value=0 t=15.500 objects=person#3,person#7"),
    ],
)
def test_log_sink_logs_one_info_line_per_event(
    event: Callable[..., Event], caplog: pytest.LogCaptureFixture, type_: EventType, line: str
) -> None:
    with caplog.at_level(logging.INFO, logger="watcher.events"):
        LogSink().handle_event(event(0, type_), None)
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("watcher.events", logging.INFO, line)
    ]


def test_log_sink_writes_star_for_whole_frame_and_dash_for_no_objects(
    event: Callable[..., Event], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="watcher.events"):
        LogSink().handle_event(replace(event(0), zone=None, objects=()), None)
    assert caplog.messages == ["start presence_on_path demo zone=* value=2 t=12.300 objects=-"]
