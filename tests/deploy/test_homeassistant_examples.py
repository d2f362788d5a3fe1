"""deploy/homeassistant/*.yaml use exactly the entity ids that watcher's MQTT discovery creates."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from watcher import config
from watcher.sinks.mqtt.discovery import discovery_messages
from watcher.sinks.mqtt.topics import Topics

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "deploy" / "homeassistant").glob("*.yaml"))
ENTITY = re.compile(r"\b(?:binary_sensor|sensor|switch|image|event)\.[a-z0-9_]+")


def _discovered_entity_ids() -> set[str]:
    """Entity ids Home Assistant gives the example config's entities.

    `default_entity_id` (Home Assistant 2025.10+) when discovery sends it, else `<component>.<object_id>`.
    """
    cfg = config.load(ROOT / "config.example.toml")
    topics = Topics(cfg.mqtt.prefix, cfg.mqtt.discovery_prefix, cfg.node_id)
    return {
        d.payload.get("default_entity_id") or f"{d.topic.split('/')[1]}.{d.payload['object_id']}"
        for d in discovery_messages(cfg, topics)
    }


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in _strings(k) + _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return [node] if isinstance(node, str) else []


def test_there_is_a_dashboard_card_and_an_automation() -> None:
    assert [p.name for p in EXAMPLES] == ["automation.yaml", "dashboard-card.yaml"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_names_only_entities_that_discovery_creates(example: Path) -> None:
    used = {m for s in _strings(yaml.safe_load(example.read_text())) for m in ENTITY.findall(s)}
    assert used, f"{example.name} names no entity"
    assert used - _discovered_entity_ids() == set()


def test_automation_fires_when_the_lawn_rule_turns_on() -> None:
    automation = yaml.safe_load((ROOT / "deploy" / "homeassistant" / "automation.yaml").read_text())
    assert automation["triggers"] == [
        {
            "trigger": "state",
            "entity_id": "binary_sensor.watcher_demo_person_on_lawn",
            "from": "off",
            "to": "on",
        }
    ]
