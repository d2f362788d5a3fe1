"""Several watcher nodes on one broker: distinct node ids (and so prefixes), no shared topic or unique_id.

Both nodes have a camera `cam` with a rule `someone` on purpose: the names users pick collide first.
The daemons run once per module (real clip, scripted detector, real broker); each test checks one fact.
The discovery payloads of three node configs are also checked without a broker: every entity's topics
and unique_id belong to its own node, and its availability is its own node's last will.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.support.mosquitto import Mosquitto, mosquitto_missing
from tests.support.waiting import poll
from watcher import config
from watcher.daemon import Daemon
from watcher.sinks.mqtt.discovery import Discovery, discovery_messages
from watcher.sinks.mqtt.topics import Topics
from watcher.testing import ScriptedDetector

CLIP = Path(__file__).resolve().parents[1] / "data" / "worker-zone-detection.mp4"
NODES = ("garden", "porch")
PERSON = [("person", 0.9, (20.0, 100.0, 60.0, 200.0))]

CONFIG = """
node_id = "{node}"
[[cameras]]
name = "cam"
url = "{clip}"
detect_fps = 5
realtime = true
loop = true
[cameras.motion]
detect_when = "always"
[[rules]]
name = "someone"
kind = "presence"
camera = "cam"
classes = ["person"]
snapshot = false
[mqtt]
enabled = true
host = "127.0.0.1"
port = {port}
[logging]
level = "WARNING"
"""


@dataclass
class Run:
    """What a subscriber to `#` saw while both nodes ran, and the availability at checkpoints."""

    messages: list[tuple[str, bytes]]
    porch_availability_after_garden_stopped: bytes | None

    def last(self, topic: str) -> bytes | None:
        payloads = [p for t, p in self.messages if t == topic]
        return payloads[-1] if payloads else None

    def discovery(self, node: str) -> dict[str, dict[str, object]]:
        """Discovery config payloads of one node, by topic (empty payloads are removals)."""
        return {
            t: json.loads(p)
            for t, p in self.messages
            if t.startswith("homeassistant/") and f"/watcher_{node}/" in t and p
        }


class _Recorder:
    def __init__(self, broker: Mosquitto) -> None:
        self.messages: list[tuple[str, bytes]] = []
        self._lock = threading.Lock()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2)
        self.client.on_connect = lambda c, *_: c.subscribe("#", qos=1)
        self.client.on_message = self._record
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()

    def _record(self, _c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append((msg.topic, bytes(msg.payload)))

    def last(self, topic: str) -> bytes | None:
        with self._lock:
            payloads = [p for t, p in self.messages if t == topic]
        return payloads[-1] if payloads else None

    def snapshot(self) -> list[tuple[str, bytes]]:
        with self._lock:
            return list(self.messages)


def _daemon(node: str, port: int, folder: Path) -> Daemon:
    folder.mkdir()
    cfg = config.loads(CONFIG.format(node=node, clip=CLIP, port=port), str(folder / "config.toml"))
    return Daemon(cfg, folder, detector=ScriptedDetector([PERSON] * 5000))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    reason = mosquitto_missing()
    if reason:
        pytest.skip(reason)
    broker = Mosquitto(tmp_path_factory.mktemp("broker"))
    broker.start()
    recorder = _Recorder(broker)
    base = tmp_path_factory.mktemp("nodes")
    daemons = {node: _daemon(node, broker.port, base / node) for node in NODES}
    threads = {node: threading.Thread(target=d.run, name=f"daemon-{node}") for node, d in daemons.items()}
    try:
        for thread in threads.values():
            thread.start()
        for node in NODES:
            assert poll(lambda n=node: recorder.last(f"{n}/cam/someone/state") == b"ON", 30), node
        daemons["garden"].stop()
        threads["garden"].join(timeout=15)
        assert poll(lambda: recorder.last("garden/availability") == b"offline", 10)
        porch_after = recorder.last("porch/availability")
        daemons["porch"].stop()
        threads["porch"].join(timeout=15)
        assert poll(lambda: recorder.last("porch/availability") == b"offline", 10)
        yield Run(recorder.snapshot(), porch_after)
    finally:
        for daemon in daemons.values():
            daemon.stop()
        for thread in threads.values():
            if thread.is_alive():
                thread.join(timeout=15)
        recorder.client.loop_stop()
        recorder.client.disconnect()
        broker.stop()


@pytest.mark.parametrize("node", NODES)
def test_each_node_publishes_its_rule_state_under_its_own_prefix(run: Run, node: str) -> None:
    assert b"ON" in [p for t, p in run.messages if t == f"{node}/cam/someone/state"]


def test_every_topic_belongs_to_exactly_one_node(run: Run) -> None:
    topics = {t for t, _ in run.messages if t != "homeassistant/status"}
    owners = {t: [n for n in NODES if t.startswith(f"{n}/") or f"/watcher_{n}/" in t] for t in topics}
    assert {t: o for t, o in owners.items() if len(o) != 1} == {}


def test_discovery_topics_of_the_two_nodes_are_disjoint_and_both_complete(run: Run) -> None:
    garden, porch = (set(run.discovery(n)) for n in NODES)
    assert garden.isdisjoint(porch)
    assert {t.replace("watcher_garden", "watcher_porch") for t in garden} == porch


def test_unique_ids_and_entity_ids_never_repeat_across_nodes(run: Run) -> None:
    payloads = [p for n in NODES for p in run.discovery(n).values()]
    unique_ids = [p["unique_id"] for p in payloads]
    entity_ids = [p.get("default_entity_id") or p["object_id"] for p in payloads]
    assert len(set(unique_ids)) == len(unique_ids)
    assert len(set(entity_ids)) == len(entity_ids)
    assert "watcher_garden_cam_someone" in unique_ids
    assert "watcher_porch_cam_someone" in unique_ids


def test_stopping_one_node_leaves_the_other_available(run: Run) -> None:
    assert run.porch_availability_after_garden_stopped == b"online"
    assert run.last("garden/availability") == b"offline"
    assert run.last("porch/availability") == b"offline"


FLEET = ("attic", "garage", "porch")
FLEET_CONFIG = """
node_id = "{node}"
[[cameras]]
name = "cam"
url = "demo"
[[cameras]]
name = "door"
url = "demo"
[[zones]]
camera = "cam"
name = "step"
points = [[0.1, 0.1], [0.9, 0.1], [0.9, 0.9]]
[[rules]]
name = "someone"
kind = "presence"
camera = "cam"
zone = "step"
classes = ["person"]
snapshot = true
[[rules]]
name = "people"
kind = "presence"
camera = "door"
classes = ["person"]
report = "sensor"
[[rules]]
name = "passing"
kind = "presence"
camera = "door"
classes = ["person"]
report = "event"
[mqtt]
enabled = true
"""
TOPIC_KEYS = ("state_topic", "command_topic", "json_attributes_topic", "image_topic", "availability_topic")


def _fleet_discovery(tmp_path: Path) -> dict[str, list[Discovery]]:
    out = {}
    for node in FLEET:
        cfg = config.loads(FLEET_CONFIG.format(node=node), str(tmp_path / f"{node}.toml"))
        topics = Topics(cfg.mqtt.prefix, cfg.mqtt.discovery_prefix, cfg.node_id)
        out[node] = discovery_messages(cfg, topics)
    return out


def _owners(
    found: dict[str, list[Discovery]], value: Callable[[Discovery], list[str]]
) -> dict[str, set[str]]:
    """Each value (a unique_id, a topic) to the nodes whose discovery holds it."""
    owners: dict[str, set[str]] = {}
    for node, messages in found.items():
        for message in messages:
            for item in value(message):
                owners.setdefault(item, set()).add(node)
    return owners


def test_three_nodes_with_the_same_names_share_no_unique_id_or_topic(tmp_path: Path) -> None:
    found = _fleet_discovery(tmp_path)
    checks: dict[str, Callable[[Discovery], list[str]]] = {
        "unique_id": lambda m: [m.payload["unique_id"]],
        "entity id": lambda m: [m.payload["default_entity_id"]],
        "config topic": lambda m: [m.topic],
        "topic": lambda m: [m.payload[k] for k in TOPIC_KEYS if k in m.payload],
    }
    for what, value in checks.items():
        shared = {item: nodes for item, nodes in _owners(found, value).items() if len(nodes) > 1}
        assert shared == {}, what
    # The same configs, so every node has the same entities under its own names.
    assert {len(messages) for messages in found.values()} == {len(found["attic"])}


@pytest.mark.parametrize("node", FLEET)
def test_every_entity_of_a_node_is_available_only_through_its_own_last_will(
    tmp_path: Path, node: str
) -> None:
    messages = _fleet_discovery(tmp_path)[node]
    assert {m.payload["availability_topic"] for m in messages} == {f"{node}/availability"}
    topics = [m.payload[k] for m in messages for k in TOPIC_KEYS if k in m.payload]
    assert all(t.startswith(f"{node}/") for t in topics)


def test_each_node_has_one_device_and_one_per_camera_linked_to_it(tmp_path: Path) -> None:
    found = _fleet_discovery(tmp_path)
    devices = {
        (node, ids): m.payload["device"].get("via_device")
        for node, messages in found.items()
        for m in messages
        for ids in [tuple(m.payload["device"]["identifiers"])]
    }
    assert devices == {
        **{(n, (f"watcher_{n}",)): None for n in FLEET},
        **{(n, (f"watcher_{n}_{c}",)): f"watcher_{n}" for n in FLEET for c in ("cam", "door")},
    }


def test_devices_of_cameras_with_the_same_name_are_told_apart_by_their_node(tmp_path: Path) -> None:
    found = _fleet_discovery(tmp_path)
    names = {
        tuple(m.payload["device"]["identifiers"]): m.payload["device"]["name"]
        for ms in found.values()
        for m in ms
    }
    assert sorted(names.values()) == sorted(
        [f"watcher {n}" for n in FLEET] + [f"{n} {c}" for n in FLEET for c in ("cam", "door")]
    )
