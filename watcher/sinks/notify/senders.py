"""Senders: one per apprise URL, with a service label that is safe to log (no secrets)."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import apprise

from watcher.errors import ConfigError
from watcher.sinks.notify.message import Message

_QUIET = logging.WARNING


class Sender(Protocol):
    """Delivers a message to one service; `label` names it without secrets."""

    label: str

    def send(self, message: Message) -> bool:
        """True when the service accepted the message."""
        ...


def service_label(plugin: Any) -> str:
    """`scheme://host[:port]` of an apprise plugin, from its privacy URL (secrets masked)."""
    parts = urlsplit(str(plugin.url(privacy=True)))
    host = parts.netloc.rsplit("@", 1)[-1]
    return f"{parts.scheme}://{host}"


class AppriseSender:
    """One apprise service; its attachment is the message's JPEG as a temporary `snapshot.jpg` file."""

    def __init__(self, plugin: Any) -> None:
        self._plugin = plugin
        self.label = service_label(plugin)

    def send(self, message: Message) -> bool:
        if message.jpeg is None:
            return self._notify(message, None)
        # A file, not memory: form://, mailgun, SES, mastodon and apprise-API read attachments by path.
        with tempfile.TemporaryDirectory(prefix="watcher-notify-") as folder:
            path = Path(folder) / "snapshot.jpg"
            path.write_bytes(message.jpeg)
            return self._notify(message, apprise.AppriseAttachment(str(path)))

    def _notify(self, message: Message, attach: Any) -> bool:
        return bool(self._plugin.notify(body=message.body, title=message.title, attach=attach))


class _QuietApprise(logging.Filter):
    """Apprise's debug lines can quote request URLs, which carry tokens; keep only its warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= _QUIET


_apprise_log = logging.getLogger("apprise")
if not any(isinstance(f, _QuietApprise) for f in _apprise_log.filters):
    _apprise_log.addFilter(_QuietApprise())


def apprise_senders(name: str, urls: list[str], file: str | None = None) -> list[AppriseSender]:
    """A sender per URL of target `name`; `ConfigError` naming the key, never the URL."""
    senders = []
    for i, url in enumerate(urls):
        plugin = apprise.Apprise.instantiate(url)
        if plugin is None:
            scheme = url.split("://", 1)[0] if "://" in url else "?"
            raise ConfigError(
                f"not a usable apprise URL (scheme {scheme!r}; see apprise's list of services)",
                file=file,
                key=f"notify.{name}.urls[{i}]",
            )
        senders.append(AppriseSender(plugin))
    return senders
