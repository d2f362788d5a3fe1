"""The MQTT feed: builds the dashboard from a running daemon's retained topics and events (paho 2.x)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from textual.app import App

from watcher.clock import Clock
from watcher.commands import Command, SaveSnapshot, SetDetection, SetRuleEnabled
from watcher.errors import ConfigError, SinkError
from watcher.tui.messages import FeedChanged, Notice
from watcher.tui.topics import parse_message

log = logging.getLogger("watcher.tui")


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    """Where the daemon publishes, and how to log in."""

    host: str
    port: int = 1883
    username: str | None = None
    password: str | None = None
    prefix: str = "watcher"

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


class MqttFeed:
    """Subscribes to `<prefix>/#` and posts one dashboard message per shown topic; sends `/set` commands."""

    def __init__(self, broker: BrokerAddress, clock: Clock) -> None:
        self._broker = broker
        self._clock = clock
        self._app: App[None] | None = None
        self._rule_cameras: dict[str, str] = {}
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

    def send(self, command: Command) -> None:
        prefix = self._broker.prefix
        match command:
            case SetDetection(camera, enabled):
                topic = f"{prefix}/{camera}/detect/set"
            case SetRuleEnabled(rule, enabled):
                if rule not in self._rule_cameras:
                    raise SinkError("tui", f"rule {rule}: its camera is not known yet (no state topic seen)")
                topic = f"{prefix}/{self._rule_cameras[rule]}/{rule}/set"
            case SaveSnapshot(camera):
                raise SinkError("tui", f"camera {camera}: snapshots can only be taken by `watcher run --tui`")
        if not self._client.is_connected():
            raise SinkError("tui", f"not connected to {self._broker.where}: {topic} not sent")
        self._client.publish(topic, "ON" if enabled else "OFF", qos=1)

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
        client.subscribe(f"{self._broker.prefix}/#", qos=1)
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

    def _on_message(self, _client: mqtt.Client, _userdata: object, msg: mqtt.MQTTMessage) -> None:
        try:
            message = parse_message(
                self._broker.prefix,
                msg.topic,
                bytes(msg.payload),
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
            self._rule_cameras[update.rule] = update.camera
        self._app.post_message(message)

    def _post_feed(self, text: str) -> None:
        if self._app is not None:
            self._app.post_message(FeedChanged(text))
