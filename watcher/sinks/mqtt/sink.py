"""`MqttSink`: events through the outbox, retained rule states, counts and snapshots, `/set` commands.

Rule states come only from the engine's snapshots (`handle_states`), never from events.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import cv2

from watcher.commands import Command, SetDetection, SetRuleEnabled
from watcher.config import Config
from watcher.errors import ConfigError
from watcher.faults import PartFault
from watcher.sinks.mqtt.client import make_client, tls_paths
from watcher.sinks.mqtt.commands import BadCommandError, parse_command
from watcher.sinks.mqtt.discovery import discovery_messages
from watcher.sinks.mqtt.outbox import Outbox
from watcher.sinks.mqtt.publisher import Publisher
from watcher.sinks.mqtt.retained import RetainedBoard
from watcher.sinks.mqtt.states import RuleView
from watcher.sinks.mqtt.topics import DETECT, SNAPSHOT, Topics
from watcher.sinks.snapshots import SavedSnapshot, draw_event
from watcher.status import CameraHealth
from watcher.types import Event, EventType, Image, Observation, RulesSnapshot, RuleState

_log = logging.getLogger("watcher.mqtt")
_JPEG_QUALITY = 80

StatesFn = Callable[[], Sequence[RuleState]]
HealthFn = Callable[[], Sequence[CameraHealth]]
FaultsFn = Callable[[], Sequence[PartFault]]
HEALTH_EVERY_S = 5.0
"""How often camera status (`<prefix>/<camera>/status`) is sampled for the remote dashboard."""
PostFn = Callable[[Command], None]


class MqttSink:
    """The MQTT sink; publishing happens on its own thread, so no call here waits on the network."""

    name = "mqtt"

    def __init__(
        self,
        config: Config,
        outbox: Outbox,
        *,
        base_dir: Path,
        post: PostFn | None = None,
        states: StatesFn | None = None,
        health: HealthFn | None = None,
        faults: FaultsFn | None = None,
        retry_s: tuple[float, float] = (1.0, 30.0),
    ) -> None:
        mqtt = config.mqtt
        self.topics = Topics(mqtt.prefix, mqtt.discovery_prefix, config.node_id, mqtt.bridge_state_topic)
        self.outbox = outbox
        self.board = RetainedBoard()
        self._post = post
        self._lock = threading.Lock()
        cameras = [c.name for c in config.cameras if c.enabled]
        self._cameras = frozenset(cameras)
        rules = [r for r in config.rules if r.camera in self._cameras]
        for i, rule in enumerate(config.rules):
            if rule.name in (DETECT, SNAPSHOT):
                what = "detection switch" if rule.name == DETECT else "snapshot button"
                raise ConfigError(f"{rule.name!r} is the camera's {what} in MQTT", key=f"rules[{i}].name")
        self._rules = {(r.camera, r.name) for r in rules}
        self._snapshot = {r.name for r in rules if r.snapshot}
        self._zones = {(z.camera, z.name): z.points for z in config.zones}
        self._counted_zones = {c: [z.name for z in config.zones if z.camera == c] for c in cameras}
        self._views = {
            r.name: RuleView(
                RuleState(r.name, r.camera, r.kind, False, None, None, r.enabled), r.report, r.zone
            )
            for r in rules
        }
        self._commanded: dict[str, bool] = {}
        """Rule switches commanded over MQTT that no snapshot has shown yet."""
        tls = tls_paths(mqtt, base_dir)
        client_id = mqtt.client_id or f"watcher-{config.node_id}"
        make_client(mqtt, self.topics, tls, client_id)  # TLS files are checked now, not on the thread
        for camera in cameras:
            self.board.set(self.topics.detect_state(camera), b"ON")
        if mqtt.bridge_state_topic is not None:
            self.board.set(self.topics.bridge, mqtt.bridge_state_topic.encode())
        # The states the engine starts with (restored from the store), before the worker runs.
        self._show_states(states() if states is not None else [v.state for v in self._views.values()])
        self.publisher = Publisher(
            mqtt,
            self.topics,
            outbox,
            self.board,
            discovery_messages(config, self.topics),
            tls=tls,
            client_id=client_id,
            event_rules={(r.camera, r.name) for r in rules if r.report == "event"},
            on_message=self._message,
            retry_s=retry_s,
        )
        self._closing = threading.Event()
        self._health_thread: threading.Thread | None = None
        if health is not None or faults is not None:
            self._health_thread = threading.Thread(
                target=self._sample_health, args=(health, faults), name="watcher-mqtt-health", daemon=True
            )

    def start(self) -> None:
        """Connect and publish (on the publisher's thread) and sample camera status, if asked to."""
        self.publisher.start()
        if self._health_thread is not None:
            self._health_thread.start()

    def publish_health(self, rows: Sequence[CameraHealth]) -> None:
        """Retain each camera's status where the remote dashboard reads it; publish only changes."""
        changed = False
        for row in rows:
            if row.camera in self._cameras:
                changed |= self.board.set(self.topics.status(row.camera), row.to_json().encode())
        if changed:
            self.publisher.wake()

    def publish_faults(self, faults: Sequence[PartFault]) -> None:
        """Retain the daemon's failed parts (`{}` when none) where the remote dashboard reads them."""
        payload = json.dumps({f.part: f.reason for f in faults}).encode()
        if self.board.set(self.topics.faults, payload):
            self.publisher.wake()

    def _sample_health(self, health: HealthFn | None, faults: FaultsFn | None) -> None:
        # Its own slow loop, because a camera that is down sends no observations to piggyback on.
        while True:
            try:
                if health is not None:
                    self.publish_health(health())
                if faults is not None:
                    self.publish_faults(faults())
            except Exception:  # a status sample must never take the sink down
                _log.exception("mqtt: camera status sample failed")
            if self._closing.wait(HEALTH_EVERY_S):
                return

    def handle_event(self, event: Event, image: Image | None) -> None:
        """Queue the event in the outbox (before any publish), then update the rule's retained topics."""
        if (event.camera, event.rule) not in self._rules:
            return
        self.outbox.add(event)
        if image is not None and event.type is not EventType.END and event.rule in self._snapshot:
            self._publish_snapshot(event, image)
        self.publisher.wake()

    def snapshot_saved(self, camera: str, saved: SavedSnapshot | None) -> None:
        """Retain the JPEG a `/snapshot/set` (or the dashboard's `s`) asked for, for the remote dashboard."""
        if saved is None:
            return
        self.board.set(self.topics.camera_snapshot(camera), saved.jpeg)
        self.publisher.wake()

    def handle_states(self, snapshot: RulesSnapshot) -> None:
        """Retain the state and attributes of every rule whose state changed."""
        if self._show_states(snapshot.states):
            self.publisher.wake()

    def handle_observation(self, obs: Observation) -> None:
        """Publish the per-zone counts of the camera when they changed."""
        if obs.camera not in self._cameras:
            return
        zones = ["*", *self._counted_zones[obs.camera]]
        counts = {zone: dict(sorted(obs.counts.get(zone, {}).items())) for zone in zones}
        if self.board.set(self.topics.counts(obs.camera), json.dumps(counts).encode()):
            self.publisher.wake()

    def outbox_reopened(self) -> None:
        """The store opened the file its outbox could not open at start: back to it, and deliver
        what an earlier run left there (called on the store sink's thread)."""
        if self.outbox.attach():
            self.publisher.wake()

    def close(self) -> None:
        """Flush what the broker can take in a moment, publish `offline`, release the outbox."""
        self._closing.set()
        if self._health_thread is not None and self._health_thread.is_alive():
            self._health_thread.join(timeout=2.0)
        self.publisher.close()
        self.outbox.close()

    def _show_states(self, states: Sequence[RuleState]) -> bool:
        """Take these states into the retained topics; True when any payload changed."""
        changed = False
        with self._lock:
            for state in states:
                view = self._views.get(state.rule)
                if view is None:
                    continue
                wanted = self._commanded.get(state.rule)
                if wanted is not None and wanted != state.enabled:
                    state = replace(state, enabled=wanted)  # the worker has not applied it yet
                else:
                    self._commanded.pop(state.rule, None)
                self._views[state.rule] = replace(view, state=state)
                changed |= self._show(self._views[state.rule])
        return changed

    def _show(self, view: RuleView) -> bool:
        # Attributes before the state: whoever reacts to a new state finds its attributes current.
        s = view.state
        changed = self.board.set(self.topics.attributes(s.camera, s.rule), view.attributes_payload())
        changed |= self.board.set(self.topics.enabled(s.camera, s.rule), view.enabled_payload())
        return self.board.set(self.topics.state(s.camera, s.rule), view.state_payload()) or changed

    def _publish_snapshot(self, event: Event, image: Image) -> None:
        zone = self._zones.get((event.camera, event.zone)) if event.zone else None
        ok, jpeg = cv2.imencode(
            ".jpg", draw_event(image, event, zone), [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY]
        )
        if not ok:
            _log.warning("mqtt: snapshot of %s %s: JPEG encoding failed", event.camera, event.rule)
            return
        self.board.set(self.topics.snapshot(event.camera, event.rule), jpeg.tobytes())

    def _message(self, topic: str, payload: bytes) -> None:
        """On paho's thread: HA's birth message, or a `/set` command; junk is logged and ignored."""
        if topic == self.topics.ha_status:
            if payload.strip() == b"online":
                _log.info("mqtt: Home Assistant is online: publishing discovery and states again")
                self.publisher.rediscover()
            return
        try:
            command = parse_command(topic, payload, self.topics, self._rules, self._cameras)
        except BadCommandError as exc:
            _log.warning("mqtt: ignored command on %r: %s", topic[:120], exc)
            return
        if self._post is None:
            _log.warning("mqtt: ignored command on %r: no daemon to apply it", topic[:120])
            return
        self._post(command)
        self._echo(command)
        self.publisher.wake()

    def _echo(self, command: Command) -> None:
        """Show the commanded switch state right away (the daemon applies it on its next frame)."""
        match command:
            case SetRuleEnabled(rule, enabled):
                with self._lock:
                    self._commanded[rule] = enabled
                    view = self._views[rule]
                    self._show(replace(view, state=replace(view.state, enabled=enabled)))
            case SetDetection(camera, enabled):
                self.board.set(self.topics.detect_state(camera), b"ON" if enabled else b"OFF")
