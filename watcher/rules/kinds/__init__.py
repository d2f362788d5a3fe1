"""Rule kinds, one module each, registered by their config `kind`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from watcher.errors import ConfigError
from watcher.rules.kinds.area import Area
from watcher.rules.kinds.base import EventValue, Reading, RuleKind
from watcher.rules.kinds.left_object import LeftObject
from watcher.rules.kinds.line_count import LineCount
from watcher.rules.kinds.missing_associate import MissingAssociate
from watcher.rules.kinds.occupancy import Occupancy
from watcher.rules.kinds.presence import Presence
from watcher.rules.kinds.state import State
from watcher.rules.spec import (
    AreaRule,
    LeftObjectRule,
    LineCountRule,
    MissingAssociateRule,
    OccupancyRule,
    PresenceRule,
    RuleBase,
    RuleConfig,
    StateRule,
)

__all__ = [
    "KINDS",
    "Area",
    "EventValue",
    "LeftObject",
    "LineCount",
    "MissingAssociate",
    "Occupancy",
    "Presence",
    "Reading",
    "RuleKind",
    "State",
    "build_kind",
]


KINDS: Mapping[str, tuple[type[RuleBase], Callable[[Any], RuleKind]]] = {
    "presence": (PresenceRule, Presence),
    "occupancy": (OccupancyRule, Occupancy),
    "line_count": (LineCountRule, LineCount),
    "area": (AreaRule, Area),
    "left_object": (LeftObjectRule, LeftObject),
    "state": (StateRule, State),
    "missing_associate": (MissingAssociateRule, MissingAssociate),
}
"""Config `kind` to its spec class and `RuleKind` factory; a new kind is one module and one entry here
(and, if it needs pixels, its analyzer module here and one entry in `watcher.analyzers.KIND_ANALYZERS`)."""


def build_kind(rule: RuleConfig) -> RuleKind:
    """The `RuleKind` for a rule config; `ConfigError` for a kind with no module."""
    entry = KINDS.get(rule.kind)
    if entry is None:
        raise ConfigError(f"unknown kind {rule.kind!r} (have: {', '.join(sorted(KINDS))})", key="kind")
    spec, factory = entry
    if not isinstance(rule, spec):
        raise ConfigError(f"rule {rule.name!r} is not a {rule.kind} rule", key="kind")
    return factory(rule)
