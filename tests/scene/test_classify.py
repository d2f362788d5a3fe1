"""Few-shot kNN: votes, the embedding cache, missing examples, and the real embedder on bottle crops."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import pytest

from watcher import config
from watcher.cli import main
from watcher.detect.embed import Vectors, shared_embedder
from watcher.errors import ConfigError
from watcher.rules.kinds.votes import check_examples
from watcher.scene.classify import UNKNOWN, Examples, FewShot, load_examples
from watcher.types import Image

DATA = Path(__file__).parents[1] / "data"
BOTTLE_EXAMPLES = DATA / "examples" / "bottle_left"
SLOT_LEFT = (slice(92, 325), slice(42, 135))  # rows, columns of the slot_left zone box


class CountingEmbedder:
    """Embeds a crop as its normalised mean BGR colour and counts the crops it was given."""

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, crops: Sequence[Image]) -> Vectors:
        self.calls += len(crops)
        means = np.array([c.reshape(-1, 3).mean(axis=0) + 1.0 for c in crops], dtype=np.float32)
        vectors: Vectors = means / np.linalg.norm(means, axis=1, keepdims=True)
        return vectors


def _unit(*v: float) -> Vectors:
    a = np.array(v, dtype=np.float32)
    out: Vectors = a / np.linalg.norm(a)
    return out


EXAMPLES = Examples(
    np.stack([_unit(1, 0, 0), _unit(1, 0.2, 0), _unit(0, 1, 0), _unit(0.2, 1, 0)]),
    ("open", "open", "closed", "closed"),
)


@pytest.mark.parametrize(
    ("vector", "k", "label"),
    [(_unit(1, 0.1, 0), 1, "open"), (_unit(0.1, 1, 0), 3, "closed"), (_unit(1, 0.9, 0), 3, "open")],
)
def test_vote_is_the_similarity_weighted_majority_of_k_nearest(vector: Vectors, k: int, label: str) -> None:
    assert FewShot(EXAMPLES, CountingEmbedder(), k=k).vote(vector).label == label  # type: ignore[arg-type]


def test_vote_below_min_similarity_is_unknown() -> None:
    vote = FewShot(EXAMPLES, CountingEmbedder(), k=1, min_similarity=0.5).vote(_unit(0, 0, 1))  # type: ignore[arg-type]
    assert (vote.label, vote.share) == (UNKNOWN, 0.0)


def _write(folder: Path, label: str, name: str, colour: tuple[int, int, int]) -> Path:
    (folder / label).mkdir(parents=True, exist_ok=True)
    path = folder / label / name
    cv2.imwrite(str(path), np.full((20, 20, 3), colour, np.uint8))
    return path


def test_examples_are_embedded_once_and_then_read_from_the_cache_by_file_hash(tmp_path: Path) -> None:
    folder = tmp_path / "examples"
    _write(folder, "open", "a.png", (200, 10, 10))
    _write(folder, "closed", "b.png", (10, 200, 10))
    first, second = CountingEmbedder(), CountingEmbedder()
    load_examples(folder, first, need=["open"], key="k", cache=tmp_path / "cache")  # type: ignore[arg-type]
    _write(folder, "closed", "b.png", (10, 10, 200))  # changed content: new hash
    loaded = load_examples(folder, second, need=["open"], key="k", cache=tmp_path / "cache")  # type: ignore[arg-type]
    assert (first.calls, second.calls, loaded.labels) == (2, 1, ("closed", "open"))


def test_missing_label_folder_is_a_config_error_that_says_how_to_add_images(tmp_path: Path) -> None:
    _write(tmp_path, "closed", "b.png", (10, 200, 10))
    with pytest.raises(ConfigError) as error:
        load_examples(tmp_path, CountingEmbedder(), need=["open"], key="rules[0].examples")  # type: ignore[arg-type]
    message = str(error.value)
    assert message.startswith("rules[0].examples: no reference images for open in ")
    assert "`watcher examples RULE --label LABEL" in message
    assert str(tmp_path / "open") in message


@pytest.mark.parametrize(("frame", "label"), [(180, "full"), (290, "empty"), (700, "empty"), (1000, "full")])
def test_real_embedder_tells_a_full_slot_from_an_empty_one_on_unseen_frames(
    frame: int, label: str, tmp_path: Path
) -> None:
    examples = load_examples(BOTTLE_EXAMPLES, shared_embedder(), need=["empty"], key="k", cache=tmp_path)
    capture = cv2.VideoCapture(str(DATA / "bottle-detection.mp4"))
    capture.set(cv2.CAP_PROP_POS_FRAMES, frame)
    ok, image = capture.read()
    assert ok
    vote = FewShot(examples, shared_embedder(), k=3).classify(image[SLOT_LEFT])
    assert (vote.label, vote.share) == (label, 1.0)


CLIP = DATA / "bottle-detection.mp4"

CONFIG = """
[[cameras]]
name = "table"
url = "{clip}"

[[zones]]
camera = "table"
name = "slot"
points = [[0.067, 0.258], [0.211, 0.258], [0.211, 0.903], [0.067, 0.903]]

[[rules]]
name = "slot_empty"
kind = "state"
camera = "table"
zone = "slot"
when = "empty"
{examples}
[store]
enabled = false
"""


def test_check_config_without_reference_images_fails_with_how_to_add_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "config.toml").write_text(CONFIG.format(clip=CLIP, examples=""))
    assert main(["check-config", "-c", str(tmp_path / "config.toml")]) == 2
    err = capsys.readouterr().err
    assert "rules[0].examples: no reference images for empty in" in err
    assert "rules/examples/slot_empty/empty/" in err
    assert "`watcher examples RULE --label LABEL" in err
    assert len(err.strip().splitlines()) == 1


def test_classify_command_prints_the_vote_of_the_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "config.toml").write_text(
        CONFIG.format(clip=CLIP, examples=f'examples = "{BOTTLE_EXAMPLES}"')
    )
    image = BOTTLE_EXAMPLES / "empty" / "frame0320.jpg"
    assert main(["classify", "--rule", "slot_empty", str(image), "-c", str(tmp_path / "config.toml")]) == 0
    assert capsys.readouterr().out == f"{image}: empty (share 1.00, nearest similarity 1.000)\n"


@pytest.mark.parametrize(("recipe", "ok"), [("hardhat_missing.toml", True), ("gate_left_open.toml", False)])
def test_shipped_recipes_have_reference_images_unless_they_must_come_from_your_camera(
    recipe: str, ok: bool
) -> None:
    repo = DATA.parents[1]
    cfg = config.loads('[[cameras]]\nname = "front"\nurl = "demo"\n' + (repo / "rules" / recipe).read_text())
    if ok:
        check_examples(cfg, repo, recipe)
    else:
        with pytest.raises(ConfigError, match=r"rules\[0\]\.examples: no reference images for open in "):
            check_examples(cfg, repo, recipe)
