"""`Schedule`: a rule's time-of-day windows and weekdays, in the configured time zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from watcher.errors import ConfigError
from watcher.rules.spec import ScheduleWindow

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def zone_info(name: str) -> ZoneInfo:
    """The IANA time zone called `name`; `ConfigError` on `timezone` if there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {name!r} (e.g. 'Europe/Berlin')", key="timezone") from None


def _hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


class Schedule:
    """Is a wall-clock instant inside any window? No windows means always.

    A window whose `end` is not after its `start` spans midnight and belongs to the day it starts on:
    `22:00-06:00` on `fri` covers Friday 22:00 to Saturday 06:00. `start == end` is a whole day.
    """

    def __init__(self, windows: Sequence[ScheduleWindow], timezone: str = "UTC") -> None:
        self._zone = zone_info(timezone)
        self._windows = tuple((_hhmm(w.start), _hhmm(w.end), frozenset(w.days)) for w in windows)

    def contains(self, wall: datetime) -> bool:
        """True when `wall` (aware; naive is read as UTC) falls inside a window."""
        if not self._windows:
            return True
        if wall.tzinfo is None:
            wall = wall.replace(tzinfo=UTC)
        local = wall.astimezone(self._zone)
        now = local.time().replace(tzinfo=None)
        today = _DAYS[local.weekday()]
        yesterday = _DAYS[(local - timedelta(days=1)).weekday()]
        for start, end, days in self._windows:
            if start < end:
                if today in days and start <= now < end:
                    return True
            elif (today in days and now >= start) or (yesterday in days and now < end):
                return True
        return False
