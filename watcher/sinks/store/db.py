"""Opening the store's SQLite file: private (0o600), WAL journal, `synchronous=NORMAL`."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel, create_engine

from watcher.errors import SinkError


def _pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")  # first: switching to WAL waits for another opener's lock
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _create_private(path: Path) -> None:
    """Create `path` owner-only if it is missing; never open an existing file outside SQLite.

    close(2) drops every POSIX lock the process holds on a file, those of its live SQLite
    connections included (the store and the MQTT outbox share one file). Another process closing
    the database would then take itself for the last user, checkpoint and delete the WAL, and our
    next commits would go into the deleted file: lost.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        if not os.access(path, os.R_OK | os.W_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path)) from None
    os.chmod(path, 0o600)


def open_database(path: str | Path) -> Engine:
    """Create the file (and its folder) if needed, owner-only, and every table the store knows."""
    path = Path(path)
    try:
        _create_private(path)
    except OSError as exc:
        raise SinkError("store", f"cannot create {path}: {exc.strerror or exc}") from None
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _pragmas)
    try:
        SQLModel.metadata.create_all(engine)
    except OperationalError as exc:
        # Another process (a second daemon, `watcher events`) created a table between the check
        # and the CREATE; checking again finds it.
        if "already exists" not in str(exc):
            raise
        SQLModel.metadata.create_all(engine)
    return engine
