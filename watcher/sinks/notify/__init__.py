"""Notifications through apprise: templates, snapshot attached, retries off the frame loop."""

from __future__ import annotations

from watcher.sinks.notify.build import build_notify_sink, sample_snapshot, send_test
from watcher.sinks.notify.fake import FakeSender
from watcher.sinks.notify.message import Message, render, template_values
from watcher.sinks.notify.queue import NotifyQueue
from watcher.sinks.notify.senders import AppriseSender, Sender, apprise_senders, service_label
from watcher.sinks.notify.sink import NotifySink, Target

__all__ = [
    "AppriseSender",
    "FakeSender",
    "Message",
    "NotifyQueue",
    "NotifySink",
    "Sender",
    "Target",
    "apprise_senders",
    "build_notify_sink",
    "render",
    "sample_snapshot",
    "send_test",
    "service_label",
    "template_values",
]
