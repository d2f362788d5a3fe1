"""The MQTT feed: builds the dashboard from a running daemon's retained topics and events (paho 2.x)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from textual.app import App

from watcher.clock import Clock
from watcher.commands import Command, SaveSnapshot, SetDetection, SetRuleEnabled
from watcher.errors import ConfigError, SinkError
from watcher.tui.messages import BridgeChanged, FeedChanged, Notice, snapshot_notice
from watcher.tui.topics import bridge_up, node_of_status, parse_message

log = logging.getLogger("watcher.tui")


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    """Where the daemons publish, and how to log in; `prefix` follows that one node only."""

    host: str
    port: int = 1883
    username: str | None = None
    password: str | None = None
    prefix: str | None = None

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def parse_host(value: str) -> tuple[str, int]:
    """`HOST[:PORT]` to host and port (1883 by default); `ConfigError` on a bad one."""
    host, _, port = value.rpartition(":") if ":" in value else (value, "", "1883")
    try:
        number = int(port)
    except ValueError:
        raise ConfigError(f"port must be a number (got {port!r})", key="--mqtt") from None
    if not host or not 0 < number < 65536:
        raise ConfigError(f"expected HOST[:PORT] with a port in 1..65535 (got {value!r})", key="--mqtt")
    return host, number


NODE_FINDER = "+/+/status"
"""Every node retains its cameras' status (watcher's own JSON) there, online or not."""


class MqttFeed:
    """Finds the watcher nodes on the broker (or follows the one at `prefix`), subscribes to each
    node's `<node>/#` and posts one dashboard message per shown topic; sends `/set` commands."""

    def __init__(
        self, broker: BrokerAddress, clock: Clock, snapshot_folder: Path = Path("snapshots")
    ) -> None:
        self._broker = broker
        self._clock = clock
        self._app: App[None] | None = None
        self.snapshot_folder = snapshot_folder
        """Where the JPEGs asked for with `s` are kept on this machine, in a folder per node."""
        self._snapshots_wanted: set[tuple[str, str]] = set()
        """(node, camera) asked for a snapshot whose JPEG has not come yet."""
        # All of these only touched on paho's network thread, except reads of _rule_cameras by send().
        self._nodes: set[str] = set()
        self._rule_cameras: dict[tuple[str, str], str] = {}
        self._bridge_of: dict[str, str] = {}
        """Node to the state topic of the mosquitto bridge it publishes through (its `<node>/bridge`);
        often several nodes behind one local broker."""
        self._bridge_up: dict[str, bool] = {}
        """Bridge state topic to its last state heard: what a node that names it later starts with."""
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"watcher-tui-{uuid.uuid4().hex[:8]}"
        )
        if broker.username:
            self._client.username_pw_set(broker.username, broker.password)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_connect_fail = self._on_connect_fail
        self._client.on_message = self._on_message
        self._client.reconnect_delay_set(1, 30)

    def start(self, app: App[None]) -> None:
        self._app = app
        app.post_message(FeedChanged(f"connecting to {self._broker.where}…"))
        # connect_async + loop_start: the UI thread never waits on the network.
        self._client.connect_async(self._broker.host, self._broker.port, keepalive=30)
        self._client.loop_start()

    def send(self, command: Command, node: str = "") -> None:
        """Publish the command to the `/set` topic of `node` (a topic prefix)."""
        prefix = node or self._broker.prefix
        if not prefix:
            raise SinkError("tui", f"{type(command).__name__}: no node to send it to")
        payload = None
        match command:
            case SetDetection(camera, enabled):
                topic = f"{prefix}/{camera}/detect/set"
            case SetRuleEnabled(rule, enabled):
                rule_camera = self._rule_cameras.get((prefix, rule))
                if rule_camera is None:
                    raise SinkError("tui", f"rule {rule}: its camera is not known yet (no state topic seen)")
                topic = f"{prefix}/{rule_camera}/{rule}/set"
            case SaveSnapshot(camera):
                topic, payload = f"{prefix}/{camera}/snapshot/set", "PRESS"
        if not self._client.is_connected():
            raise SinkError("tui", f"not connected to {self._broker.where}: {topic} not sent")
        if isinstance(command, SaveSnapshot):
            self._snapshots_wanted.add((prefix, command.camera))
        self._client.publish(topic, payload or ("ON" if enabled else "OFF"), qos=1)

    def stop(self) -> None:
        self._app = None
        self._client.disconnect()
        self._client.loop_stop()

    def _on_connect(
        self,
        client: mqtt.Client,
        _userdata: object,
        _flags: mqtt.ConnectFlags,
        reason: ReasonCode,
        _properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            self._post_feed(f"{self._broker.where}: {reason}")
            return
        if self._broker.prefix is not None:
            self._nodes.add(self._broker.prefix)
        else:
            client.subscribe(NODE_FINDER, qos=1)
        # A clean session forgets subscriptions: after a reconnect, follow the known nodes again.
        for node in sorted(self._nodes):
            client.subscribe(f"{node}/#", qos=1)
        for topic in sorted(set(self._bridge_of.values())):
            client.subscribe(topic, qos=1)
        self._post_feed(f"mqtt {self._broker.where}")

    def _on_disconnect(
        self,
        _client: mqtt.Client,
        _userdata: object,
        _flags: mqtt.DisconnectFlags,
        reason: ReasonCode,
        _properties: Properties | None,
    ) -> None:
        self._post_feed(f"disconnected from {self._broker.where} ({reason}), retrying")

    def _on_connect_fail(self, _client: mqtt.Client, _userdata: object) -> None:
        self._post_feed(f"cannot connect to {self._broker.where}, retrying")

    def _on_message(self, client: mqtt.Client, _userdata: object, msg: mqtt.MQTTMessage) -> None:
        payload = bytes(msg.payload)
        behind = {node for node, topic in self._bridge_of.items() if topic == msg.topic}
        if behind:
            self._bridge_changed(msg, payload, behind)
            return
        node = self._node_of(msg.topic)
        if node is None:
            node = None if self._broker.prefix is not None else node_of_status(msg.topic, payload)
            if node is None:
                return
            # A new node: its own subscription brings all of its retained topics, availability too.
            self._nodes.add(node)
            client.subscribe(f"{node}/#", qos=1)
        if msg.topic == f"{node}/bridge":
            self._follow_bridge(client, node, payload.decode(errors="replace"))
            return
        # A snapshot asked for with `s` (a retained one is older: not what was asked for).
        camera, _, tail = msg.topic.removeprefix(f"{node}/").partition("/")
        if tail == "snapshot" and (node, camera) in self._snapshots_wanted and not msg.retain:
            self._snapshots_wanted.discard((node, camera))
            self._save_snapshot(node, camera, payload)
            return
        try:
            message = parse_message(
                node,
                msg.topic,
                payload,
                retained=bool(msg.retain),
                received=self._clock.wall(),
            )
        except SinkError as exc:
            log.warning("%s", exc)
            if self._app is not None:
                self._app.post_message(Notice(str(exc), "warning"))
            return
        if message is None or self._app is None:
            return
        update = getattr(message, "update", None)
        if update is not None:
            self._rule_cameras[(node, update.rule)] = update.camera
        self._app.post_message(message)

    def _follow_bridge(self, client: mqtt.Client, node: str, topic: str) -> None:
        """Follow the state topic of the bridge `node` publishes through (empty: none any more)."""
        old = self._bridge_of.pop(node, None)
        if topic:
            self._bridge_of[node] = topic
        if old == topic:
            return
        if old is not None and old not in self._bridge_of.values():
            client.unsubscribe(old)
            self._bridge_up.pop(old, None)
        if not topic:
            if self._app is not None:
                self._app.post_message(BridgeChanged(True, node))
            return
        if list(self._bridge_of.values()).count(topic) == 1:
            client.subscribe(topic, qos=1)  # its retained state comes for this node
        elif topic in self._bridge_up and self._app is not None:
            # Followed already for another node: the state heard last, not a second subscription,
            # whose retained copy could come after a newer live state and undo it.
            self._app.post_message(BridgeChanged(self._bridge_up[topic], node))

    def _bridge_changed(self, msg: mqtt.MQTTMessage, payload: bytes, nodes: set[str]) -> None:
        try:
            up = bridge_up(msg.topic, payload)
        except SinkError as exc:
            log.warning("%s", exc)
            if self._app is not None:
                self._app.post_message(Notice(str(exc), "warning"))
            return
        self._bridge_up[msg.topic] = up
        since = None if msg.retain else self._clock.wall()
        if self._app is not None:
            for node in sorted(nodes):
                self._app.post_message(BridgeChanged(up, node, since))

    def _node_of(self, topic: str) -> str | None:
        """The followed node a topic belongs to, if any."""
        if self._broker.prefix is not None:
            return self._broker.prefix if topic.startswith(self._broker.prefix + "/") else None
        node = topic.partition("/")[0]
        return node if node in self._nodes else None

    def _save_snapshot(self, node: str, camera: str, jpeg: bytes) -> None:
        """Keep the JPEG the daemon sent for `s` in this machine's snapshot folder, and say where."""
        stamp = self._clock.wall().strftime("%Y%m%d-%H%M%S")
        path = (self.snapshot_folder / node / f"{camera}-{stamp}.jpg").resolve()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(jpeg)
        except OSError as exc:
            log.warning("snapshot of %s not saved: %s: %s", camera, path, exc.strerror or exc)
            if self._app is not None:
                self._app.post_message(snapshot_notice(camera, None))
            return
        if self._app is not None:
            self._app.post_message(snapshot_notice(camera, path))

    def _post_feed(self, text: str) -> None:
        if self._app is not None:
            self._app.post_message(FeedChanged(text))
