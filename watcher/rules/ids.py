"""Event id makers: random for live runs, reproducible for `watcher replay`."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable

IdMaker = Callable[[], str]

_NAMESPACE = uuid.UUID("6f1d3c52-8a4e-4b7e-9a57-3c1f0e2d9b10")


def random_ids() -> str:
    """A fresh uuid4 string."""
    return str(uuid.uuid4())


def deterministic_ids(seed: str) -> IdMaker:
    """A callable giving the same uuid-formatted ids (uuid5 of seed and a counter) on every run."""
    counter = itertools.count()
    return lambda: str(uuid.uuid5(_NAMESPACE, f"{seed}:{next(counter)}"))
