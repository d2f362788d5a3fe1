"""Two processes opening one fresh store file at once: the second creator finds the tables made."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import SQLModel

from watcher.sinks import EventStore
from watcher.sinks.store.db import open_database


@pytest.fixture
def other_process_creates_tables_first(tmp_path: Path) -> Iterator[Path]:
    """Between create_all's check and its CREATE, another connection creates every table."""
    path = tmp_path / "watcher.db"
    reference = tmp_path / "reference.db"
    open_database(reference).dispose()
    with sqlite3.connect(reference) as conn:
        ddl = [
            row[0]
            for row in conn.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
            )
        ]
    raced: list[int] = []

    def race(_metadata: Any, _connection: Any, **_kw: Any) -> None:
        if raced:
            return
        raced.append(1)
        with sqlite3.connect(path) as other:
            for statement in ddl:
                other.execute(statement)

    event.listen(SQLModel.metadata, "before_create", race)
    try:
        yield path
    finally:
        event.remove(SQLModel.metadata, "before_create", race)
    assert raced == [1]


def test_store_opened_while_another_process_creates_its_tables_works(
    other_process_creates_tables_first: Path,
) -> None:
    store = EventStore(other_process_creates_tables_first)
    assert store.events() == []
    store.close()
