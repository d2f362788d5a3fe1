from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from watcher import config
from watcher.calibrate import calibrate, parse_points, prompt_points
from watcher.cli import main
from watcher.errors import ConfigError

CONFIG = """
[[cameras]]
name = "street"
url = "demo"
"""
IMAGE = "0.3,0.2 0.7,0.2 0.9,0.9 0.1,0.9"
WORLD = "0,8 4,8 4,0 0,0"


@pytest.fixture
def cfg_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    return path


def test_calibrate_prints_a_block_that_loads_as_the_cameras_ground_plane(
    cfg_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["calibrate", "street", "-c", str(cfg_file), "--image-points", IMAGE, "--world-points", WORLD]
    )
    out = capsys.readouterr().out
    block = next(line for line in out.splitlines() if line.startswith("ground_plane"))
    cfg = config.loads(CONFIG + block)
    assert code == 0
    assert cfg.cameras[0].ground_plane == config.GroundPlaneConfig(
        image_points=parse_points(IMAGE, "k"), world_points=parse_points(WORLD, "k")
    )
    assert "# reprojection error: 0.000 m (mean of 4 points; 0 with exactly 4)" in out


def test_calibrate_with_collinear_points_exits_2_with_one_line(
    cfg_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--image-points", "0.1,0.1 0.2,0.2 0.3,0.3 0.5,0.9", "--world-points", WORLD]
    code = main(["calibrate", "street", "-c", str(cfg_file), *args])
    assert (code, capsys.readouterr().err) == (
        2,
        "watcher: --image-points/--world-points: image points 1, 2 and 3 lie on one line (degenerate)\n",
    )


def test_pixel_points_are_made_relative_with_the_frame_size() -> None:
    result = calibrate(
        "street", [(300, 100), (700, 100), (900, 450), (100, 450)], parse_points(WORLD, "k"), (1000, 500)
    )
    assert result.image_points == ((0.3, 0.2), (0.7, 0.2), (0.9, 0.9), (0.1, 0.9))


def test_pixel_points_without_a_frame_size_are_refused() -> None:
    with pytest.raises(ConfigError, match="outside the frame; pixel coordinates need --frame-size"):
        calibrate("street", [(300, 100), (700, 100), (900, 450), (100, 450)], parse_points(WORLD, "k"))


def test_a_fifth_point_measures_the_reprojection_error() -> None:
    image = [*parse_points(IMAGE, "k"), (0.5, 0.5)]
    world = [*parse_points(WORLD, "k"), (2.0, 3.0)]
    assert calibrate("street", image, world).error_m == pytest.approx(0.058, abs=0.005)


def test_prompt_asks_pairs_until_a_blank_answer_after_four() -> None:
    answers: Iterator[str] = iter(
        ["0.3,0.2", "0,8", "0.7,0.2", "4,8", "", "0.9,0.9", "4,0", "0.1,0.9", "0,0", ""]
    )
    image, world = prompt_points(lambda _: next(answers))
    assert (len(image), world[-1]) == (4, (0.0, 0.0))


def test_prompt_cut_short_is_a_config_error() -> None:
    def ask(_: str) -> str:
        raise EOFError

    with pytest.raises(ConfigError, match="input ended before 4 point pairs"):
        prompt_points(ask)


def test_calibrate_toml_is_valid_toml() -> None:
    text = calibrate("street", parse_points(IMAGE, "k"), parse_points(WORLD, "k")).toml()
    assert tomllib.loads(text)["ground_plane"]["world_points"] == [[0, 8], [4, 8], [4, 0], [0, 0]]
