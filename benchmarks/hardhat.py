"""Hardhat (`missing_associate`) on clips no shipped crop came from: starts per person, and speed (#18).

Run: .venv/bin/python benchmarks/hardhat.py [MEDIA] > benchmarks/results/hardhat.json
MEDIA is ../shared/media by default. The shipped crops (rules/examples/hardhat_missing) come from
worker-zone-detection (hardhat), people-detection and person-bicycle-car-detection (no hardhat):
vtest, where every person is bare-headed, is held out. Speed: vtest replayed with and without the
rule, alternating, three times each, in one process; the ratios are of the best of each, in CPU
seconds of the process (steadier than wall time on a shared machine) and in wall seconds.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

from watcher import config
from watcher.detect import load_detector
from watcher.replay import replay
from watcher.rules.kinds.persons import Persons, PersonVote

ROOT = Path(__file__).resolve().parent.parent
RULE = f"""
[[rules]]
name = "hardhat_missing"
kind = "missing_associate"
camera = "cam"
item = "hardhat"
examples = "{ROOT / "rules" / "examples" / "hardhat_missing"}"
for_s = 2
clear_s = 2
"""


def _config(video: Path, rule: bool) -> config.Config:
    text = f'[[cameras]]\nname = "cam"\nurl = "{video}"\n\n[store]\nenabled = false\n'
    return config.loads(text + (RULE if rule else ""))


def main() -> None:
    media = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "media"
    detector = load_detector(config.DetectorConfig())
    # Persons as the rule sees them: frames each was in view (to count the people on the clip),
    # and which person each track was (to tell the persons the rule flagged).
    frames: Counter[int] = Counter()
    person_of: dict[int, int] = {}
    votes = Persons.votes

    def counted(self: Persons, tracks: object) -> dict[int, PersonVote]:
        out = dict(votes(self, tracks))  # type: ignore[arg-type]
        frames.update(p.person for p in out.values())
        person_of.update((track, p.person) for track, p in out.items())
        return out

    Persons.votes = counted  # type: ignore[method-assign]
    result: dict[str, object] = {}
    for clip in ("vtest.mp4", "worker-zone-detection.mp4"):
        frames.clear()
        person_of.clear()
        cfg = _config(media / clip, rule=True)
        run = replay(media / clip, cfg, "cam", detector, None, progress=False)
        starts = [e for e in run.events if str(e.type) == "start"]
        persons = {p for p, n in frames.items() if n >= 10}
        flagged = {person_of[e.objects[0].track_id] for e in starts}
        result[clip] = {
            "frames_processed": run.frames_processed,
            "person_tracks": len(person_of),
            "persons_seen_10_frames": len(persons),
            "persons_flagged": len(flagged & persons),
            "starts": len(starts),
            "events": len(run.events),
        }
    Persons.votes = votes  # type: ignore[method-assign]
    cpu: dict[bool, list[float]] = {False: [], True: []}
    wall: dict[bool, list[float]] = {False: [], True: []}
    for rule in (False, True) * 3:
        began, began_cpu = time.perf_counter(), time.process_time()
        replay(media / "vtest.mp4", _config(media / "vtest.mp4", rule), "cam", detector, None, progress=False)
        cpu[rule].append(round(time.process_time() - began_cpu, 2))
        wall[rule].append(round(time.perf_counter() - began, 2))
    result["vtest_cpu_seconds"] = {"without_rule": cpu[False], "with_rule": cpu[True]}
    result["vtest_wall_seconds"] = {"without_rule": wall[False], "with_rule": wall[True]}
    result["speed_ratio_cpu"] = round(min(cpu[False]) / min(cpu[True]), 3)
    result["speed_ratio_wall"] = round(min(wall[False]) / min(wall[True]), 3)
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
