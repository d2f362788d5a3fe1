"""The soak is `slow`: it runs only when asked for (`pytest -m slow tests/soak`), never in the default run."""

from __future__ import annotations

from pathlib import Path

import pytest

_MINE = (Path(__file__).parent, Path(__file__).parents[1] / "reliability")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow")
    for item in items:
        if item.get_closest_marker("slow") and any(item.path.is_relative_to(d) for d in _MINE):
            item.add_marker(skip)
