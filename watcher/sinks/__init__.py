"""Sinks: where events and observations go, off the frame loop (log, store; MQTT and notify later)."""

from __future__ import annotations

from watcher.sinks.base import Sink
from watcher.sinks.fake import FakeSink
from watcher.sinks.log import LogSink, format_event
from watcher.sinks.runner import SinkRunner, SinkStats
from watcher.sinks.store import EventStore, StoreSink

__all__ = [
    "EventStore",
    "FakeSink",
    "LogSink",
    "Sink",
    "SinkRunner",
    "SinkStats",
    "StoreSink",
    "format_event",
]
