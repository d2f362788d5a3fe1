"""Turns `pip install --dry-run --report` JSON into pinned requirements with OpenCV headless.

watcher (and `trackers`) depend on `opencv-python`, which needs X11/OpenGL libraries a server
image does not have. pip cannot drop one dependency from a resolution, so the Dockerfile resolves
normally, then installs exactly that set with `--no-deps`, `opencv-python` swapped for
`opencv-python-headless` of the same version (both are built from one source, same `cv2` API).

usage: python headless_requirements.py report.json > requirements.txt
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

GUI = "opencv-python"
HEADLESS = "opencv-python-headless"
SKIP = {"watcher"}  # installed from the wheel itself, afterwards


def requirements(report: dict[str, object]) -> list[str]:
    """`name==version` lines for everything the report installs, OpenCV swapped for headless."""
    items = report.get("install")
    if not isinstance(items, list):
        raise ValueError("not a pip installation report (no 'install' list)")
    lines: list[str] = []
    for item in items:
        name, version = str(item["metadata"]["name"]), str(item["metadata"]["version"])
        key = name.lower().replace("_", "-")
        if key in SKIP or key == HEADLESS:
            continue
        lines.append(f"{HEADLESS if key == GUI else name}=={version}")
    if not any(line.startswith(f"{HEADLESS}==") for line in lines):
        raise ValueError(f"the report has no {GUI}; nothing to swap")
    return sorted(lines, key=str.lower)


def main(argv: list[str]) -> int:
    """Print the requirements for the report named in argv[1]."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        lines = requirements(json.loads(Path(argv[1]).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"headless_requirements: {argv[1]}: {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
