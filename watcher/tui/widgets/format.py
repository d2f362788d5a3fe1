"""Small text formatters shared by the widgets: durations, times, sparklines, rule states."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text

from watcher.types import WHOLE_FRAME

_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[int]) -> str:
    """Block characters scaled to the highest value (at least 1), so a flat 0 is a low line."""
    top = max(1, *values) if values else 1
    return "".join(_BARS[round(v / top * (len(_BARS) - 1))] for v in values)


def duration(seconds: float) -> str:
    """A short duration: 42s, 3m05s, 2h07m, 3d04h."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"


def clock_time(when: datetime | None) -> str:
    """HH:MM:SS in the datetime's own zone, or a dash when unknown."""
    return "—" if when is None else when.strftime("%H:%M:%S")


def zone_name(zone: str | None) -> str:
    """A zone as shown: the whole frame is `frame`."""
    return "frame" if zone in (None, WHOLE_FRAME) else zone


def offline() -> Text:
    """What a camera or rule of a node that went offline shows instead of its stale state."""
    return Text("node offline", style="bold red")


def rule_state(active: bool, value: bool | float | int | str | None) -> Text:
    """`off` while idle; while active the value (a count, a label) or `ON`; active states stand out."""
    if not active:
        return Text("off", style="dim")
    if isinstance(value, bool) or value is None:
        label = "ON"
    elif isinstance(value, float):
        label = f"{value:g}"
    else:
        label = str(value)
    return Text(label, style="bold green")
