from __future__ import annotations

import uuid

from watcher.rules import deterministic_ids


def test_deterministic_ids_repeat_for_the_same_seed() -> None:
    first, second = deterministic_ids("clip"), deterministic_ids("clip")
    assert [first() for _ in range(3)] == [second() for _ in range(3)]


def test_deterministic_ids_are_distinct_uuids() -> None:
    ids = deterministic_ids("clip")
    made = [ids() for _ in range(100)]
    assert len(set(made)) == 100
    assert all(str(uuid.UUID(i)) == i for i in made)


def test_deterministic_ids_differ_between_seeds() -> None:
    assert deterministic_ids("a")() != deterministic_ids("b")()
