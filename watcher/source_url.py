"""Classify camera URLs and redact the credentials in them before they are logged."""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import SplitResult, urlsplit, urlunsplit

SourceKind = Literal["stream", "usb", "demo", "file"]

_STREAM_SCHEMES = frozenset({"rtsp", "rtsps", "rtmp", "http", "https"})
# Some cameras take credentials as query parameters (`?user=admin&password=...`).
_SECRET_QUERY = re.compile(r"(?i)\b((?:user|username|pass|passwd|password|pwd|token|key|secret|auth)=)[^&#]*")


def redact_url(url: str) -> str:
    """The URL with user:password and secret query values replaced by `***`; other text unchanged."""
    if "://" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"://[^/@]*@", "://***@", url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = _SECRET_QUERY.sub(r"\1***", parts.query)
    return urlunsplit(SplitResult(parts.scheme, netloc, parts.path, query, parts.fragment))


def source_kind(url: str) -> SourceKind:
    """Which kind of source a camera URL names; raises ValueError with the reason when it is malformed."""
    text = url.strip()
    if not text:
        raise ValueError("empty URL")
    if text.lower() == "demo":
        return "demo"
    if text.lower().startswith("usb:"):
        usb_index(text)
        return "usb"
    if "://" not in text:
        return "file"
    scheme = text.split("://", 1)[0].lower()
    if scheme == "file":
        return "file"
    if scheme not in _STREAM_SCHEMES:
        raise ValueError(
            f"unsupported URL scheme {scheme!r} (use rtsp://, http(s)://, a file path, usb:N or demo)"
        )
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - parsing the port is the validation
    except ValueError as exc:
        raise ValueError(f"malformed URL: {exc}") from None
    if not parts.hostname:
        raise ValueError("URL has no host")
    return "stream"


def usb_index(url: str) -> int:
    """The device index N of a `usb:N` URL; raises ValueError when N is not a non-negative integer."""
    text = url.strip()[len("usb:") :]
    if not text.isdigit():
        raise ValueError(f"USB camera must be usb:N with N a device number, not {url.strip()!r}")
    return int(text)


def file_path(url: str) -> str:
    """The path part of a file URL or plain path."""
    text = url.strip()
    if text.lower().startswith("file://"):
        return urlsplit(text).path
    return text
