"""The in-process feed: the daemon runs on a worker thread and a sink forwards what it produces."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import datetime, timedelta

from textual.app import App
from textual.timer import Timer

from watcher.clock import Clock
from watcher.commands import Command, SetDetection
from watcher.daemon import Daemon
from watcher.sinks.snapshots import SavedSnapshot
from watcher.status import CameraHealth, HealthSampler
from watcher.tui.messages import (
    CamerasUpdated,
    CountsChanged,
    EventArrived,
    FaultsChanged,
    FeedChanged,
    FeedEnded,
    RuleChanged,
    snapshot_notice,
)
from watcher.tui.state import RuleUpdate
from watcher.types import Event, Image, Observation, RulesSnapshot, RuleState

log = logging.getLogger("watcher.tui")

HEALTH_EVERY_S = 1.0


class DashboardSink:
    """A `Sink` that posts count changes, events and rule states (from the engine's snapshots) to the
    dashboard app.

    Runs on the SinkRunner thread; `App.post_message` is thread-safe and never blocks.
    """

    name = "tui"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._app: App[None] | None = None
        self._counts: dict[str, dict[str, dict[str, int]]] = {}
        self._source_time: dict[str, float] = {}
        self._shown: dict[str, RuleState] = {}

    def attach(self, app: App[None]) -> None:
        """Post to `app` from now on."""
        self._app = app

    def handle_observation(self, obs: Observation) -> None:
        self._source_time[obs.camera] = obs.time
        counts = {zone: dict(labels) for zone, labels in obs.counts.items()}
        # Counts change far less often than frames arrive: post only changes.
        if counts != self._counts.get(obs.camera):
            self._counts[obs.camera] = counts
            self._post(CountsChanged(obs.camera, counts))

    def handle_event(self, event: Event, image: Image | None) -> None:
        self._post(EventArrived(event, self._clock.wall()))

    def handle_states(self, snapshot: RulesSnapshot) -> None:
        """Post each rule whose state changed; `since` becomes a wall time by the camera's clock."""
        now = self._clock.wall()
        for state in snapshot.states:
            if self._shown.get(state.rule) == state:
                continue
            self._shown[state.rule] = state
            since = None
            if state.since is not None:
                # State times are source seconds; the last observation's time says how long ago that was.
                ago = max(0.0, self._source_time.get(state.camera, state.since) - state.since)
                since = now - timedelta(seconds=ago)
            self._post(RuleChanged(rule_update(state, since)))

    def close(self) -> None:
        self._app = None

    def _post(self, message: CountsChanged | EventArrived | RuleChanged) -> None:
        if self._app is not None:
            self._app.post_message(message)


def rule_update(state: RuleState, since: datetime | None) -> RuleUpdate:
    """What the dashboard shows of one rule's state; `since` is a wall time, or None when unknown."""
    return RuleUpdate(
        state.rule,
        state.camera,
        kind=state.kind,
        active=state.active,
        value=state.value,
        since=since,
        enabled=state.enabled,
        status=state.status,
    )


class LocalFeed:
    """Runs `daemon.run()` on a worker thread; polls camera health and failed parts once a second
    from a UI timer."""

    def __init__(self, daemon: Daemon, sink: DashboardSink, clock: Clock) -> None:
        self._daemon = daemon
        self._sink = sink
        self._sampler = HealthSampler(daemon.status, clock)
        self._thread = threading.Thread(target=self._run_daemon, name="watcher-daemon", daemon=True)
        self._app: App[None] | None = None
        self._timer: Timer | None = None
        self._commanded: dict[str, bool] = {}
        self._faults: dict[str, str] = {}

    def start(self, app: App[None]) -> None:
        self._app = app
        self._sink.attach(app)
        cameras = len(self._daemon.pipelines)
        app.post_message(FeedChanged(f"in-process daemon, {cameras} camera(s)"))
        for state in self._daemon.engine.snapshot().states:
            app.post_message(RuleChanged(rule_update(state, None)))
        app.post_message(CamerasUpdated(self._sampler.sample()))
        self._poll_faults()
        self._daemon.snapshot_listeners.append(self._snapshot_saved)
        self._thread.start()
        self._timer = app.set_interval(HEALTH_EVERY_S, self._poll_health)

    def send(self, command: Command, node: str = "") -> None:
        # In-process there is one node, the daemon this feed runs.
        if isinstance(command, SetDetection):
            self._commanded[command.camera] = command.enabled
        self._daemon.post(command)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._daemon.stop()
        if self._thread.is_alive():
            self._thread.join(timeout=10.0)

    def _poll_health(self) -> None:
        # Only locks held for microseconds by the capture threads: fine on the UI thread.
        if self._app is not None:
            self._app.post_message(CamerasUpdated(self._with_commands(self._sampler.sample())))
            self._poll_faults()

    def _poll_faults(self) -> None:
        """Post the daemon's failed parts when they changed (the store on a full disk, then back)."""
        faults = {f.part: f.reason for f in self._daemon.part_faults.current()}
        if faults != self._faults and self._app is not None:
            self._faults = faults
            self._app.post_message(FaultsChanged(faults))

    def _snapshot_saved(self, camera: str, saved: SavedSnapshot | None) -> None:
        """On the worker thread: say where the snapshot asked for with `s` was saved."""
        if self._app is not None:
            self._app.post_message(snapshot_notice(camera, None if saved is None else saved.path))

    def _with_commands(self, rows: list[CameraHealth]) -> list[CameraHealth]:
        """Show a pause/resume as commanded until the worker (busy with a frame) has applied it."""
        out = []
        for row in rows:
            wanted = self._commanded.get(row.camera)
            if wanted is not None and wanted != row.detecting:
                row = replace(row, detecting=wanted)
            else:
                self._commanded.pop(row.camera, None)
            out.append(row)
        return out

    def _run_daemon(self) -> None:
        try:
            self._daemon.run()
        except Exception:
            log.exception("the daemon stopped on an unexpected error")
        if self._app is not None:
            self._app.post_message(FeedEnded("daemon stopped"))
