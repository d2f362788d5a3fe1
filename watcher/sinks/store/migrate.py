"""Columns added to the store after its first release, added in place to a file an older watcher wrote."""

from __future__ import annotations

from sqlalchemy import Connection, Engine

# table -> (column, SQL type, the column its value is taken from in rows written before it existed)
_ADDED: dict[str, tuple[tuple[str, str, str], ...]] = {
    # A state saved by an older watcher is taken as seen at its `since`, at the wall time it was saved:
    # after a reboot its episode then counts from that save (docs/store.md, "Restarts").
    "rule_states": (("seen_at", "FLOAT", "since"), ("seen_wall", "FLOAT", "updated")),
}


def add_missing_columns(engine: Engine) -> None:
    """Add the columns of `_ADDED` an existing table lacks, filled from its rows; a no-op when none lack.

    One write transaction (`BEGIN IMMEDIATE`) checks and alters, so two processes opening an old
    file at once (the daemon, `watcher events`) add each column once.
    """
    with engine.connect() as conn:
        if not _missing(conn):
            return
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        for table, columns in _missing(conn).items():
            for name, sql_type, source in columns:
                conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {name} {sql_type}")
                conn.exec_driver_sql(f"UPDATE {table} SET {name} = {source}")
        conn.commit()


def _missing(conn: Connection) -> dict[str, list[tuple[str, str, str]]]:
    """Per existing table, the added columns it lacks."""
    missing: dict[str, list[tuple[str, str, str]]] = {}
    for table, columns in _ADDED.items():
        present = {row[1] for row in conn.exec_driver_sql(f"PRAGMA table_info({table})")}
        lacking = [column for column in columns if column[0] not in present]
        if present and lacking:
            missing[table] = lacking
    return missing
