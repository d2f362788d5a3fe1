"""`Publisher`: the one thread that talks to the broker; everything else only queues facts for it.

paho's callbacks run on paho's network thread (PUBACKs even with paho's own lock held), so they
only append a fact and wake this thread; this thread alone calls `publish`. A fresh paho client
is made for every connection: paho would otherwise re-send what it queued while disconnected
after our own re-publishing, out of order and with stale retained states.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import MQTTErrorCode

from watcher.config import MqttConfig
from watcher.sinks.mqtt.client import OFFLINE, ONLINE, make_client
from watcher.sinks.mqtt.discovery import Discovery
from watcher.sinks.mqtt.inflight import InFlight
from watcher.sinks.mqtt.outbox import Outbox
from watcher.sinks.mqtt.retained import RetainedBoard
from watcher.sinks.mqtt.topics import Topics

_log = logging.getLogger("watcher.mqtt")
WINDOW = 20
"""Events in flight (published, not yet acked) per connection."""


@dataclass(frozen=True, slots=True)
class _Fact:
    """Something paho told us: `connected` (1 if refused, with the reason), `lost`, `ack` (mid)."""

    what: str
    generation: int
    value: int = 0
    reason: str = ""


class Publisher:
    """Connects with backoff, publishes discovery, retained states and the outbox in order."""

    def __init__(
        self,
        config: MqttConfig,
        topics: Topics,
        outbox: Outbox,
        board: RetainedBoard,
        discovery: Sequence[Discovery],
        *,
        tls: dict[str, Path | None],
        client_id: str,
        event_rules: Collection[tuple[str, str]] = (),
        on_connected: Callable[[], None] = lambda: None,
        on_message: Callable[[str, bytes], None] = lambda _t, _p: None,
        retry_s: tuple[float, float] = (1.0, 30.0),
    ) -> None:
        self._config, self._topics, self._outbox, self._board = config, topics, outbox, board
        self._discovery = list(discovery)
        self._tls, self._client_id = tls, client_id
        self._event_rules = frozenset(event_rules)
        self._on_connected, self._on_message = on_connected, on_message
        self._retry_min, self._retry_max = retry_s
        self._cond = threading.Condition()
        self._facts: deque[_Fact] = deque()
        self._wanted = False
        self._closing = False
        self._close_seen = False
        self._flush_until = 0.0
        self._rediscover = False
        self._client: mqtt.Client | None = None
        self._generation = 0
        self._connected = False
        self._watermark = 0
        self._inflight = InFlight()
        self._delay = self._retry_min
        self._next_try = 0.0
        self._failures = 0
        self._thread = threading.Thread(target=self._run, name="watcher-mqtt", daemon=True)

    def start(self) -> None:
        """Start connecting and publishing on the publisher's own thread."""
        self._thread.start()

    @property
    def connected(self) -> bool:
        with self._cond:
            return self._connected

    def wake(self) -> None:
        """New events or retained payloads are waiting."""
        with self._cond:
            self._wanted = True
            self._cond.notify_all()

    def rediscover(self) -> None:
        """Publish discovery and every retained payload again (Home Assistant came online)."""
        with self._cond:
            self._rediscover = True
            self._cond.notify_all()

    def close(self, flush_s: float = 2.0, timeout: float = 5.0) -> None:
        """Deliver queued events for up to `flush_s` if connected, say `offline`, disconnect."""
        with self._cond:
            self._closing = True
            self._flush_until = time.monotonic() + flush_s
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)

    # -- paho callbacks (network thread): record and wake, nothing else --------------------------

    def _fact(self, what: str, generation: int, value: int = 0, reason: str = "") -> None:
        with self._cond:
            self._facts.append(_Fact(what, generation, value, reason))
            self._cond.notify_all()

    def _callbacks(self, client: mqtt.Client, generation: int) -> None:
        client.on_connect = lambda _c, _u, _f, rc, _p: self._fact(
            "connected", generation, int(rc.is_failure), str(rc)
        )
        client.on_disconnect = lambda _c, _u, _f, rc, _p: self._fact("lost", generation, rc.value)
        client.on_publish = lambda _c, _u, mid, _rc, _p: self._fact("ack", generation, mid)
        client.on_message = lambda _c, _u, msg: self._on_message(msg.topic, bytes(msg.payload))

    # -- the publisher thread ------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(self._has_work, timeout=self._wait_s())
                facts = list(self._facts)
                self._facts.clear()
                self._wanted = False
                closing, rediscover = self._closing, self._rediscover
                self._rediscover = False
                self._close_seen = closing
            try:
                if not self._step(facts, closing, rediscover):
                    break
            except Exception:  # a bug or a broken database must not end MQTT for good
                _log.exception("mqtt: publishing failed; reconnecting")
                self._drop_client()
                self._retry_later("publishing failed")
        self._shutdown()

    def _step(self, facts: list[_Fact], closing: bool, rediscover: bool) -> bool:
        """Apply paho's facts, (re)connect when due, publish what waits; False when it is time to stop."""
        for fact in facts:
            self._apply(fact)
        if closing and (not self._connected or not self._inflight_or_queued() or self._flush_over()):
            return False
        if self._client is None and time.monotonic() >= self._next_try and not closing:
            self._connect()
        if self._connected:
            if rediscover:
                self._publish_discovery()
                self._board.mark_all_dirty()
            self._publish_retained()
            self._pump()
        return True

    def _has_work(self) -> bool:
        return (
            bool(self._facts) or self._wanted or self._rediscover or (self._closing and not self._close_seen)
        )

    def _wait_s(self) -> float | None:
        if self._client is None:
            return max(0.0, self._next_try - time.monotonic())
        return 0.2 if self._closing else None

    def _flush_over(self) -> bool:
        return time.monotonic() >= self._flush_until

    def _inflight_or_queued(self) -> bool:
        return bool(self._inflight) or len(self._outbox) > 0

    def _connect(self) -> None:
        self._generation += 1
        client = make_client(self._config, self._topics, self._tls, self._client_id)
        self._callbacks(client, self._generation)
        try:
            client.connect(self._config.host, self._config.port, self._config.keepalive_s)
        except (OSError, ValueError) as exc:
            why = getattr(exc, "strerror", None) or exc
            self._retry_later(f"cannot connect to {self._config.host}:{self._config.port}: {why}")
            return
        self._client = client
        client.loop_start()

    def _retry_later(self, why: str) -> None:
        self._failures += 1
        level = logging.WARNING if self._failures == 1 else logging.DEBUG
        _log.log(
            level, "mqtt: %s; events wait in the outbox, retrying (every %gs at most)", why, self._retry_max
        )
        self._next_try = time.monotonic() + self._delay
        self._delay = min(self._delay * 2, self._retry_max)

    def _drop_client(self) -> None:
        client, self._client = self._client, None
        self._generation += 1  # whatever the old client still reports is stale
        with self._cond:
            self._connected = False
        self._inflight.clear()
        if client is not None:
            client.disconnect()
            client.loop_stop()

    def _apply(self, fact: _Fact) -> None:
        if fact.generation != self._generation:
            return  # from a client already dropped
        if fact.what == "connected" and fact.value == 0:
            self._connected_now()
        elif fact.what == "connected":
            self._drop_client()
            self._retry_later(f"broker refused the connection: {fact.reason}")
        elif fact.what == "lost":
            was = self._connected
            self._drop_client()
            if was:
                self._failures = 0
            self._retry_later(f"connection to {self._config.host}:{self._config.port} lost")
        elif fact.what == "ack":
            self._acked(fact.value)

    def _connected_now(self) -> None:
        assert self._client is not None
        _log.info("mqtt: connected to %s:%d", self._config.host, self._config.port)
        with self._cond:
            self._connected = True
        self._failures = 0
        self._delay = self._retry_min
        self._watermark = 0
        self._client.subscribe([(self._topics.command_filter, 1), (self._topics.ha_status, 1)])
        self._client.publish(self._topics.availability, ONLINE, qos=1, retain=True)
        self._on_connected()
        self._publish_discovery()
        self._board.mark_all_dirty()

    def _publish_discovery(self) -> None:
        assert self._client is not None
        current = {d.topic for d in self._discovery}
        for topic in sorted(self._outbox.discovery_topics() - current):
            info = self._client.publish(topic, b"", qos=1, retain=True)
            self._inflight.cleared(info.mid, topic)
            _log.info("mqtt: removed discovery %s (no longer configured)", topic)
        self._outbox.remember_discovery(current)
        for d in self._discovery:
            self._client.publish(d.topic, json.dumps(d.payload), qos=self._config.qos, retain=True)

    def _publish_retained(self) -> None:
        assert self._client is not None
        for topic, payload in self._board.take_dirty():
            self._client.publish(topic, payload, qos=self._config.qos, retain=True)

    def _pump(self) -> None:
        assert self._client is not None
        room = WINDOW - len(self._inflight)
        if room <= 0:
            return
        for row in self._outbox.after(self._watermark, room):
            mids: set[int] = set()
            if (row.camera, row.rule) in self._event_rules:
                mids.add(
                    self._client.publish(
                        self._topics.rule_event(row.camera, row.rule), row.payload, qos=1
                    ).mid
                )
            info = self._client.publish(self._topics.events, row.payload, qos=1)
            mids.add(info.mid)
            if info.rc == MQTTErrorCode.MQTT_ERR_NO_CONN:
                return  # the `lost` fact follows; this row goes again on the next connection
            self._inflight.row(row.seq, mids)
            self._watermark = row.seq

    def _acked(self, mid: int) -> None:
        seq, topic = self._inflight.ack(mid)
        if topic is not None:
            self._outbox.forget_discovery(topic)
        if seq is not None:
            self._outbox.remove(seq)
            self._pump()

    def _shutdown(self) -> None:
        client = self._client
        if client is not None and self._connected:
            info = client.publish(self._topics.availability, OFFLINE, qos=1, retain=True)
            try:
                info.wait_for_publish(1.0)
            except (RuntimeError, ValueError):
                _log.debug("mqtt: offline state not confirmed before disconnecting")
        self._drop_client()
        left = self._outbox.in_file()
        if left:
            _log.info("mqtt: %d event(s) left in the outbox for the next start", left)
