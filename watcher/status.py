"""A camera's live health: the `watcher/<camera>/status` MQTT payload and the TUI's camera row."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from watcher.errors import SinkError

if TYPE_CHECKING:
    from watcher.clock import Clock
    from watcher.daemon import Daemon

# Enough samples to smooth one slow inference, few enough to follow a change within seconds.
_DETECT_MS_WINDOW = 20


@dataclass(frozen=True, slots=True)
class CameraHealth:
    """What a camera is doing now; JSON `{state, reason, fps, detect_fps, detect_ms, motion, dropped,
    detecting}`, retained on `<prefix>/<camera>/status`."""

    camera: str
    state: str
    """Capture state: starting, streaming, reconnecting, ended or error."""
    reason: str | None = None
    fps: float = 0.0
    """Frames per second read from the source."""
    detect_fps: float = 0.0
    """Frames per second sent through the detector."""
    detect_ms: float = 0.0
    """Mean detector time of the last frames, in milliseconds."""
    motion: float = 0.0
    """Percentage of the (downscaled) frame that moved in the last processed frame."""
    dropped: int = 0
    """Frames the capture thread dropped because a newer one arrived first."""
    detecting: bool = True
    """False while detection is paused (`watcher/<camera>/detect/set` OFF)."""

    def to_json(self) -> str:
        """The MQTT payload (the camera is in the topic, not in the payload); rounded for stable output."""
        return json.dumps(
            {
                "state": self.state,
                "reason": self.reason,
                "fps": round(self.fps, 1),
                "detect_fps": round(self.detect_fps, 1),
                "detect_ms": round(self.detect_ms, 1),
                "motion": round(self.motion, 1),
                "dropped": self.dropped,
                "detecting": self.detecting,
            }
        )

    @classmethod
    def from_json(cls, camera: str, payload: str | bytes) -> CameraHealth:
        """Parse a status payload; `SinkError` naming the camera when it is not one."""
        try:
            data = json.loads(payload)
            if not isinstance(data, Mapping):
                raise TypeError(f"expected a JSON object, got {type(data).__name__}")
            return cls(
                camera=camera,
                state=str(data["state"]),
                reason=None if data.get("reason") is None else str(data["reason"]),
                fps=float(data.get("fps", 0.0)),
                detect_fps=float(data.get("detect_fps", 0.0)),
                detect_ms=float(data.get("detect_ms", 0.0)),
                motion=float(data.get("motion", 0.0)),
                dropped=int(data.get("dropped", 0)),
                detecting=bool(data.get("detecting", True)),
            )
        except (ValueError, TypeError, KeyError) as exc:
            raise SinkError("mqtt", f"camera {camera}: bad status payload: {exc}") from None


class HealthSampler:
    """Turns `Daemon.status()` and pipeline timings into `CameraHealth` rows; call from any thread.

    The detect rate is the change of the detected-frame counter between two calls, so call it
    at a steady pace, and give each consumer (TUI, MQTT) its own sampler.
    """

    def __init__(self, daemon: Daemon, clock: Clock) -> None:
        self._daemon = daemon
        self._clock = clock
        self._last: dict[str, tuple[float, int]] = {}

    def sample(self) -> list[CameraHealth]:
        """One row per configured camera, in config order."""
        now = self._clock.monotonic()
        rows: list[CameraHealth] = []
        for status in self._daemon.status():
            pipeline = self._daemon.pipelines[status.name]
            detect_fps = self._rate(status.name, now, status.frames_detected)
            obs = self._daemon.last_observation.get(status.name)
            common: dict[str, Any] = {
                "detect_fps": detect_fps,
                "detect_ms": _mean_tail(pipeline.times.samples.get("detect", ())),
                "motion": 100.0 * obs.motion if obs is not None else 0.0,
                "detecting": not pipeline.paused,
            }
            cap = status.capture
            if cap is None:
                rows.append(CameraHealth(status.name, "error", status.error, **common))
            elif status.error is not None:  # it streams, but its frames fail
                rows.append(
                    CameraHealth(
                        status.name, "error", status.error, cap.fps, dropped=cap.frames_dropped, **common
                    )
                )
            else:
                rows.append(
                    CameraHealth(
                        status.name, cap.state, cap.reason, cap.fps, dropped=cap.frames_dropped, **common
                    )
                )
        return rows

    def _rate(self, camera: str, now: float, detected: int) -> float:
        before = self._last.get(camera)
        self._last[camera] = (now, detected)
        if before is None or now <= before[0]:
            return 0.0
        return (detected - before[1]) / (now - before[0])


def _mean_tail(samples: Sequence[float]) -> float:
    # Copy first: the worker thread appends to (and trims) this list while we read it.
    tail = list(samples[-_DETECT_MS_WINDOW:])
    return sum(tail) / len(tail) if tail else 0.0
