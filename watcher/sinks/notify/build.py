"""Building the notify sink from the config, and `watcher notify-test`."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import cv2

from watcher import resources
from watcher.clock import Clock, SystemClock
from watcher.config import Config
from watcher.errors import ConfigError
from watcher.sinks.notify.message import Message, render
from watcher.sinks.notify.senders import apprise_senders
from watcher.sinks.notify.sink import NotifySink, Target


def build_notify_sink(config: Config, clock: Clock | None = None) -> NotifySink | None:
    """The notify sink when any rule notifies a target, else None."""
    rules = {rule.name: list(rule.notify) for rule in config.rules if rule.notify}
    if not rules:
        return None
    used = {name for names in rules.values() for name in names}
    targets = {
        name: Target(name, target, apprise_senders(name, target.urls))
        for name, target in config.notify.items()
        if name in used
    }
    return NotifySink(targets, rules, clock=clock, timezone=config.timezone)


def send_test(config: Config, name: str, jpeg: bytes | None) -> list[tuple[str, bool]]:
    """Send one test message to every URL of target `name` now; (service, delivered) per URL."""
    if name not in config.notify:
        have = ", ".join(sorted(config.notify)) or "none configured"
        raise ConfigError(f"unknown notify target {name!r} (have: {have})", key="NAME")
    target = config.notify[name]
    values = {
        "rule": "notify_test",
        "camera": config.cameras[0].name,
        "zone": "test",
        "label": "person",
        "count": "1",
        "time": SystemClock().wall().astimezone(ZoneInfo(config.timezone)).strftime("%H:%M:%S"),
        "type": "test",
    }
    message: Message = render(name, target, values, jpeg)
    return [(sender.label, sender.send(message)) for sender in apprise_senders(name, target.urls)]


def sample_snapshot() -> bytes | None:
    """The demo clip's first frame as JPEG, the attachment of `watcher notify-test`."""
    capture = cv2.VideoCapture(str(resources.demo_clip()))
    try:
        ok, image = capture.read()
    finally:
        capture.release()
    if not ok:
        return None
    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
    return jpeg.tobytes() if ok else None
