"""The `left_object` analyzer on synthetic frames: learning state in the facts and in the log."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from watcher import config
from watcher.rules.kinds.left_object_analyzer import left_object_analyzers
from watcher.types import Frame, Observation, Regions, Track

CONFIG = """
[[cameras]]
name = "porch"
url = "porch.mp4"

[[zones]]
camera = "porch"
name = "mat"
points = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]

[[rules]]
name = "parcel"
kind = "left_object"
camera = "porch"
zone = "mat"
learn_s = 1

[store]
enabled = false
"""
FLOOR = np.repeat(110 + np.random.default_rng(0).integers(-10, 10, (120, 160, 1)), 3, axis=2).astype(np.uint8)
PERSON = Track(1, "person", 0.9, (50.0, 20.0, 110.0, 110.0))


def test_learning_state_is_in_the_rules_facts_and_logged_once_per_change(
    caplog: pytest.LogCaptureFixture,
) -> None:
    (analyzer,) = left_object_analyzers("porch", config.loads(CONFIG))
    statuses = []
    with caplog.at_level(logging.INFO, logger="watcher.left_object"):
        for n in range(10):
            t = n / 2
            tracks = (PERSON,) if t < 3 else ()
            obs = Observation("porch", n, t, (160, 120), tracks, {})
            fact = analyzer.analyze(Frame("porch", n, t, FLOOR), obs).fact("parcel", Regions)
            assert fact is not None
            assert fact.learning is not None
            statuses.append(fact.learning.status)
    # The person is last seen at 2.5; the pixels under them have held still for learn_s by 3.5.
    assert statuses == ["learning"] * 2 + ["learning: a person is in the zone"] * 5 + ["learned"] * 3
    assert [r.getMessage() for r in caplog.records] == [
        "porch: zone mat (parcel) learning, 0% of its empty look known",
        "porch: zone mat (parcel) learning: a person is in the zone, 62% of its empty look known",
        "porch: zone mat (parcel) learned, 100% of its empty look known",
    ]
