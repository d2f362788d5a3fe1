from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.rules.kinds.helpers import at, car, rule_of
from watcher.clock import FakeClock
from watcher.errors import ConfigError
from watcher.rules import RulesEngine
from watcher.rules.schedule import Schedule
from watcher.rules.spec import ScheduleWindow

MONDAY = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday


def window(start: str, end: str, **fields: Any) -> ScheduleWindow:
    return ScheduleWindow.model_validate({"start": start, "end": end, **fields})


def monday(hhmm: str, days: int = 0) -> datetime:
    hours, minutes = (int(v) for v in hhmm.split(":"))
    return MONDAY + timedelta(days=days, hours=hours, minutes=minutes)


@pytest.mark.parametrize(
    ("windows", "when", "inside"),
    [
        pytest.param([], monday("03:00"), True, id="no_windows_is_always"),
        pytest.param([window("08:00", "18:00")], monday("08:00"), True, id="start_is_inside"),
        pytest.param([window("08:00", "18:00")], monday("18:00"), False, id="end_is_outside"),
        pytest.param([window("08:00", "18:00")], monday("07:59"), False, id="before_start"),
        pytest.param([window("22:00", "06:00")], monday("23:30"), True, id="overnight_before_midnight"),
        pytest.param([window("22:00", "06:00")], monday("05:59"), True, id="overnight_after_midnight"),
        pytest.param([window("22:00", "06:00")], monday("06:00"), False, id="overnight_end"),
        pytest.param([window("22:00", "06:00")], monday("12:00"), False, id="overnight_midday"),
        pytest.param(
            [window("22:00", "06:00", days=["sun"])],
            monday("02:00"),
            True,
            id="overnight_belongs_to_its_start_day",
        ),
        pytest.param(
            [window("22:00", "06:00", days=["mon"])],
            monday("02:00"),
            False,
            id="overnight_not_from_yesterday",
        ),
        pytest.param([window("08:00", "18:00", days=["sat", "sun"])], monday("12:00"), False, id="weekday"),
        pytest.param(
            [window("08:00", "09:00"), window("17:00", "18:00")], monday("17:30"), True, id="second"
        ),
        pytest.param([window("00:00", "00:00", days=["mon"])], monday("23:59"), True, id="whole_day"),
    ],
)
def test_schedule_contains(windows: list[ScheduleWindow], when: datetime, inside: bool) -> None:
    assert Schedule(windows).contains(when) is inside


@pytest.mark.parametrize(
    ("when", "inside"),
    [
        pytest.param(datetime(2026, 1, 5, 7, 30, tzinfo=UTC), True, id="08_30_in_berlin"),
        pytest.param(datetime(2026, 7, 6, 7, 30, tzinfo=UTC), True, id="09_30_in_berlin_summer"),
        pytest.param(datetime(2026, 1, 5, 6, 30, tzinfo=UTC), False, id="07_30_in_berlin"),
    ],
)
def test_schedule_reads_wall_time_in_the_configured_time_zone(when: datetime, inside: bool) -> None:
    assert Schedule([window("08:00", "10:00")], "Europe/Berlin").contains(when) is inside


def test_unknown_time_zone_is_a_config_error_on_timezone() -> None:
    with pytest.raises(ConfigError, match="timezone: unknown time zone 'Mars/Olympus'"):
        Schedule([], "Mars/Olympus")


def schedule_run(
    clock: FakeClock, seconds: int, parked: set[int], windows: list[dict[str, Any]]
) -> list[Any]:
    """Feed one observation a second (a parked car in `parked` seconds) with the clock's wall time."""
    engine = RulesEngine([rule_of("occupancy", schedule=windows)])
    events = []
    for t in range(seconds):
        tracks = (car(),) if t in parked else ()
        events += engine.process(at(float(t), *tracks), wall=clock.wall())
        clock.advance(1.0)
    return [(str(e.type), e.start_time, e.end_time, e.value) for e in events]


def test_an_active_event_ends_at_the_window_end() -> None:
    clock = FakeClock(wall_start=monday("17:59") + timedelta(seconds=57))
    events = schedule_run(clock, 6, set(range(6)), [{"start": "08:00", "end": "18:00"}])
    assert events == [("start", 0.0, None, 1), ("end", 0.0, 3.0, 0)]


def test_a_rule_is_idle_before_its_window_and_starts_at_its_opening() -> None:
    clock = FakeClock(wall_start=monday("21:59") + timedelta(seconds=58))
    events = schedule_run(clock, 4, set(range(4)), [{"start": "22:00", "end": "06:00"}])
    assert events == [("start", 2.0, None, 1)]


def test_an_overnight_window_keeps_an_event_across_midnight() -> None:
    clock = FakeClock(wall_start=monday("23:59") + timedelta(seconds=58))
    events = schedule_run(clock, 5, set(range(5)), [{"start": "22:00", "end": "06:00", "days": ["mon"]}])
    assert events == [("start", 0.0, None, 1)]


def test_without_wall_time_schedules_are_not_applied() -> None:
    engine = RulesEngine([rule_of("occupancy", schedule=[{"start": "08:00", "end": "09:00"}])])
    assert [str(e.type) for e in engine.process(at(0.0, car()))] == ["start"]


def test_engine_rejects_an_unknown_time_zone() -> None:
    with pytest.raises(ConfigError, match="timezone"):
        RulesEngine([rule_of("occupancy")], timezone="Nowhere/Land")


def test_the_engine_clock_gives_the_wall_time_when_none_is_passed() -> None:
    clock = FakeClock(wall_start=monday("07:00"))
    engine = RulesEngine([rule_of("occupancy", schedule=[{"start": "08:00", "end": "09:00"}])], clock=clock)
    before = engine.process(at(0.0, car()))
    clock.advance(3600.0)
    assert (before, [str(e.type) for e in engine.process(at(1.0, car()))]) == ([], ["start"])


def test_config_with_an_unknown_time_zone_names_the_key() -> None:
    from watcher import config

    with pytest.raises(ConfigError, match=r"^config.toml: timezone: unknown time zone 'Mars/Olympus'"):
        config.loads('timezone = "Mars/Olympus"\n[[cameras]]\nname = "a"\nurl = "demo"\n')
