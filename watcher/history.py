"""Event history for `watcher events` and `watcher export`: since-parsing, table, JSON lines, CSV."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from watcher.errors import ConfigError
from watcher.sinks.store import StoredEvent
from watcher.types import WHOLE_FRAME

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhdw])$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
COLUMNS = ("time", "type", "rule", "camera", "zone", "label", "value", "start", "end", "snapshot")


def parse_since(text: str, now: datetime, timezone: str = "UTC") -> datetime:
    """`90s`, `15m`, `1h`, `2d`, `1w` before `now`, or an ISO date/time (in `timezone` if naive)."""
    match = _DURATION.match(text.strip())
    if match:
        return now - timedelta(seconds=float(match.group(1)) * _UNIT_S[match.group(2)])
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"expected a duration like 1h, 30m, 2d or a date like 2026-01-31 (got {text!r})", key="--since"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=ZoneInfo(timezone))


def row(stored: StoredEvent, timezone: str = "UTC") -> dict[str, str]:
    """One event as text cells keyed by `COLUMNS`; `time` is when it was stored, local to `timezone`."""
    e = stored.event
    labels = Counter(o.label for o in e.objects)
    created = datetime.fromtimestamp(stored.created, ZoneInfo(timezone))
    return {
        "time": created.strftime("%Y-%m-%d %H:%M:%S"),
        "type": str(e.type),
        "rule": e.rule,
        "camera": e.camera,
        "zone": e.zone or WHOLE_FRAME,
        "label": ",".join(label for label, _ in labels.most_common()),
        "value": "" if e.value is None else str(e.value),
        "start": f"{e.start_time:.3f}",
        "end": "" if e.end_time is None else f"{e.end_time:.3f}",
        "snapshot": e.snapshot or "",
    }


def table(events: Sequence[StoredEvent], timezone: str = "UTC") -> list[str]:
    """Aligned text lines, a header first; empty cells show as `-`."""
    cells = [list(COLUMNS)] + [[r[c] or "-" for c in COLUMNS] for r in (row(e, timezone) for e in events)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    return ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cells]


def json_line(stored: StoredEvent, timezone: str = "UTC") -> str:
    """The event's DESIGN §5 JSON plus `created` (ISO time it was stored)."""
    out: dict[str, Any] = stored.event.to_json()
    out["created"] = datetime.fromtimestamp(stored.created, ZoneInfo(timezone)).isoformat()
    return json.dumps(out)


def write_csv(events: Sequence[StoredEvent], out: TextIO, timezone: str = "UTC") -> None:
    """CSV with a header row of `COLUMNS`."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for stored in events:
        writer.writerow(row(stored, timezone))
