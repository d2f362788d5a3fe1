"""Secrets out of log lines: credentials in URLs and the config's secret values become `***`."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlsplit

from watcher.config import Config

MASK = "***"
# Shorter values would mask ordinary words all over the log; such a password is no secret anyway.
MIN_SECRET_LEN = 4

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s]*@")
_SECRET_QUERY = re.compile(
    r"(?i)\b((?:user|username|pass|passwd|password|pwd|token|key|apikey|api_key|secret|auth)=)[^&#\s'\"]+"
)
_SECRET_PARAMS = frozenset(
    {"pass", "passwd", "password", "pwd", "token", "key", "apikey", "api_key", "secret", "auth"}
)

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()


def add_secrets(values: Iterable[str | None]) -> None:
    """Mask these literal values in every log line from now on (process-wide, like logging itself)."""
    global _secrets
    new = {v for v in values if v and len(v) >= MIN_SECRET_LEN}
    for value in list(new):
        new.add(json.dumps(value)[1:-1])  # as it appears inside a JSON log line
    with _lock:
        # Longest first, so a secret that contains another is masked whole.
        _secrets = tuple(sorted(set(_secrets) | new, key=len, reverse=True))


def redact(text: str) -> str:
    """The text with URL credentials, secret query values and registered secrets replaced by `***`."""
    for secret in _secrets:
        text = text.replace(secret, MASK)
    text = _USERINFO.sub(rf"\1{MASK}@", text)
    return _SECRET_QUERY.sub(rf"\1{MASK}", text)


def config_secrets(config: Config) -> list[str]:
    """The secret values in a loaded config: MQTT password, camera URL credentials, notifier URLs."""
    found: list[str | None] = [config.mqtt.password]
    for camera in config.cameras:
        found.extend(_url_secrets(camera.url))
        found.extend(_url_secrets(camera.detect_url or ""))
    for target in config.notify.values():
        for url in target.urls:
            # An apprise URL is all token: `pover://user@token`, `tgram://bottoken/chat`.
            found.append(url)
            found.append(url.split("://", 1)[-1])
    return [value for value in found if value]


def _url_secrets(url: str) -> list[str]:
    if "://" not in url:
        return []
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    values = [parts.password or ""]
    values.extend(v for k, v in parse_qsl(parts.query) if k.lower() in _SECRET_PARAMS)
    return values


class RedactingFormatter(logging.Formatter):
    """Wraps another formatter and redacts its whole output, exception text included."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self._inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return redact(self._inner.format(record))
