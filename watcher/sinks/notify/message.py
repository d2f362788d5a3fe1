"""A notification: title and body from the target's templates, and the snapshot JPEG."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from watcher.config import NotifyTarget
from watcher.types import WHOLE_FRAME, Event


@dataclass(frozen=True, slots=True)
class Message:
    """What one target gets for one event; `jpeg` is the attached snapshot, if any."""

    target: str
    rule: str
    title: str
    body: str
    jpeg: bytes | None = None


def template_values(event: Event, when: datetime) -> dict[str, str]:
    """The placeholder values of an event; `when` is the wall time it is notified at."""
    labels = Counter(o.label for o in event.objects)
    count = event.value if isinstance(event.value, int) and not isinstance(event.value, bool) else None
    return {
        "rule": event.rule,
        "camera": event.camera,
        "zone": event.zone or WHOLE_FRAME,
        "label": ", ".join(label for label, _ in labels.most_common()) or "object",
        "count": str(len(event.objects) if count is None else count),
        "time": when.strftime("%H:%M:%S"),
        "type": str(event.type),
    }


def render(name: str, target: NotifyTarget, values: dict[str, str], jpeg: bytes | None) -> Message:
    """The message for target `name`; a template that cannot be filled is sent as written."""
    return Message(name, values["rule"], _fill(target.title, values), _fill(target.body, values), jpeg)


def _fill(template: str, values: dict[str, str]) -> str:
    try:
        return template.format_map(values)
    except (ValueError, KeyError, IndexError):
        # Placeholders are checked when the config loads; a bad format spec is the only way here.
        return template
