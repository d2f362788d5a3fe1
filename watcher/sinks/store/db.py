"""Opening the store's SQLite file: owner-only, WAL journal, `synchronous=NORMAL`; a corrupt one set aside."""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import SQLModel, create_engine

from watcher.errors import StoreOpenError
from watcher.sinks.store.migrate import add_missing_columns

_log = logging.getLogger("watcher.store")
# What SQLite says of a file that is not (or no longer) a database; "locked" or "read-only" are not it.
_CORRUPT = {sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT}


def _pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout=5000")  # first: switching to WAL waits for another opener's lock
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.Error:
        # SQLAlchemy drops a connection whose setup failed without closing it: on a full disk,
        # retried every 30 s, each would keep the file open until the garbage collector runs.
        cursor.close()
        connection.close()
        raise
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
    """Create the file (and its folder) if needed, owner-only, and every table the store knows;
    add the columns a file written by an older watcher lacks (`add_missing_columns`).

    A file SQLite cannot open or read as a database is a one-line `StoreOpenError` (a corrupt one:
    see `set_aside_if_corrupt`).
    """
    path = Path(path)
    try:
        return _open(path)
    except DatabaseError as exc:
        if _is_corrupt(exc.orig):
            reason = f"not a readable SQLite database ({exc.orig})"
            error = StoreOpenError(str(path), f"{path} is {reason}", reason)
        else:
            error = StoreOpenError(str(path), f"{path} cannot be opened ({exc.orig})", str(exc.orig))
    # Raised outside the handler: an error kept (the store retrying) must not keep SQLite's
    # traceback, and with it an open file on the full disk.
    raise error


def set_aside_if_corrupt(path: str | Path) -> Path | None:
    """Rename a file SQLite cannot read (and its -wal/-shm) to `<name>.corrupt-<mtime>`; that name, or None.

    For the daemon at start: after a power cut or a failing SD card a corrupt store must not stop the
    cameras, the outbox or the history for good (Home Assistant's recorder does the same). The
    broken file is kept for `sqlite3 .recover`; the store starts again empty in a new file.
    `StoreOpenError` when it cannot be renamed (a read-only folder).
    """
    path = Path(path)
    if not path.exists():
        return None
    problem = _corruption(path)
    if problem is None:
        return None
    moved = _corrupt_name(path)
    try:
        for suffix in ("-wal", "-shm"):
            side = Path(f"{path}{suffix}")
            if side.exists():
                side.rename(f"{moved}{suffix}")
        path.rename(moved)
    except OSError as exc:  # a read-only folder: the store stays off, the rest of the daemon goes on
        reason = f"not a readable SQLite database ({problem}); cannot move it aside: {exc.strerror or exc}"
        raise StoreOpenError(str(path), f"{path} is {reason}", reason) from None
    _log.error(
        "store: %s is not a readable SQLite database (%s); moved it to %s and started a new store",
        path,
        problem,
        moved.name,
    )
    return moved


def _corruption(path: Path) -> str | None:
    """What SQLite says of a file it cannot read as a database; None for a readable one or another problem.

    Read-only, so probing neither checkpoints nor deletes the -wal and -shm files kept with it.
    """
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
    except sqlite3.DatabaseError as exc:
        if _is_corrupt(exc):
            return str(exc)
    return None


def _open(path: Path) -> Engine:
    try:
        _create_private(path)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(path) else ""
        reason = f"cannot create the file: {exc.strerror or exc}{where}"
        raise StoreOpenError(str(path), f"cannot create {path}: {exc.strerror or exc}", reason) from None
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _pragmas)
    try:
        _create_tables(engine)
        add_missing_columns(engine)
    except DatabaseError:
        engine.dispose()
        raise
    return engine


def _corrupt_name(path: Path) -> Path:
    """`watcher.db.corrupt-<last write, UTC>`, with `-<n>` when that name is taken."""
    stamp = datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y%m%d-%H%M%S")
    moved = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while moved.exists():
        moved = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    return moved


def _create_tables(engine: Engine) -> None:
    try:
        SQLModel.metadata.create_all(engine)
    except OperationalError as exc:
        # Another process (a second daemon, `watcher events`) created a table between the check
        # and the CREATE; checking again finds it.
        if "already exists" not in str(exc):
            raise
        SQLModel.metadata.create_all(engine)


def _is_corrupt(error: BaseException | None) -> bool:
    """Whether SQLite's `error` says the file is not, or no longer, a database."""
    return getattr(error, "sqlite_errorcode", None) in _CORRUPT
