"""Log records as dashboard notifications: a full-screen app cannot share its terminal with a log."""

from __future__ import annotations

import logging

from textual.app import App

from watcher.tui.messages import Notice


class NoticeHandler(logging.Handler):
    """Shows WARNING and worse as notifications in `app`; safe from any thread."""

    def __init__(self, app: App[None]) -> None:
        super().__init__(logging.WARNING)
        self._app = app

    def emit(self, record: logging.LogRecord) -> None:
        error = record.levelno >= logging.ERROR
        self._app.post_message(Notice(record.getMessage(), "error" if error else "warning"))
