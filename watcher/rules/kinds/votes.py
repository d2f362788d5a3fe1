"""Few-shot votes into observations: zone crops (`state`) and person crops (`missing_associate`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import cv2
import numpy as np

from watcher.config import CameraConfig, Config
from watcher.detect import Detector, load_detector
from watcher.detect.embed import shared_embedder
from watcher.errors import ConfigError, ModelError
from watcher.rules.kinds.filters import matching_tracks
from watcher.rules.kinds.missing_associate import PERSON, PersonVotes, missing_label
from watcher.rules.kinds.persons import Persons
from watcher.rules.kinds.state import ZONE_VOTE
from watcher.rules.spec import MissingAssociateRule, StateRule
from watcher.scene.classify import Examples, FewShot, example_images, how_to_add, load_examples
from watcher.types import Box, Frame, Image, Observation, Track, Vote, Votes

R = TypeVar("R", StateRule, MissingAssociateRule)


def zone_box(points: Sequence[tuple[float, float]], frame_size: tuple[int, int]) -> tuple[int, int, int, int]:
    """Pixel bounding box (x1, y1, x2, y2) of a relative polygon: what `state` classifies."""
    w, h = frame_size
    xs = [min(max(x, 0.0), 1.0) * w for x, _ in points]
    ys = [min(max(y, 0.0), 1.0) * h for _, y in points]
    return (
        int(min(xs)),
        int(min(ys)),
        max(int(min(xs)) + 1, round(max(xs))),
        max(int(min(ys)) + 1, round(max(ys))),
    )


def _with_votes(obs: Observation, rule: str, votes: Mapping[int, Vote]) -> Observation:
    return replace(obs, facts={**obs.facts, rule: Votes(dict(votes))})


class StateAnalyzer:
    """Classifies the zone crop of one `state` rule every `check_every_s`; the last vote carries over."""

    def __init__(self, rule: StateRule, points: Sequence[tuple[float, float]], classifier: FewShot) -> None:
        self._rule = rule
        self._points = tuple(points)
        self._classifier = classifier
        self._vote: Vote | None = None
        self._checked: float | None = None

    def analyze(self, frame: Frame, obs: Observation) -> Observation:
        """Add this rule's zone vote (key `ZONE_VOTE`) to the observation."""
        t = frame.timestamp
        if self._checked is None or t - self._checked >= self._rule.check_every_s - 1e-6:
            x1, y1, x2, y2 = zone_box(self._points, frame.size)
            self._vote = self._classifier.classify(frame.image[y1:y2, x1:x2])
            self._checked = t
        assert self._vote is not None
        return _with_votes(obs, self._rule.name, {ZONE_VOTE: self._vote})


def band_box(box: Box, band: tuple[float, float]) -> Box:
    """The horizontal band of a person box where the item belongs (0 = top, 1 = bottom)."""
    x1, y1, x2, y2 = box
    h = y2 - y1
    return x1, y1 + band[0] * h, x2, y1 + band[1] * h


def crop_box(image: Image, box: Box) -> Image:
    """The pixels of `box` (frame pixels, clamped to the image, at least 1x1)."""
    h, w = image.shape[:2]
    x1, y1 = max(0, int(box[0])), max(0, int(box[1]))
    x2, y2 = min(w, max(x1 + 1, round(box[2]))), min(h, max(y1 + 1, round(box[3])))
    crop: Image = image[y1:y2, x1:x2]
    return crop


