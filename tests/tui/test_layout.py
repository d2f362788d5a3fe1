"""Panel heights: the nodes and cameras of a small fleet whole at 80x24, the lists scroll in what is left."""

from __future__ import annotations

import pytest

from watcher.tui.app import DashboardApp
from watcher.tui.fake import FakeFeed
from watcher.tui.layout import EVENTS_FLOOR, Panel, panel_heights
from watcher.tui.state import DashboardState

SPACE_80X24 = 22
"""Rows between the header and footer lines of an 80x24 terminal."""


def _panels(nodes: int, cameras: int, counts: int, rules: int, fleet: bool = True) -> list[Panel]:
    return [Panel(nodes, 0.3, shown=fleet), Panel(cameras, 0.4), Panel(counts, 0.25), Panel(rules, 0.25)]


@pytest.mark.parametrize(
    ("space", "panels", "heights"),
    [
        # Three nodes with two cameras each: 5 + 8 rows whole, counts and rules one row, events 3.
        (SPACE_80X24, _panels(3, 6, 6, 3), [5, 8, 3, 3]),
        # With one camera each there is room for more of the counts and rules.
        (SPACE_80X24, _panels(3, 3, 3, 3), [5, 5, 5, 4]),
        # One node (no nodes panel): each list up to its share, the rest is the events panel's.
        (SPACE_80X24, _panels(0, 2, 3, 12, fleet=False), [0, 4, 5, 5]),
        # The local dashboard on the demo: the four counts whole rather than 3 and a scroll bar; the
        # events panel keeps more than its share (9 rows of 22).
        (SPACE_80X24, _panels(0, 1, 4, 2, fleet=False), [0, 3, 6, 4]),
        # Nothing yet: titles and column headers only.
        (SPACE_80X24, _panels(0, 0, 0, 0), [2, 2, 2, 2]),
        # A tall terminal shows every row.
        (38, _panels(3, 6, 6, 3), [5, 8, 8, 5]),
        # A big fleet: the cameras stop at their share and scroll.
        (38, _panels(10, 30, 30, 10), [11, 15, 6, 3]),
    ],
    ids=["fleet_two_cameras", "fleet_one_camera", "one_node", "demo", "empty", "tall", "big_fleet"],
)
def test_panel_heights(space: int, panels: list[Panel], heights: list[int]) -> None:
    assert panel_heights(space, panels) == heights


def test_at_80x24_the_panels_leave_the_events_panel_its_floor_whatever_their_rows() -> None:
    sizes = range(0, 41, 4)
    totals = {
        sum(panel_heights(SPACE_80X24, _panels(n, c, k, r, fleet=n > 0)))
        for n in sizes
        for c in sizes
        for k in sizes
        for r in sizes
    }
    assert max(totals) == SPACE_80X24 - EVENTS_FLOOR


async def test_the_panels_follow_the_terminal_when_it_is_resized(fleet_state: DashboardState) -> None:
    app = DashboardApp(FakeFeed(), fleet_state)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        tables = (app.nodes, app.cameras, app.counts, app.rules)
        assert [t.region.height for t in tables] == [5, 5, 5, 4]
        assert app.rules.max_scroll_y == 1
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert [t.region.height for t in tables] == [5, 5, 5, 5]
        assert app.events.region.height == 38 - 20
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert [t.region.height for t in tables] == [5, 5, 5, 4]
