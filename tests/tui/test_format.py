"""Text formatting of the panels: durations, sparklines, rule states."""

from __future__ import annotations

from dataclasses import replace

import pytest

from watcher.tui.state import RuleRow
from watcher.tui.widgets.format import duration, rule_state, sparkline, zone_name
from watcher.tui.widgets.rules import state_cell


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-3, "0s"),
        (0, "0s"),
        (59.9, "59s"),
        (60, "1m00s"),
        (3599, "59m59s"),
        (3600, "1h00m"),
        (90061, "1d01h"),
    ],
)
def test_duration_is_short_and_exact_to_its_unit(seconds: float, text: str) -> None:
    assert duration(seconds) == text


@pytest.mark.parametrize(
    ("values", "line"),
    [([], ""), ([0, 0], "▁▁"), ([0, 1], "▁█"), ([0, 1, 2, 3, 4, 5, 6, 7], "▁▂▃▄▅▆▇█"), ([2, 4], "▅█")],
)
def test_sparkline_scales_to_the_highest_value(values: list[int], line: str) -> None:
    assert sparkline(values) == line


@pytest.mark.parametrize(
    ("active", "value", "text"),
    [
        (True, True, "ON"),
        (False, 0, "off"),
        (False, "closed", "off"),
        (False, False, "off"),
        (False, None, "off"),
        (True, 3, "3"),
        (True, 2.5, "2.5"),
        (True, "open", "open"),
    ],
)
def test_rule_state_reads_on_off_or_the_value(
    active: bool, value: bool | float | str | None, text: str
) -> None:
    assert rule_state(active, value).plain == text


@pytest.mark.parametrize(("zone", "shown"), [("*", "frame"), (None, "frame"), ("lawn", "lawn")])
def test_the_whole_frame_zone_is_called_frame(zone: str | None, shown: str) -> None:
    assert zone_name(zone) == shown


def test_the_rules_state_column_says_why_a_left_object_zone_is_not_ready() -> None:
    row = RuleRow(
        "parcel", "porch", "left_object", False, 0, None, status="learning: a person is in the zone"
    )
    assert state_cell(row).plain == "off · learning: a person is in the zone"
    assert state_cell(replace(row, status="learned")).plain == "off"
