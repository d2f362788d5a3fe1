"""Real local receivers for notification tests: HTTP JSON and form endpoints and an SMTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.waiting import free_port


class _QuietHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None


@contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    """An HTTP server on 127.0.0.1 in a thread; yields its port, shuts it down afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class HttpReceiver:
    """Answers every POST with `status`; with `hang` set it holds each request until released."""

    status: int = 200
    hang: bool = False
    port: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/hook"


@contextmanager
def http_receiver(status: int = 200, *, hang: bool = False) -> Iterator[HttpReceiver]:
    """A `json://` endpoint on 127.0.0.1 in a thread, shut down afterwards."""
    receiver = HttpReceiver(status, hang)

    class Handler(_QuietHandler):
        def do_POST(self) -> None:  # stdlib's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            receiver.requests.append({"path": self.path, "json": json.loads(body)})
            receiver.arrived.set()
            if receiver.hang:
                receiver.release.wait(30)
            self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    with _serving(Handler) as receiver.port:
        try:
            yield receiver
        finally:
            receiver.release.set()  # before the shutdown, so a hung request lets go


@dataclass
class FormReceiver:
    """Collects each POST as a multipart/form-data message (apprise's `form://` service)."""

    port: int = 0
    forms: list[Message] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"form://127.0.0.1:{self.port}/upload"


@contextmanager
def form_receiver() -> Iterator[FormReceiver]:
    """A `form://` endpoint on 127.0.0.1 in a thread that parses each multipart body, shut down afterwards."""
    receiver = FormReceiver()

    class Handler(_QuietHandler):
        def do_POST(self) -> None:  # stdlib's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
            receiver.forms.append(message_from_bytes(head + body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    with _serving(Handler) as receiver.port:
        yield receiver


class _Collect:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@dataclass
class SmtpReceiver:
    port: int
    messages: list[Message]

    @property
    def url(self) -> str:
        return f"mailto://127.0.0.1:{self.port}/?from=watcher@example.com&to=me@example.com&mode=insecure"


@contextmanager
def smtp_receiver() -> Iterator[SmtpReceiver]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 without TLS, collecting messages."""
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpReceiver(controller.port, handler.messages)
    finally:
        controller.stop()
