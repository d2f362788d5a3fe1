"""The rules engine: rule specs and observations in, events out; pure and deterministic."""

from __future__ import annotations

from watcher.rules.engine import RulesEngine
from watcher.rules.ids import IdMaker, deterministic_ids, random_ids
from watcher.rules.timers import HoldTimer, Transition

__all__ = ["HoldTimer", "IdMaker", "RulesEngine", "Transition", "deterministic_ids", "random_ids"]
