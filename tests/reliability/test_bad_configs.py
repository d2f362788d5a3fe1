"""The malformed-config corpus: every file gives exactly its one-line error and exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.make_bad_configs import CASES, CORPUS, UNSET_ENV, expected_line
from watcher.cli import main

FILES = sorted(CORPUS.glob("*.toml"))
# A few of each family through a real process: the console entry point, stderr, exit code.
SUBPROCESS_CASES = [
    "toml_binary_junk",
    "cameras_as_table",
    "camera_url_env_unset",
    "zone_point_one_number",
    "rule_unknown_kind",
    "detector_model_missing_file",
]


@pytest.fixture(autouse=True)
def _in_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    for name in UNSET_ENV:
        monkeypatch.delenv(name, raising=False)


def _expected(path: Path) -> str:
    return path.with_suffix(".expected").read_text(encoding="utf-8").replace("{dir}", str(CORPUS))


def test_corpus_has_at_least_100_configs() -> None:
    assert len(FILES) == len(CASES) >= 100


def test_corpus_on_disk_matches_the_table() -> None:
    on_disk = {p.stem: (p.read_text(encoding="utf-8"), _expected(p)) for p in FILES}
    table = {
        name: (text, expected_line(name, message).replace("{dir}", str(CORPUS)) + "\n")
        for name, text, message in CASES
    }
    assert on_disk == table, "run: python -m tests.reliability.make_bad_configs"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_check_config_prints_the_one_line_error_and_exits_2(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check-config", "-c", path.name])
    out, err = capsys.readouterr()
    assert (code, out, err) == (2, "", _expected(path))


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_watcher_process_prints_the_one_line_error_and_exits_2(name: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "watcher", "check-config", "-c", f"{name}.toml"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (2, "", _expected(CORPUS / f"{name}.toml"))
