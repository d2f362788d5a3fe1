"""`watcher examples`: the crops it cuts from real clips make `watcher classify` vote right."""

from __future__ import annotations

from pathlib import Path

import pytest

from watcher.cli import main
from watcher.resources import demo_clip

DATA = Path(__file__).parent / "data"
BOTTLE = DATA / "bottle-detection.mp4"
WORKER = DATA / "worker-zone-detection.mp4"


def _state_config(tmp_path: Path) -> Path:
    """The left bottle slot of bottle-detection.mp4 as a `state` rule, and a second rule for probes."""
    rules = "".join(
        f'[[rules]]\nname = "{name}"\nkind = "state"\ncamera = "table"\nzone = "slot_left"\n'
        f'when = "empty"\nexamples = "{folder}"\n\n'
        for name, folder in (("slot_left_empty", "refs"), ("probe", "probes"))
    )
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[[cameras]]\nname = "table"\nurl = "{BOTTLE}"\n\n'
        '[[zones]]\ncamera = "table"\nname = "slot_left"\n'
        "points = [[0.067, 0.258], [0.211, 0.258], [0.211, 0.903], [0.067, 0.903]]\n\n"
        f"{rules}[store]\nenabled = false\n"
    )
    return cfg


def _hardhat_config(tmp_path: Path) -> Path:
    rules = "".join(
        f'[[rules]]\nname = "{name}"\nkind = "missing_associate"\ncamera = "site"\n'
        f'item = "hardhat"\nexamples = "{folder}"\n\n'
        for name, folder in (("no_hardhat", "refs"), ("probe", "probes"))
    )
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[[cameras]]\nname = "site"\nurl = "demo"\n\n{rules}[store]\nenabled = false\n')
    return cfg


def _cut(cfg: Path, rule: str, label: str, *args: str) -> None:
    assert main(["examples", rule, "-c", str(cfg), "--label", label, *args]) == 0


def _vote(cfg: Path, rule: str, image: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The label `watcher classify` prints for `image`."""
    capsys.readouterr()
    assert main(["classify", str(image), "--rule", rule, "-c", str(cfg)]) == 0
    return capsys.readouterr().out.split(": ", 1)[1].split(" ", 1)[0]


def test_zone_crops_cut_at_given_times_make_the_state_classifier_vote_right(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _state_config(tmp_path)
    # Truth: the left slot is empty 6.7-12.4 s and 17.4-28.0 s, holds a bottle otherwise.
    _cut(cfg, "slot_left_empty", "full", "--at", "2", "4.4", "15.1", "38.9")
    _cut(cfg, "slot_left_empty", "empty", "--at", "8.7", "10.7", "20.1", "26.1")
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == (
        f"4 crop(s) in {tmp_path / 'refs' / 'empty'}; move any that is not 'empty' to its label, "
        "then check: watcher classify IMAGE --rule slot_left_empty"
    )
    assert sorted(p.name for p in (tmp_path / "refs" / "full").iterdir()) == [
        "table-0002.01s.jpg",
        "table-0004.42s.jpg",
        "table-0015.12s.jpg",
        "table-0038.92s.jpg",
    ]
    _cut(cfg, "probe", "full", "--at", "0.5", "36")
    _cut(cfg, "probe", "empty", "--at", "9.5", "23")
    votes = {
        p.parent.name + "/" + p.name: _vote(cfg, "slot_left_empty", p, capsys)
        for p in sorted((tmp_path / "probes").rglob("*.jpg"))
    }
    assert votes == {
        "empty/table-0009.52s.jpg": "empty",
        "empty/table-0023.03s.jpg": "empty",
        "full/table-0000.50s.jpg": "full",
        "full/table-0036.00s.jpg": "full",
    }


def test_head_bands_cut_from_two_clips_make_the_hardhat_classifier_vote_right(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _hardhat_config(tmp_path)
    _cut(cfg, "no_hardhat", "hardhat", "--video", str(WORKER), "--at", "0.8", "3", "4.4")
    _cut(cfg, "no_hardhat", "no_hardhat", "--video", str(demo_clip()), "--every", "20")
    hardhat = sorted(p.name for p in (tmp_path / "refs" / "hardhat").iterdir())
    assert hardhat == [f"worker-zone-detection-{t}s-p1.jpg" for t in ("0000.80", "0003.00", "0004.41")]
    bare = sorted((tmp_path / "refs" / "no_hardhat").iterdir())
    assert {p.name.split("-p")[0] for p in bare} == {f"demo-00{t}.00s" for t in ("00", "20", "40", "60")}
    _cut(cfg, "probe", "hardhat", "--video", str(WORKER), "--at", "2")
    _cut(cfg, "probe", "no_hardhat", "--video", str(demo_clip()), "--at", "30")
    probes = sorted((tmp_path / "probes").rglob("*.jpg"))
    assert len(probes) >= 3
    assert {p.parent.name for p in probes} == {"hardhat", "no_hardhat"}
    assert all(_vote(cfg, "no_hardhat", p, capsys) == p.parent.name for p in probes)


@pytest.mark.parametrize(
    "order",
    [["slot_left_empty", "--at", "2", "4.4"], ["--at", "2", "4.4", "slot_left_empty"]],
    ids=["rule_first", "rule_after_the_times"],
)
def test_the_rule_may_come_before_or_after_the_times(order: list[str], tmp_path: Path) -> None:
    cfg = _state_config(tmp_path)
    assert main(["examples", "-c", str(cfg), "--label", "full", *order]) == 0
    assert sorted(p.name for p in (tmp_path / "refs" / "full").iterdir()) == [
        "table-0002.01s.jpg",
        "table-0004.42s.jpg",
    ]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--label", "hat", "--at", "1"], "--label: must be 'hardhat' or 'no_hardhat' (got 'hat')"),
        (
            ["--label", "hardhat", "--at", "1", "x", "2"],
            "--at: must be seconds from the start, e.g. --at 2 7.5 (got 'x')",
        ),
        (["--label", "hardhat"], "--at: give the times to cut (--at 2 7.5 12) or an interval (--every 5)"),
        (["--label", "hardhat", "--every", "0"], "--every: must be > 0 (got 0)"),
    ],
)
def test_bad_examples_arguments_are_one_line_errors(
    args: list[str], error: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["examples", "no_hardhat", "-c", str(_hardhat_config(tmp_path)), *args]) == 2
    assert capsys.readouterr().err == f"watcher: {error}\n"


def test_examples_without_a_rule_says_where_to_put_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["examples", "-c", str(_hardhat_config(tmp_path)), "--label", "hardhat", "--at", "1"]) == 2
    assert capsys.readouterr().err == (
        "watcher: RULE: missing: give the rule first: watcher examples RULE --label LABEL --at 2 7.5\n"
    )
