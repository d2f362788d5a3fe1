"""Snapshots of the main screen at the smallest supported size and a common larger one.

The clock is a FakeClock, so times, durations and sparklines are the same on every run.
Update after an intended change: `pytest tests/tui/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from watcher.tui.app import DashboardApp
from watcher.tui.fake import FakeFeed
from watcher.tui.state import DashboardState


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_main_screen_matches_its_snapshot(
    snap_compare: Callable[..., bool], busy_state: DashboardState, size: tuple[int, int]
) -> None:
    assert snap_compare(DashboardApp(FakeFeed(), busy_state), terminal_size=size)


def test_help_screen_matches_its_snapshot(
    snap_compare: Callable[..., bool], busy_state: DashboardState
) -> None:
    assert snap_compare(DashboardApp(FakeFeed(), busy_state), press=["question_mark"], terminal_size=(80, 24))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_fleet_screen_matches_its_snapshot(
    snap_compare: Callable[..., bool], fleet_state: DashboardState, size: tuple[int, int]
) -> None:
    assert snap_compare(DashboardApp(FakeFeed(), fleet_state), terminal_size=size)
