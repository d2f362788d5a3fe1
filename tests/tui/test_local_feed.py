"""`watcher run --tui` wiring: a real daemon on the worker clip feeds the dashboard in-process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2

from tests.tui.conftest import make_event, until
from watcher import config
from watcher.clock import FakeClock, SystemClock
from watcher.daemon import Daemon
from watcher.testing import FakeSink
from watcher.tui.app import DashboardApp
from watcher.tui.local import DashboardSink, LocalFeed
from watcher.tui.messages import CountsChanged, EventArrived, RuleChanged
from watcher.tui.state import DashboardState
from watcher.tui.widgets import CamerasTable
from watcher.types import EventType, Observation, RulesSnapshot, RuleState

DATA = Path(__file__).resolve().parents[1] / "data"
RULE = "worker_left_of_tape"


def worker_config(tmp_path: Path, extra: str = "") -> Path:
    """The worker clip config, read in real time, with `extra` TOML appended."""
    text = (DATA / "worker.toml").read_text()
    text = text.replace('url = "worker-zone-detection.mp4"', f'url = "{DATA / "worker-zone-detection.mp4"}"')
    path = tmp_path / "config.toml"
    path.write_text(text.replace("realtime = false", "realtime = true") + extra)
    return path


class Recorder:
    """Stands in for the app: records what the sink posts."""

    def __init__(self) -> None:
        self.messages: list[object] = []

    def post_message(self, message: object) -> bool:
        self.messages.append(message)
        return True


def _observation(counts: dict[str, dict[str, int]], t: float) -> Observation:
    return Observation("floor", int(t * 15), t, (480, 270), (), counts)


def test_the_sink_posts_counts_only_when_they_change() -> None:
    sink = DashboardSink(FakeClock())
    app = Recorder()
    sink.attach(app)  # type: ignore[arg-type]
    for t, people in [(0.0, 0), (0.1, 0), (0.2, 1), (0.3, 1), (0.4, 0)]:
        sink.handle_observation(_observation({"*": {"person": people} if people else {}}, t))
    posted = [m.counts for m in app.messages if isinstance(m, CountsChanged)]
    assert posted == [{"*": {}}, {"*": {"person": 1}}, {"*": {}}]


def test_the_sink_dates_a_rule_start_back_to_when_the_condition_began() -> None:
    noon = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
    sink = DashboardSink(FakeClock(wall_start=noon))
    app = Recorder()
    sink.attach(app)  # type: ignore[arg-type]
    sink.handle_observation(_observation({}, 12.5))
    event = make_event(10, EventType.START, rule=RULE, camera="floor")  # began at 10 s, seen at 12.5 s
    sink.handle_states(RulesSnapshot((RuleState(RULE, "floor", "presence", True, 1, 10.0),), version=1))
    sink.handle_event(event, None)
    (arrived,) = [m for m in app.messages if isinstance(m, EventArrived)]
    (changed,) = [m for m in app.messages if isinstance(m, RuleChanged)]
    assert (arrived.event, arrived.received) == (event, noon)
    assert (changed.update.active, changed.update.since) == (True, noon - timedelta(seconds=2.5))


async def test_a_daemon_on_the_worker_clip_fills_the_dashboard_and_obeys_p(tmp_path: Path) -> None:
    clock = SystemClock()
    sink = DashboardSink(clock)
    recorder = FakeSink()
    path = worker_config(tmp_path)
    daemon = Daemon(config.load(path), tmp_path, clock=clock, extra_sinks=[sink, recorder])
    state = DashboardState(clock)
    app = DashboardApp(LocalFeed(daemon, sink, clock), state)
    async with app.run_test(size=(80, 24)) as pilot:
        key = ("", RULE)  # in-process, the one node has no name
        assert await until(pilot, lambda: key in state.rules and state.rules[key].active, timeout=60)
        assert state.rules[key].kind == "presence"
        assert state.counts[("", "floor", "left_of_tape", "person")].value == 1
        # The worker hands the sinks the rule's new state before the frame's events: wait for the event.
        assert await until(pilot, lambda: len(state.events) > 0)
        assert [(r.event.type, r.event.rule) for r in state.events] == [(EventType.START, RULE)]
        assert await until(pilot, lambda: state.cameras[("", "floor")].state in ("streaming", "ended"))
        app.query_one(CamerasTable).focus()
        await pilot.press("p")
        assert await until(pilot, lambda: daemon.pipelines["floor"].paused)
        assert state.cameras[("", "floor")].detecting is False
    assert recorder.closed  # quitting the app stopped the daemon, which flushed and closed its sinks


async def test_s_saves_a_jpeg_of_the_selected_camera_and_shows_where(tmp_path: Path) -> None:
    clock = SystemClock()
    sink = DashboardSink(clock)
    path = worker_config(tmp_path)
    path.write_text(path.read_text().replace("realtime = true", "realtime = true\nloop = true", 1))
    daemon = Daemon(config.load(path), tmp_path, clock=clock)
    state = DashboardState(clock)
    app = DashboardApp(LocalFeed(daemon, sink, clock), state)
    async with app.run_test(size=(80, 24)) as pilot:
        floor = ("", "floor")
        assert await until(pilot, lambda: floor in state.cameras and state.cameras[floor].state != "starting")
        app.query_one(CamerasTable).focus()
        await pilot.press("s")
        assert await until(pilot, lambda: any("saved" in n.message for n in app._notifications), timeout=20)
        saved = list((tmp_path / "snapshots" / "floor").glob("*-manual.jpg"))
        assert [n.message for n in app._notifications] == [
            "snapshot of floor requested",
            f"snapshot of floor saved: {saved[0]}",
        ]
    image = cv2.imread(str(saved[0]))
    assert image is not None
    assert image.shape == (270, 480, 3)
    assert saved[0].stat().st_mode & 0o777 == 0o600


async def test_a_store_that_cannot_be_opened_is_shown_in_the_headline_while_the_daemon_runs(
    tmp_path: Path,
) -> None:
    (tmp_path / "blocker").write_text("a file where the store's folder should be")
    db = tmp_path / "blocker" / "watcher.db"
    clock = SystemClock()
    sink = DashboardSink(clock)
    path = worker_config(tmp_path, f'\n[store]\nenabled = true\npath = "{db}"\n')
    text = path.read_text().replace("[store]\nenabled = false\n", "", 1)
    path.write_text(text)
    daemon = Daemon(config.load(path), tmp_path, clock=clock)
    state = DashboardState(clock)
    app = DashboardApp(LocalFeed(daemon, sink, clock), state)
    async with app.run_test(size=(120, 24)) as pilot:
        reason = f"{db}: cannot create the file: File exists ({db.parent})"
        assert await until(pilot, lambda: state.faults == {"": {"store": reason}})
        assert app.sub_title.endswith(f" · store failed: {reason}")
