"""The models folder, its manifest and `list_models`."""

from __future__ import annotations

from pathlib import Path

import watcher
from watcher.detect import list_models, models_dir


def test_models_dir_is_the_repository_models_folder_in_an_editable_install() -> None:
    assert models_dir() == Path(watcher.__file__).parents[1] / "models"


def test_list_models_describes_both_shipped_models() -> None:
    infos = {info.name: info for info in list_models()}
    assert sorted(infos) == ["ssd_mobilenet_v2", "yolov8n"]
    yolo, ssd = infos["yolov8n"], infos["ssd_mobilenet_v2"]
    assert (yolo.layout, yolo.license, yolo.input_size, yolo.class_count) == ("yolo", "AGPL-3.0", 320, 80)
    assert (ssd.layout, ssd.license, ssd.input_size, ssd.class_count) == ("ssd", "Apache-2.0", 300, 80)
    assert yolo.first_classes[:3] == ("person", "bicycle", "car")


def test_shipped_model_files_are_present_valid_and_match_their_sha256() -> None:
    assert all(info.present and info.valid and info.sha256_matches for info in list_models())


def test_a_model_missing_from_the_folder_is_listed_as_not_present(tmp_path: Path) -> None:
    (tmp_path / "manifest.toml").write_text((models_dir() / "manifest.toml").read_text())
    infos = list_models(tmp_path)
    assert [(i.present, i.valid, i.sha256_matches) for i in infos] == [(False, False, False)] * 2
