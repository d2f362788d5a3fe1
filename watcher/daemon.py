"""`watcher run`: capture threads, one inference worker, sinks off the hot path."""

from __future__ import annotations

import contextlib
import logging
import queue
import signal
import threading
from pathlib import Path
from types import FrameType

from watcher.annotate import FrameAnnotator
from watcher.capture import CaptureThread, detect_stream, missing_video_files, open_source, redact_url
from watcher.clock import Clock, SystemClock
from watcher.commands import Command, SaveSnapshot, SetDetection, SetRuleEnabled
from watcher.config import Config
from watcher.detect import Detector
from watcher.detectors import daemon_detectors
from watcher.errors import RuleError, SourceError, StoreOpenError, WatcherError
from watcher.faults import CameraFaults, PartFaults
from watcher.memory import release_free_memory
from watcher.pipeline import CameraPipeline, build_pipelines
from watcher.redact import add_secrets, config_secrets
from watcher.rules import RulesEngine
from watcher.sinks import Sink, SinkRunner
from watcher.sinks.assemble import build_sinks, data_path
from watcher.sinks.snapshots import SavedSnapshot, SnapshotListener, save_frame
from watcher.sinks.store import EventStore
from watcher.sinks.store.db import set_aside_if_corrupt
from watcher.sinks.store.recovery import save_states
from watcher.sinks.store.standby import PART as STORE_PART
from watcher.sinks.store.standby import open_at_start
from watcher.status import CameraStatus, HealthSampler, mean_tail
from watcher.types import Event, Frame, Image, Observation

log = logging.getLogger("watcher")

_IDLE_WAIT_MAX_S = 1.0
"""Longest wait for a frame before the worker looks at its timers again (status, memory)."""
STATUS_EVERY_S = 60.0
STATUS_REFRESH_S = 0.5
"""The camera status readers see is at most this old (they sample it about once a second); a camera
going into or out of error shows at once."""
# A camera that comes back must stream again within 5 s (issue 8): retry a dead one at least this often.
RECONNECT_MAX_S = 3.0
# One worker serves every camera: when several detect at once it falls a few frames behind, and a
# short backlog lets it catch up instead of dropping them (0.4 s at 10 fps; docs/performance.md).
BACKLOG_FRAMES = 4


