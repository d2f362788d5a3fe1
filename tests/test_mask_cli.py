"""`watcher mask`: the mask an area rule measures, drawn on a frame, and HSV ranges read off the zone."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np
import pytest

from watcher.cli import main
from watcher.mask_preview import suggest_hsv

ROOT = Path(__file__).resolve().parents[1]
DEMO = '[[cameras]]\nname = "front"\nurl = "demo"\n'
PRESENCE = '[[rules]]\nname = "someone"\nkind = "presence"\ncamera = "front"\n'


@pytest.fixture
def recipes(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    lawn = (ROOT / "rules" / "roof_or_lawn_area.toml").read_text()
    kerb = (ROOT / "rules" / "kerb_covered.toml").read_text()
    config.write_text(DEMO + lawn + kerb + PRESENCE)
    return config


def test_the_lawn_mask_is_drawn_and_measured_with_hsv_suggestions(
    recipes: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "lawn.png"
    assert main(["mask", "lawn_dry", "-c", str(recipes), "-o", str(out), "--suggest-hsv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{out}: lawn_dry measures 0.793 of zone lawn (136244 px) at 0.0 s"
    assert lines[1] == (
        "hsv = { lower = [37, 139, 68], upper = [42, 255, 127] }"
        "   # the dominant colour: covers 0.766 of the zone"
    )
    assert len(lines) == 4
    image = cv2.imread(str(out))
    assert image.shape == (576, 768, 3)


def test_the_kerb_mask_comes_from_the_detectors_vehicles(
    recipes: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "kerb.png"
    assert main(["mask", "kerb_covered", "-c", str(recipes), "-o", str(out), "--at", "30"]) == 0
    line = capsys.readouterr().out.strip()
    # The vehicles' boxes come from the default detector: the share is checked against the hand-drawn
    # van and car (0.56, tests/masks) with the recipe test's tolerance, not one model file's pixels.
    found = re.fullmatch(
        rf"{re.escape(str(out))}: kerb_covered measures (0\.\d+) of zone kerb_strip \((\d+) px\) at 30\.0 s",
        line,
    )
    assert found is not None, line
    share, pixels = float(found[1]), int(found[2])
    assert abs(share - 0.56) <= 0.12
    assert pixels > 3000  # the van and the car, not a sliver


def test_the_mask_is_drawn_on_the_detect_stream_the_rule_measures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Main stream 640x360, detect stream 640x480: the analyzer reads the detect one.
    camera = (
        f'[[cameras]]\nname = "front"\nurl = "{ROOT / "tests" / "data" / "bottle-detection.mp4"}"\n'
        f'detect_url = "{ROOT / "tests" / "data" / "box.mp4"}"\n'
    )
    config = tmp_path / "config.toml"
    config.write_text(camera + (ROOT / "rules" / "roof_or_lawn_area.toml").read_text())
    out = tmp_path / "lawn.png"
    assert main(["mask", "lawn_dry", "-c", str(config), "-o", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"{out}: lawn_dry measures ")
    assert cv2.imread(str(out)).shape == (480, 640, 3)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("someone", "watcher: RULE: rule someone is a presence rule, not an area rule\n"),
        ("nope", "watcher: RULE: no rule nope (area rules: lawn_dry, kerb_covered)\n"),
    ],
)
def test_a_rule_that_is_not_an_area_rule_is_one_line(
    recipes: Path, rule: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mask", rule, "-c", str(recipes)]) == 2
    assert capsys.readouterr().err == message


def test_the_dominant_colour_comes_first_and_a_red_hue_wraps() -> None:
    hsv = np.zeros((20, 40, 3), np.uint8)
    hsv[:, :20] = (60, 200, 150)  # green, half
    hsv[:, 20:30] = (120, 200, 150)  # blue, a quarter
    hsv[:, 30:35] = (178, 200, 150)  # red either side of the hue wrap, a quarter
    hsv[:, 35:] = (2, 200, 150)
    image = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)
    green, *others = suggest_hsv(image, np.ones((20, 40), bool))
    assert (green.hsv.lower[0], green.hsv.upper[0], green.share) == (60, 60, 0.5)
    red = next(s for s in others if s.hsv.lower[0] > s.hsv.upper[0])
    assert (red.hsv.lower[0], red.hsv.upper[0], red.share) == (178, 2, 0.25)


def test_check_config_accepts_every_mask_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    examples = ROOT / "tests" / "data" / "examples" / "lawn"
    rules = "".join(
        f'[[rules]]\nname = "{name}"\nkind = "area"\ncamera = "front"\n{source}\n'
        for name, source in (
            ("by_colour", "hsv = { lower = [35, 60, 40], upper = [85, 255, 255] }"),
            ("by_objects", 'classes = ["car", "truck"]'),
            ("by_examples", f'examples = "{examples}"\nlabel = "lawn"'),
        )
    )
    config.write_text(DEMO + rules)
    assert main(["check-config", "-c", str(config)]) == 0
    assert capsys.readouterr().out.startswith("ok: 1 camera(s), 0 zone(s), 3 rule(s)")


SEG_MODEL = ROOT.parent / "shared" / "models" / "yolo11n_seg_vehicles.onnx"


@pytest.mark.skipif(
    not SEG_MODEL.is_file(), reason=f"optional {SEG_MODEL.name} not found in ../shared/models"
)
def test_models_list_shows_a_configs_own_seg_model_with_its_layout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(DEMO + f'[detector]\nmodel = "{SEG_MODEL}"\n')
    assert main(["models", "list", "-c", str(config)]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[-1].split() == ["(yolo11n_seg_vehicles)", "yolo_seg", "320", "6", "yours", str(SEG_MODEL)]
