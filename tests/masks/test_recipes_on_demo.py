"""The lawn and kerb area recipes replayed on the demo clip, against the hand-drawn outlines.

Tolerances (docs/rules.md): the lawn recipe (HSV) within 0.06 of the outlined lawn's share of its zone
(measured 0.79 against 0.83); the kerb recipe (GrabCut in the stock detector's boxes): median within
0.10 and every value within 0.12 of the outlined van and car's share of the kerb strip (measured
median 0.47 with the default 7-bit int8 model, 0.49 with the earlier 8-bit file, against 0.56); an
`occupancy` rule with `measure = "covered"` on the same strip (parked vehicles only): median within
0.10, every value within 0.20 (measured 0.38-0.50).
"""

from __future__ import annotations

import json
import tomllib
from typing import Any

import numpy as np
import pytest

from tests.masks.truth import ROOT, outlined
from watcher import config
from watcher.detect import load_detector
from watcher.masks import polygon_mask
from watcher.replay import ReplayOutputs, replay
from watcher.resources import demo_clip

RECIPES = ("roof_or_lawn_area.toml", "kerb_covered.toml")
HEAD = '[[cameras]]\nname = "front"\nurl = "demo"\ndetect_fps = 2\n'
COVERED = f"""
[[rules]]
name = "lawn_seen"
kind = "area"
camera = "front"
zone = "lawn"
examples = "{ROOT / "tests" / "data" / "examples" / "lawn"}"
label = "lawn"
check_every_s = 20
[[rules]]
name = "kerb_parked_cover"
kind = "occupancy"
camera = "front"
zone = "kerb_strip"
measure = "covered"
report = "sensor"
"""
TAIL = '[store]\nenabled = false\n[logging]\nlevel = "WARNING"\n'


@pytest.fixture(scope="module")
def observations(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("recipes")
    text = (
        HEAD
        + "".join((ROOT / "rules" / name).read_text(encoding="utf-8") for name in RECIPES)
        + COVERED
        + TAIL
    )
    cfg = config.loads(text, file=str(tmp / "config.toml"))
    outputs = ReplayOutputs(events=tmp / "events.jsonl", observations=tmp / "obs.jsonl")
    replay(demo_clip(), cfg, "front", load_detector(cfg.detector), outputs, progress=False)
    return [json.loads(line) for line in (tmp / "obs.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def events(
    observations: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> list[dict[str, Any]]:
    folder = next(p for p in tmp_path_factory.getbasetemp().iterdir() if p.name.startswith("recipes"))
    return [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]


def truth_share(recipe: str, objects: tuple[str, ...]) -> float:
    """The share of the recipe's zone the outlines of `objects` (frame 0) cover."""
    (zone,) = tomllib.loads((ROOT / "rules" / recipe).read_text(encoding="utf-8"))["zones"]
    image, _ = outlined(objects[0], 0)
    size = (image.shape[1], image.shape[0])
    region = polygon_mask(np.asarray(zone["points"]) * size, size)
    covered = np.zeros_like(region)
    for name in objects:
        covered |= outlined(name, 0)[1]
    return float((covered & region).sum() / region.sum())


def measured(observations: list[dict[str, Any]], rule: str) -> list[float]:
    return [o["areas"][rule]["fraction"] for o in observations if rule in o.get("areas", {})]


def test_the_lawn_recipe_measures_the_outlined_lawn(observations: list[dict[str, Any]]) -> None:
    values = measured(observations, "lawn_dry")
    assert len(set(values)) <= 2  # once a minute on a 80 s clip: two measurements
    assert values == [pytest.approx(truth_share("roof_or_lawn_area.toml", ("lawn",)), abs=0.06)] * len(values)


def test_the_kerb_recipe_measures_the_outlined_van_and_car(observations: list[dict[str, Any]]) -> None:
    values = measured(observations, "kerb_covered")
    truth = truth_share("kerb_covered.toml", ("van", "car"))
    # The first seconds: tracks not yet confirmed (tracker.min_hits), nothing measured as covered.
    settled = [v for o, v in zip(observations, values, strict=True) if o["t"] >= 5.0]
    assert float(np.median(settled)) == pytest.approx(truth, abs=0.10)
    assert settled == [pytest.approx(truth, abs=0.12)] * len(settled)


def test_occupancy_counts_the_kerb_by_the_parked_vehicles_outlines(events: list[dict[str, Any]]) -> None:
    covered = [e for e in events if e["rule"] == "kerb_parked_cover"]
    truth = truth_share("kerb_covered.toml", ("van", "car"))
    assert covered[0]["type"] == "start"
    assert sorted(o["label"] for o in covered[0]["objects"]) == ["car", "truck"]
    values = [e["value"] for e in covered]
    # Measured 0.38-0.50, median 0.47: lower than the area rule when the small car's box jitters
    # and it drops out of the still objects for a frame.
    assert float(np.median(values)) == pytest.approx(truth, abs=0.10)
    assert values == [pytest.approx(truth, abs=0.20)] * len(values)


def test_an_examples_rule_in_the_pipeline_measures_the_outlined_lawn(
    observations: list[dict[str, Any]],
) -> None:
    values = measured(observations, "lawn_seen")
    assert len(set(values)) <= 4  # every 20 s of an 80 s clip
    # Measured 0.72-0.79 against 0.83: the lighter strip along the path edge is lost, and at 60 s
    # three people stand on the lawn.
    assert values == [pytest.approx(truth_share("roof_or_lawn_area.toml", ("lawn",)), abs=0.12)] * len(values)
