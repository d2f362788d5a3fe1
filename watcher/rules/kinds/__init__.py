"""Rule kinds, one module each, registered by their config `kind`."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from watcher.errors import ConfigError
from watcher.rules.kinds.base import EventValue, Reading, RuleKind
from watcher.rules.kinds.presence import Presence
from watcher.rules.spec import PresenceRule, RuleConfig

__all__ = ["KINDS", "EventValue", "Presence", "Reading", "RuleKind", "build_kind"]


def _presence(rule: RuleConfig) -> RuleKind:
    if not isinstance(rule, PresenceRule):
        raise ConfigError(f"rule {rule.name!r} is not a presence rule", key="kind")
    return Presence(rule)


KINDS: Mapping[str, Callable[[RuleConfig], RuleKind]] = {"presence": _presence}
"""Config `kind` to a factory of its `RuleKind`; a new kind is one module and one entry here."""


def build_kind(rule: RuleConfig) -> RuleKind:
    """The `RuleKind` for a rule config; `ConfigError` for a kind with no module."""
    factory = KINDS.get(rule.kind)
    if factory is None:
        raise ConfigError(f"unknown kind {rule.kind!r} (have: {', '.join(sorted(KINDS))})", key="kind")
    return factory(rule)
