from __future__ import annotations

from pathlib import Path

import pytest

from watcher import config
from watcher.errors import ConfigError

MAIN = """
include = ["rules/kerb.toml"]

[[cameras]]
name = "street"
url = "demo"

[[zones]]
camera = "street"
name = "path"
points = [[0, 0], [1, 0], [1, 1]]
"""
RECIPE = """
[[zones]]
camera = "street"
name = "kerb"
points = [[0.8, 0.1], [1.0, 0.1], [1.0, 0.3], [0.8, 0.3]]

[[rules]]
name = "kerb_count"
kind = "occupancy"
camera = "street"
zone = "kerb"
"""


def write(tmp_path: Path, recipe: str, main: str = MAIN) -> Path:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "kerb.toml").write_text(recipe)
    path = tmp_path / "config.toml"
    path.write_text(main)
    return path


def test_included_zones_and_rules_follow_the_configs_own(tmp_path: Path) -> None:
    cfg = config.load(write(tmp_path, RECIPE))
    assert ([z.name for z in cfg.zones], [r.name for r in cfg.rules]) == (["path", "kerb"], ["kerb_count"])


def test_an_error_in_an_included_rule_names_the_included_file_and_its_index(tmp_path: Path) -> None:
    path = write(tmp_path, RECIPE.replace('zone = "kerb"', 'zone = "kerb"\nfor_s = -1'))
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert str(caught.value) == f"{tmp_path / 'rules' / 'kerb.toml'}: rules[0].for_s: must be >= 0 (got -1)"


def test_an_error_in_the_main_file_still_names_the_main_file(tmp_path: Path) -> None:
    path = write(tmp_path, RECIPE, MAIN.replace("[1, 1]]", "[1, 2]]"))
    with pytest.raises(ConfigError, match=r"config.toml: zones\[0\].points: must be relative"):
        config.load(path)


def test_an_included_file_holds_only_zones_and_rules(tmp_path: Path) -> None:
    path = write(tmp_path, RECIPE + '\n[mqtt]\nhost = "x"\n')
    with pytest.raises(ConfigError, match=r"kerb.toml: mqtt: unknown key \(an included file holds only"):
        config.load(path)


def test_a_missing_included_file_is_an_error_on_its_include_entry(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(MAIN)
    with pytest.raises(ConfigError, match=r"config.toml: include\[0\]: cannot read included file"):
        config.load(path)