class MissingAssociateAnalyzer:
    """Votes `<item>` / `no_<item>` for each person in the zone of one `missing_associate` rule.

    With an item detector, a person has the item when an item box centre lies in the person's band;
    without one, the band crop (the head, for the default band) is classified by the few-shot
    examples. Votes belong to persons (`Persons`: one across track breaks) and are smoothed over
    their recent frames; a person flagged `no_<item>` keeps it until another vote has held for
    `persons.CLEAR_HOLD_S`. A person's band is looked at again only while their vote is unsettled
    or their box changed, and the item detector runs only on frames where some person needs it.
    """

    def __init__(
        self,
        rule: MissingAssociateRule,
        *,
        detector: Detector | None = None,
        classifier: FewShot | None = None,
    ) -> None:
        self._rule = rule
        self._detector = detector
        self._classifier = classifier
        self._persons = Persons(relink_s=rule.clear_s, sticky=missing_label(rule.item))

    def analyze(self, frame: Frame, obs: Observation) -> Observation:
        """Add each person track's vote (`Persons.votes`) by track id, with its person (`PersonVotes`)."""
        self._persons.update(obs.time, [t for t in obs.tracks if t.label == PERSON])
        # Only the persons the rule reads (zone, min_score, min_area) cost a look.
        persons = matching_tracks(self._rule, obs, classes=(PERSON,))
        due = [t for t in persons if self._persons.needs_vote(t, obs.time)]
        if due:
            if self._detector is not None:
                votes = self._by_geometry(frame.image, due, self._detector)
            else:
                assert self._classifier is not None
                crops = [crop_box(frame.image, band_box(t.box, self._rule.band)) for t in due]
                found = self._classifier.classify_many(crops)
                votes = {t.track_id: vote for t, vote in zip(due, found, strict=True)}
            for track in due:
                self._persons.add_vote(track, votes[track.track_id], obs.time)
        by_track = self._persons.votes(persons)
        smoothed = {tid: p.vote for tid, p in by_track.items() if p.vote is not None}
        return replace(obs, facts={**obs.facts, self._rule.name: PersonVotes(smoothed, persons=by_track)})

    def _by_geometry(self, image: Image, persons: Sequence[Track], detector: Detector) -> dict[int, Vote]:
        detections = detector.detect(image)
        names = np.asarray(detections.data.get("class_name", []))
        items = detections.xyxy[names == self._rule.item] if len(names) else np.zeros((0, 4))
        confidence = detections.confidence if detections.confidence is not None else np.ones(len(names))
        scores = confidence[names == self._rule.item] if len(names) else np.zeros(0)
        centres = np.column_stack([(items[:, 0] + items[:, 2]) / 2, (items[:, 1] + items[:, 3]) / 2])
        votes: dict[int, Vote] = {}
        for person in persons:
            x1, y1, x2, y2 = band_box(person.box, self._rule.band)
            inside = (
                (centres[:, 0] >= x1) & (centres[:, 0] <= x2) & (centres[:, 1] >= y1) & (centres[:, 1] <= y2)
            )
            if inside.any():
                votes[person.track_id] = Vote(self._rule.item, 1.0, float(scores[inside].max()))
            else:
                votes[person.track_id] = Vote(missing_label(self._rule.item), 1.0, 0.0)
        return votes


def example_folder(examples: str | None, rule: str, base_dir: Path | None) -> Path:
    """A rule's reference-image folder: `examples`, else rules/examples/<rule>, relative to the config."""
    folder = Path(examples) if examples else Path("rules") / "examples" / rule
    return folder if folder.is_absolute() else (base_dir or Path.cwd()) / folder


def state_analyzers(camera: CameraConfig, config: Config, base_dir: Path | None) -> list[StateAnalyzer]:
    """One zone-crop classifier per `state` rule of `camera`; ConfigError without examples."""
    zones = {z.name: z.points for z in config.zones if z.camera == camera.name}
    analyzers: list[StateAnalyzer] = []
    for i, rule in _rules_of(camera, config, StateRule):
        examples = _examples(rule.examples, rule.name, base_dir, [rule.when], f"rules[{i}].examples")
        classifier = FewShot(examples, shared_embedder(), rule.k, rule.min_similarity)
        analyzers.append(StateAnalyzer(rule, zones[rule.zone], classifier))
    return analyzers