class Daemon:
    """Everything `watcher run` starts, with a clean `stop()`."""

    def __init__(
        self,
        config: Config,
        base_dir: Path,
        *,
        clock: Clock | None = None,
        detector: Detector | None = None,
        extra_sinks: list[Sink] | None = None,
    ) -> None:
        self.config = config
        config.enabled_cameras()  # none: a ConfigError, not a daemon that watches nothing
        add_secrets(config_secrets(config))  # before anything can log them
        self.clock = clock or SystemClock()
        # One model per distinct camera setting; a camera whose model fails is its error, not a stop.
        self.errors: dict[str, str] = {}
        self.faults = CameraFaults(self.clock)
        """Cameras whose last frame failed (a bug in a detector, analyzer or rule); they keep trying."""
        self.part_faults = PartFaults()
        """Parts running without their file (store, MQTT outbox on a full disk); read from any thread."""
        detectors: Detector | dict[str, Detector]
        if detector is None:
            detectors, self.errors = daemon_detectors(config, base_dir)
        else:
            detectors = detector
        self.engine = RulesEngine(config.rules, timezone=config.timezone, clock=self.clock)
        database = data_path(config.store.path, base_dir)
        self._store = database if config.store.enabled else None
        store = None
        if self._store is not None:
            store = open_at_start(
                database, clock=self.clock, outbox=config.mqtt.enabled, notify=config.notifies()
            )
            if isinstance(store, EventStore):
                restored = self.engine.restore(store.states.load())
                if restored:
                    log.info("restored the state of %d rule(s) from %s", len(restored), self._store)
        elif config.mqtt.enabled:  # the MQTT outbox lives in the same file
            with contextlib.suppress(StoreOpenError):  # the outbox fails on it too and says so in one line
                set_aside_if_corrupt(database)
        self.pipelines: dict[str, CameraPipeline] = build_pipelines(config, detectors, self.engine, base_dir)
        self.captures: dict[str, CaptureThread] = {}
        missing = missing_video_files(config, base_dir)
        self._ready = threading.Event()
        """Set by a capture thread with a new frame, a command or `stop()`: wakes the worker."""
        for name, pipeline in self.pipelines.items():
            if name in self.errors:
                continue
            if name in missing:
                self.errors[name] = str(missing[name])
                log.error("camera %s: %s", name, missing[name])
                continue
            try:
                source = open_source(detect_stream(pipeline.camera), self.clock, base_dir)
            except SourceError as exc:
                self.errors[name] = exc.problem
                log.error("%s", exc)
                continue
            self.captures[name] = CaptureThread(
                source, self.clock, backoff_max_s=RECONNECT_MAX_S, backlog=BACKLOG_FRAMES, ready=self._ready
            )
        if missing and not self.captures:  # as check-config: bad input, not a daemon watching nothing
            raise next(iter(missing.values()))
        self._commands: queue.SimpleQueue[Command] = queue.SimpleQueue()  # before sinks: MQTT posts
        self.snapshot_listeners: list[SnapshotListener] = []
        """Told (camera, the saved snapshot or None) of each snapshot asked for, on the worker thread."""
        # Before the sinks: MQTT's status thread samples it at once.
        self.last_observation: dict[str, Observation] = {}
        self._status: tuple[CameraStatus, ...] = ()
        self._status_due = 0.0
        """Monotonic time the status is next rebuilt, whatever changed."""
        self._idle_due = 0.0
        """Monotonic time the sinks next get an idle round (`IdleSink`)."""
        self._status_stale = False
        """Something readers must see at once (an error, a pause) changed since the last rebuild."""
        self.publish_status()
        health = HealthSampler(self.status, self.clock).sample
        sinks = build_sinks(
            config,
            base_dir,
            post=self.post,
            states=self.engine.states,
            health=health,
            listen=self.snapshot_listeners.append,
            store=store,
            faults=self.part_faults,
            clock=self.clock,
        )
        self.sinks = SinkRunner([*sinks, *(extra_sinks or [])])
        self._stop = threading.Event()
        self._reconnects: dict[str, int] = {}
        """Per camera, the capture's reconnect count the pipeline last restarted at."""
        self._snapshot_folder = data_path(config.store.snapshots_dir, base_dir)
        self._snapshot_wanted: set[str] = set()
        """Cameras whose next processed frame is saved as a snapshot (`SaveSnapshot`, the dashboard's `s`)."""

    def status(self) -> list[CameraStatus]:
        """One status row per configured (enabled) camera, as the worker last published them;
        safe from any thread (the MQTT status topic and the dashboards read it)."""
        return list(self._status)

    def refresh_status(self) -> None:
        """Publish the cameras' status when it is due or something readers must see changed; called
        on the worker's thread after each round."""
        if self._status_stale or self.clock.monotonic() >= self._status_due:
            self.publish_status()

    def publish_status(self) -> None:
        """Swap in the cameras' status now; called on the worker's thread, which owns the counters
        it reads."""
        self._status_stale = False
        self._status_due = self.clock.monotonic() + STATUS_REFRESH_S
        self._status = tuple(
            CameraStatus(
                name,
                self.captures[name].status() if name in self.captures else None,
                self.errors.get(name) or self.faults.reason(name),
                p.frames_processed,
                p.frames_detected,
                detect_ms=mean_tail(p.times.samples.get("detect", ())),
                motion=obs.motion if (obs := self.last_observation.get(name)) is not None else 0.0,
                detecting=not p.paused,
            )
            for name, p in self.pipelines.items()
        )

    def log_status(self) -> None:
        """One short status line per camera, and one per failed part (the store on a full disk)."""
        for fault in self.part_faults.current():
            log.info("%s: error: %s", fault.part, fault.reason)
        for row in self.status():
            if row.capture is None:
                log.info("camera %s: error: %s", row.name, row.error)
                continue
            cap = row.capture
            log.info(
                "camera %s: %s%s, %.1f fps in, %d processed, %d detected (%.0f ms), %d dropped, "
                "%d reconnects",
                row.name,
                "error" if row.error else cap.state,
                f" ({row.error or cap.reason})" if row.error or cap.reason else "",
                cap.fps,
                row.frames_processed,
                row.frames_detected,
                row.detect_ms,
                cap.frames_dropped,
                cap.reconnects,
            )

    def run(self) -> None:
        """Start the sinks and capture, process frames until `stop()`; then flush the sinks.

        Every thread starts here, none in the constructor: a daemon built and never run connects
        to nothing and reads no camera.
        """
        self.sinks.start()
        for name, capture in self.captures.items():
            log.info("camera %s: starting %s", name, redact_url(self.pipelines[name].camera.url))
            capture.start()
        last_index = dict.fromkeys(self.captures, -1)
        next_status = self.clock.monotonic() + STATUS_EVERY_S
        release_free_memory()  # what loading the models and rules freed
        self._send_states()  # the restored ones; after this only a frame or a command changes them
        try:
            while not self._stop.is_set():
                # Cleared before looking, so a frame that lands after its camera was looked at
                # sets it again and the wait below returns at once.
                self._ready.clear()
                self._apply_commands()
                worked = self._round(last_index)
                self.refresh_status()
                if not worked:
                    self._idle_round()
                    wait_s = min(_IDLE_WAIT_MAX_S, next_status - self.clock.monotonic())
                    self.clock.wait(self._ready, wait_s)
                if self.clock.monotonic() >= next_status:
                    next_status += STATUS_EVERY_S
                    self.log_status()
                    release_free_memory()
        finally:
            for capture in self.captures.values():
                capture.stop(timeout=2.0)
            self.publish_status()
            self.sinks.close(timeout=5.0)
            # A store still shut said at close that the states are not saved.
            if self._store is not None and not self._store_failed():
                save_states(self._store, self.engine.states(), self.clock.wall().timestamp())
            log.info("stopped")

    def _idle_round(self) -> None:
        """Give sinks with timed work their chance about once a second while no frame comes: a
        store that could not be opened must be tried again even when every camera has ended."""
        now = self.clock.monotonic()
        if now >= self._idle_due:
            self._idle_due = now + _IDLE_WAIT_MAX_S
            self.sinks.submit_idle()

    def _store_failed(self) -> bool:
        return any(fault.part == STORE_PART for fault in self.part_faults.current())

    def _round(self, last_index: dict[str, int]) -> bool:
        """Serve each camera once, round-robin; True when any frame was taken (more may wait)."""
        worked = False
        for name, capture in self.captures.items():
            frame = capture.next(after_index=last_index[name])
            if frame is None:
                continue
            worked = True  # the backlog may hold more: look again before waiting for a new one
            last_index[name] = frame.index
            pipeline = self.pipelines[name]
            if capture.reconnects != self._reconnects.get(name, 0):
                self._reconnects[name] = capture.reconnects
                pipeline.restart()  # what is in view now may never move: detect it
            if not pipeline.throttle.due(frame.timestamp):
                continue
            try:
                obs, events = pipeline.process(frame)
            except RuleError as exc:  # the camera's other rules went on: their events still go out
                self._failed(name, str(exc), exc)
                self._deliver(frame, None, exc.events)
                continue
            except WatcherError as exc:  # a known failure says itself in one line
                self._failed(name, str(exc), exc)
                continue
            except Exception as exc:  # a bug in one camera's detector or analyzer stops that camera only
                self._failed(name, f"unexpected {type(exc).__name__}: {exc}", exc)
                continue
            if self.faults.reason(name) is not None:
                self.faults.recovered(name)
                self._status_stale = True
            self._deliver(frame, obs, events)
        return worked

    def _failed(self, camera: str, reason: str, exc: BaseException) -> None:
        if self.faults.reason(camera) != reason:
            self._status_stale = True
        self.faults.failed(camera, reason, exc)

    def _deliver(self, frame: Frame, obs: Observation | None, events: list[Event]) -> None:
        """Hand one frame's results to the sinks: the rule states first, so a sink storing an event
        stores the state it left its rule in."""
        self._send_states()
        if obs is not None:
            self.last_observation[frame.camera] = obs
            if frame.camera in self._snapshot_wanted:
                self._snapshot_wanted.discard(frame.camera)
                self._save_snapshot(frame.image, obs)
            self.sinks.submit_observation(obs)
        for event in events:
            self.sinks.submit_event(event, frame.image)

    def _save_snapshot(self, image: Image, obs: Observation) -> None:
        """The frame with zones, tracks and counts drawn, under the snapshots folder."""
        zones = [z for z in self.config.zones if z.camera == obs.camera]
        drawn = FrameAnnotator(zones).draw(image, obs)
        stamp = self.clock.wall().strftime("%Y%m%d-%H%M%S")
        quality = self.config.store.snapshot_quality
        self._tell_snapshot(obs.camera, save_frame(self._snapshot_folder, obs.camera, drawn, stamp, quality))

    def _tell_snapshot(self, camera: str, saved: SavedSnapshot | None) -> None:
        for listener in self.snapshot_listeners:
            try:
                listener(camera, saved)
            except Exception:  # a dashboard or MQTT fault must not stop the frame loop
                log.exception("camera %s: a snapshot listener failed", camera)

    def _send_states(self) -> None:
        """Hand the sinks the engine's snapshot (the runner skips one they already have); after
        each frame and command, the only things that change it."""
        self.sinks.submit_states(self.engine.snapshot())

    def post(self, command: Command) -> None:
        """Queue a command for the worker thread; safe from any thread (MQTT, TUI)."""
        self._commands.put(command)
        self._ready.set()

    def _apply_commands(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            match command:
                case SetRuleEnabled(rule, enabled):
                    try:
                        was = self.engine.state(rule).enabled
                        events = self.engine.set_enabled(rule, enabled)
                    except KeyError:
                        log.warning("command for unknown rule %r ignored", rule)
                        continue
                    if was != enabled:  # a repeated command (a retry, a second client) changes nothing
                        log.info("rule %s %s", rule, "enabled" if enabled else "disabled")
                    self._send_states()
                    for event in events:
                        self.sinks.submit_event(event, None)
                case SetDetection(camera, enabled):
                    if camera not in self.pipelines:
                        log.warning("command for unknown camera %r ignored", camera)
                        continue
                    if self.pipelines[camera].paused == enabled:
                        self.pipelines[camera].paused = not enabled
                        self._status_stale = True
                        log.info("camera %s: detection %s", camera, "resumed" if enabled else "paused")
                case SaveSnapshot(camera):
                    if camera in self.captures:
                        self._snapshot_wanted.add(camera)
                    else:
                        log.warning("snapshot of camera %r: it is not running", camera)
                        self._tell_snapshot(camera, None)

    def stop(self) -> None:
        """Ask `run()` to finish; safe from a signal handler or another thread."""
        self._stop.set()
        self._ready.set()

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT flush and exit cleanly."""

        def handler(signum: int, _frame: FrameType | None) -> None:
            log.info("received %s, stopping", signal.Signals(signum).name)
            self.stop()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)
