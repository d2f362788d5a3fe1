"""The dashboard app driven with Pilot: what the panels show and which commands the keys send."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from textual.widgets import Input

from tests.tui.conftest import NOON, make_event, until
from watcher.clock import FakeClock
from watcher.commands import SaveSnapshot, SetDetection, SetRuleEnabled
from watcher.tui.app import DashboardApp
from watcher.tui.fake import FakeFeed
from watcher.tui.messages import CountsChanged, EventArrived
from watcher.tui.notices import NoticeHandler
from watcher.tui.state import DashboardState
from watcher.tui.widgets import CamerasTable, CountsTable, EventsTable, HelpScreen, NodesTable, RulesTable
from watcher.tui.widgets.table import StateTable

SIZE = (80, 24)


def cells(table: StateTable) -> list[list[str]]:
    """The table's rows as plain strings, in display order."""
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def toasts(app: DashboardApp) -> list[str]:
    """The texts of the notifications on screen."""
    return [n.message for n in app._notifications]


async def test_cameras_panel_shows_state_reason_rates_and_dropped_frames(busy_state: DashboardState) -> None:
    app = DashboardApp(FakeFeed(), busy_state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert cells(app.query_one(CamerasTable)) == [
            ["garden", "streaming", "15.0", "5.0", "42", "2.3%", "12"],
            ["porch", "reconnecting: read timed out after 5 s", "0.0", "0.0", "0", "0.0%", "0"],
        ]


async def test_counts_panel_shows_each_zone_and_label_with_five_minutes_of_history(
    busy_state: DashboardState,
) -> None:
    app = DashboardApp(FakeFeed(), busy_state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert cells(app.query_one(CountsTable)) == [
            # 15 s buckets; each count is held two buckets, scaled to the highest of the window.
            ["garden", "frame", "person", "3", "▁▁▁▃▃▅▅▆▆▅▅▃▃▃▃▅▅██▆"],
            ["garden", "lawn", "person", "1", "▁▁▁▁▁▅▅▅▅▅▅▁▁▁▁▅▅██▅"],
            ["porch", "frame", "car", "1", "▁" * 19 + "█"],
        ]


async def test_rules_panel_shows_state_since_and_a_duration_that_follows_the_clock(
    clock: FakeClock, busy_state: DashboardState
) -> None:
    app = DashboardApp(FakeFeed(), busy_state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rules = app.query_one(RulesTable)
        assert cells(rules) == [
            ["person_on_lawn", "garden", "presence", "off", "—", "—", "yes"],
            ["people_at_sign", "garden", "presence", "3", "11:58:25", "1m35s", "yes"],
            ["package_on_porch", "porch", "left_object", "off", "—", "—", "no"],
        ]
        clock.advance(60.0)
        app.show_time()  # what the one-second timer does
        assert cells(rules)[1][5] == "2m35s"


async def test_events_panel_lists_events_newest_first(busy_state: DashboardState) -> None:
    app = DashboardApp(FakeFeed(), busy_state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert cells(app.query_one(EventsTable)) == [
            ["11:58:25", "start", "people_at_sign", "garden", "lawn", "person", ""],
            ["11:58:00", "end", "person_on_lawn", "garden", "lawn", "person", ""],
            ["11:57:00", "start", "person_on_lawn", "garden", "lawn", "person", ""],
        ]


async def test_p_pauses_then_resumes_detection_of_the_selected_camera(busy_state: DashboardState) -> None:
    feed = FakeFeed()
    app = DashboardApp(feed, busy_state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        assert app.query_one(CamerasTable).cells_of(("", "garden"))[1] == "streaming paused"
        await pilot.press("p")
        assert feed.sent == [SetDetection("garden", False), SetDetection("garden", True)]


async def test_p_acts_on_the_camera_under_the_cursor(busy_state: DashboardState) -> None:
    feed = FakeFeed()
    app = DashboardApp(feed, busy_state)
    async with app.run_test(size=SIZE) as pilot:
        app.query_one(CamerasTable).focus()
        await pilot.press("down", "p")
        assert feed.sent == [SetDetection("porch", False)]


async def test_e_disables_the_selected_rule_and_shows_it(busy_state: DashboardState) -> None:
    feed = FakeFeed()
    app = DashboardApp(feed, busy_state)
    async with app.run_test(size=SIZE) as pilot:
        app.query_one(RulesTable).focus()
        await pilot.press("down", "e")
        assert feed.sent == [SetRuleEnabled("people_at_sign", False)]
        assert app.query_one(RulesTable).cells_of(("", "people_at_sign"))[6] == "no"


async def test_e_enables_a_disabled_rule(busy_state: DashboardState) -> None:
    feed = FakeFeed()
    app = DashboardApp(feed, busy_state)
    async with app.run_test(size=SIZE) as pilot:
        app.query_one(RulesTable).focus()
        await pilot.press("down", "down", "e")
        assert feed.sent == [SetRuleEnabled("package_on_porch", True)]


async def test_s_requests_a_snapshot_of_the_selected_camera(busy_state: DashboardState) -> None:
    feed = FakeFeed()
    app = DashboardApp(feed, busy_state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        assert feed.sent == [SaveSnapshot("garden")]
        assert toasts(app) == ["snapshot of garden requested"]


async def test_a_command_the_feed_refuses_is_reported_and_changes_nothing(busy_state: DashboardState) -> None:
    feed = FakeFeed(refuse=(SetDetection,))
    app = DashboardApp(feed, busy_state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        assert feed.sent == []
        assert toasts(app) == ["sink fake: SetDetection refused"]
        assert app.query_one(CamerasTable).cells_of(("", "garden"))[1] == "streaming"


async def test_slash_filters_events_by_every_word_typed(busy_state: DashboardState) -> None:
    app = DashboardApp(FakeFeed(), busy_state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"lawn end", "enter")
        events = app.query_one(EventsTable)
        assert [row[2] for row in cells(events)] == ["person_on_lawn"]
        assert events.border_title == "events (filter: lawn end)"
        assert not app.query_one(Input).display


async def test_escape_in_the_filter_shows_all_events_again(busy_state: DashboardState) -> None:
    app = DashboardApp(FakeFeed(), busy_state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"sign", "escape")
        assert app.query_one(EventsTable).row_count == 3
        assert busy_state.event_filter == ""


async def test_keys_typed_into_the_filter_are_not_commands(busy_state: DashboardState) -> None:
    feed = FakeFeed()
    app = DashboardApp(feed, busy_state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"pesq")
        assert feed.sent == []
        assert app.is_running


async def test_question_mark_opens_the_help_and_escape_closes_it(busy_state: DashboardState) -> None:
    app = DashboardApp(FakeFeed(), busy_state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_footer_names_every_key(busy_state: DashboardState) -> None:
    app = DashboardApp(FakeFeed(), busy_state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        keys = {b.key for (_, b, enabled, _) in app.active_bindings.values() if b.show and enabled}
        assert {"q", "p", "e", "s", "slash", "question_mark"} <= keys


async def test_q_quits_and_stops_the_feed(busy_state: DashboardState) -> None:
    feed = FakeFeed()
    app = DashboardApp(feed, busy_state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert feed.stopped


async def test_ctrl_c_quits_like_q(busy_state: DashboardState) -> None:
    app = DashboardApp(FakeFeed(), busy_state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not app.is_running


async def test_messages_posted_from_another_thread_reach_the_panels(
    clock: FakeClock, state: DashboardState
) -> None:
    app = DashboardApp(FakeFeed(), state)
    async with app.run_test(size=SIZE) as pilot:

        def feed() -> None:
            app.post_message(CountsChanged("garden", {"*": {"dog": 2}}))
            app.post_message(EventArrived(make_event(7), NOON + timedelta(seconds=5)))

        worker = threading.Thread(target=feed)
        worker.start()
        worker.join()
        assert await until(pilot, lambda: app.query_one(EventsTable).row_count == 1, timeout=5)
        assert cells(app.query_one(CountsTable))[0][:4] == ["garden", "frame", "dog", "2"]


async def test_the_feed_line_is_the_header_subtitle(busy_state: DashboardState) -> None:
    app = DashboardApp(FakeFeed(), busy_state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.sub_title == "in-process daemon, 2 camera(s)"


async def test_a_new_event_takes_the_cursor_when_it_was_on_the_newest(busy_state: DashboardState) -> None:
    app = DashboardApp(FakeFeed(), busy_state)
    async with app.run_test(size=SIZE) as pilot:
        app.post_message(EventArrived(make_event(8), NOON + timedelta(seconds=1)))
        assert await until(pilot, lambda: app.query_one(EventsTable).row_count == 4)
        assert app.query_one(EventsTable).selected_key() == ("", "ev008")


async def test_the_cursor_stays_on_an_older_event_when_a_new_one_arrives(busy_state: DashboardState) -> None:
    app = DashboardApp(FakeFeed(), busy_state)
    async with app.run_test(size=SIZE) as pilot:
        app.query_one(EventsTable).focus()
        await pilot.press("down")
        app.post_message(EventArrived(make_event(8), NOON + timedelta(seconds=1)))
        assert await until(pilot, lambda: app.query_one(EventsTable).row_count == 4)
        assert app.query_one(EventsTable).selected_key() == ("", "ev002")


async def test_a_logged_warning_becomes_a_notification(busy_state: DashboardState) -> None:
    app = DashboardApp(FakeFeed(), busy_state)
    logger = logging.getLogger("watcher.test_tui")
    async with app.run_test(size=SIZE) as pilot:
        handler = NoticeHandler(app)
        logger.addHandler(handler)
        try:
            logger.info("routine")
            logger.warning("camera porch: read timed out")
            assert await until(pilot, lambda: toasts(app) == ["camera porch: read timed out"])
        finally:
            logger.removeHandler(handler)


def _line(table: StateTable, y: int) -> str:
    """Line `y` of the table as drawn on screen."""
    return "".join(segment.text for segment in table.render_line(y))


async def test_event_cells_are_drawn_whole_even_when_drawn_before_the_table_measured_them(
    state: DashboardState,
) -> None:
    # A frame drawn between adding a row and the table's next idle used to keep every cell cut
    # to its header's width: "12:0", "peop", "person×" (#18).
    app = DashboardApp(FakeFeed(), state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        state.add_event(make_event(1, rule="people_at_sign"), NOON)
        app.events.show(state)
        drawn_at_once = _line(app.events, 1)
        await pilot.pause()
        assert _line(app.events, 1) == drawn_at_once
    assert drawn_at_once.split() == ["12:00:00", "start", "people_at_sign", "garden", "lawn", "person"]


async def test_with_several_nodes_every_panel_names_the_node_and_n_is_offered(
    fleet_state: DashboardState,
) -> None:
    app = DashboardApp(FakeFeed(), fleet_state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert [row[:3] for row in cells(app.query_one(NodesTable))] == [
            ["attic", "online", "—"],
            ["garage", "online", "—"],
            ["porch", "offline", "11:59:20"],
        ]
        assert [row[:3] for row in cells(app.query_one(CamerasTable))] == [
            ["attic", "cam", "streaming"],
            ["garage", "cam", "streaming"],
            ["porch", "cam", "node offline"],
        ]
        keys = {b.key for (_, b, enabled, _) in app.active_bindings.values() if b.show and enabled}
        assert "n" in keys


async def test_with_one_node_there_is_no_node_column_panel_or_key(busy_state: DashboardState) -> None:
    app = DashboardApp(FakeFeed(), busy_state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.query_one(NodesTable).display
        assert str(app.query_one(CamerasTable).ordered_columns[0].label) == "camera"
        keys = {b.key for (_, b, enabled, _) in app.active_bindings.values() if b.show and enabled}
        assert "n" not in keys


async def test_p_and_e_go_to_the_node_of_the_selected_row(fleet_state: DashboardState) -> None:
    feed = FakeFeed()
    app = DashboardApp(feed, fleet_state)
    async with app.run_test(size=SIZE) as pilot:
        app.query_one(CamerasTable).focus()
        await pilot.press("down", "p")
        app.query_one(RulesTable).focus()
        await pilot.press("down", "down", "e")
        assert feed.sent_to == [
            ("garage", SetDetection("cam", False)),
            ("porch", SetRuleEnabled("someone", False)),
        ]
        assert toasts(app)[-1] == "rule someone on porch disabled"


async def test_n_shows_one_node_at_a_time_then_all(fleet_state: DashboardState) -> None:
    app = DashboardApp(FakeFeed(), fleet_state)
    async with app.run_test(size=SIZE) as pilot:
        shown = []
        for _ in range(4):
            await pilot.press("n")
            shown.append(sorted({row[0] for row in cells(app.query_one(EventsTable))}))
        assert shown == [["attic"], ["garage"], ["porch"], ["attic", "garage", "porch"]]
        assert toasts(app)[-1] == "showing every node"


async def test_enter_on_a_node_shows_that_node_only_and_again_shows_all(fleet_state: DashboardState) -> None:
    app = DashboardApp(FakeFeed(), fleet_state)
    async with app.run_test(size=SIZE) as pilot:
        app.query_one(NodesTable).focus()
        await pilot.press("down", "enter")
        assert [row[:2] for row in cells(app.query_one(RulesTable))] == [["garage", "someone"]]
        await pilot.press("enter")
        assert len(cells(app.query_one(RulesTable))) == 3