def missing_associate_analyzers(
    camera: CameraConfig, config: Config, base_dir: Path | None
) -> list[MissingAssociateAnalyzer]:
    """One per-person vote per `missing_associate` rule of `camera`; ConfigError without examples or model."""
    return [
        _missing_associate(rule, i, config, base_dir)
        for i, rule in _rules_of(camera, config, MissingAssociateRule)
    ]


def _rules_of(camera: CameraConfig, config: Config, spec: type[R]) -> list[tuple[int, R]]:
    """The enabled rules of `camera` of one spec class, with their index in `config.rules`."""
    return [
        (i, rule)
        for i, rule in enumerate(config.rules)
        if isinstance(rule, spec) and rule.camera == camera.name and rule.enabled
    ]


def _missing_associate(
    rule: MissingAssociateRule, i: int, config: Config, base_dir: Path | None
) -> MissingAssociateAnalyzer:
    if rule.item_model is not None:
        try:
            # The item model inherits the camera's own detector settings (threads, thresholds).
            own = config.detector_for(config.camera(rule.camera))
            detector = load_detector(
                own.model_copy(update={"model": rule.item_model, "classes": [rule.item]}), base_dir
            )
        except ModelError as exc:
            raise ConfigError(str(exc), key=f"rules[{i}].item_model") from None
        if rule.item not in detector.labels:
            have = ", ".join(detector.labels[:8])
            raise ConfigError(f"model has no class {rule.item!r} (has: {have})", key=f"rules[{i}].item")
        return MissingAssociateAnalyzer(rule, detector=detector)
    labels = [rule.item, missing_label(rule.item)]
    examples = _examples(rule.examples, rule.name, base_dir, labels, f"rules[{i}].examples")
    return MissingAssociateAnalyzer(rule, classifier=FewShot(examples, shared_embedder(), k=3))


def _examples(examples: str | None, rule: str, base_dir: Path | None, need: list[str], key: str) -> Examples:
    return load_examples(example_folder(examples, rule, base_dir), shared_embedder(), need=need, key=key)


def check_examples(config: Config, base_dir: Path | None, file: str) -> None:
    """ConfigError for a classifier rule whose reference-image folder lacks a label it needs."""
    for i, rule in enumerate(config.rules):
        if isinstance(rule, StateRule):
            need = [rule.when]
        elif isinstance(rule, MissingAssociateRule) and rule.item_model is None:
            need = [rule.item, missing_label(rule.item)]
        else:
            continue
        folder = example_folder(rule.examples, rule.name, base_dir)
        found = example_images(folder)
        missing = [label for label in need if label not in found]
        if missing or len(found) < 2:
            labels = need if missing else [*need, "<other_label>"]
            raise ConfigError(
                f"no reference images for {', '.join(missing) or 'a second label'} in {folder}; "
                f"{how_to_add(folder, labels)}",
                file=file,
                key=f"rules[{i}].examples",
            )


def classify_file(config: Config, base_dir: Path | None, rule_name: str, image: Path) -> Vote:
    """The vote of rule `rule_name`'s classifier on an image file (`watcher classify`)."""
    rules = {r.name: (i, r) for i, r in enumerate(config.rules)}
    if rule_name not in rules:
        raise ConfigError(f"unknown rule {rule_name!r} (have: {', '.join(rules) or 'none'})", key="--rule")
    i, rule = rules[rule_name]
    if isinstance(rule, StateRule):
        need, k, floor = [rule.when], rule.k, rule.min_similarity
    elif isinstance(rule, MissingAssociateRule) and rule.item_model is None:
        need, k, floor = [rule.item, missing_label(rule.item)], 3, 0.0
    else:
        raise ConfigError(f"rule {rule_name!r} has no few-shot classifier", key="--rule")
    pixels = cv2.imread(str(image), cv2.IMREAD_COLOR)
    if pixels is None:
        raise ConfigError(f"cannot read image {image}", key="IMAGE")
    examples = _examples(rule.examples, rule.name, base_dir, need, f"rules[{i}].examples")
    return FewShot(examples, shared_embedder(), k, floor).classify(np.asarray(pixels, dtype=np.uint8))
