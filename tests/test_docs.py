"""The configuration reference is generated from the config models and must stay current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from watcher import docgen


def test_configuration_reference_matches_the_config_models(repo_root: Path) -> None:
    doc = repo_root / docgen.DOC
    current = doc.read_text(encoding="utf-8") if doc.exists() else ""
    up_to_date = current == docgen.render()  # a bool, so the failure shows the command, not a diff
    assert up_to_date, f"{docgen.DOC} is out of date with the config models; run `{docgen.REGENERATE}`"


@pytest.mark.parametrize(
    "row",
    [
        '| `node_id` | string | `"watcher"` |',
        "| `detect_fps` | float | `5.0` | Frames per second sent to the detector. (> 0) |",
        "| `name` | string | **required** |",
        "| `realtime` | boolean (optional) | unset |",
        '| `level` | "DEBUG" \\| "INFO" \\| "WARNING" \\| "ERROR" | `"INFO"` |',
    ],
)
def test_configuration_reference_rows_show_key_type_default_and_description(row: str) -> None:
    assert row in docgen.render()


@pytest.mark.parametrize(
    "heading",
    [
        "## `[[cameras]]`",
        "## `[cameras.motion]`",
        "## `[[rules]]`",
        '### `kind = "presence"`',
        "## `[notify.<name>]`",
        "## `[[rules.schedule]]`",
    ],
)
def test_configuration_reference_has_a_section_per_table(heading: str) -> None:
    assert f"\n{heading}\n" in docgen.render()


def test_docgen_check_fails_with_the_regenerate_command_when_stale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "configuration.md"
    stale.write_text("# old\n", encoding="utf-8")
    assert docgen.main(["--check", str(stale)]) == 1
    assert (
        capsys.readouterr().err == f"{stale} is out of date; regenerate it with `python -m watcher.docgen`\n"
    )


def test_docgen_writes_a_file_that_then_passes_the_check(tmp_path: Path) -> None:
    out = tmp_path / "docs" / "configuration.md"
    assert docgen.main([str(out)]) == 0
    assert docgen.main(["--check", str(out)]) == 0


QUICK_START = (
    'pip install -c constraints.txt -e ".[test]" && watcher run',
    'pip install -c constraints.txt -e ".[test]" && python -m pytest -q',
)


@pytest.mark.parametrize("command", QUICK_START)
def test_readme_quick_start_has_the_command(repo_root: Path, command: str) -> None:
    assert f"\n{command}" in (repo_root / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", ["README.md", "deploy/README.md"])
def test_relative_links_of_the_page_point_to_files_that_exist(repo_root: Path, page: str) -> None:
    path = repo_root / page
    targets = re.findall(r"\]\(([^)\s]+)\)", path.read_text(encoding="utf-8"))
    local = [t.split("#")[0] for t in targets if not t.startswith(("http://", "https://", "#"))]
    assert local, f"{page} links to no file"
    assert [t for t in local if not (path.parent / t).exists()] == []
