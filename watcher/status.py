"""A camera's live health: the `watcher/<camera>/status` MQTT payload and the TUI's camera row."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from watcher.capture import CaptureStatus
from watcher.clock import Clock
from watcher.errors import SinkError

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


@dataclass(frozen=True, slots=True)
class CameraStatus:
    """What the worker knows of one camera, published whole after each of its rounds."""

    name: str
    capture: CaptureStatus | None
    """The capture thread's state, None when the camera could not start (see `error`)."""
    error: str | None
    """Why the camera cannot start, or why its last frame failed."""
    frames_processed: int
    frames_detected: int
    detect_ms: float = 0.0
    """Mean detector time of the last frames, in milliseconds."""
    motion: float = 0.0
    """Fraction of the frame that moved in the last processed frame."""
    detecting: bool = True


StatusFn = Callable[[], Sequence[CameraStatus]]


class HealthSampler:
    """Turns the daemon's published camera status into `CameraHealth` rows; call from any thread.

    The detect rate is the change of the detected-frame counter between two calls, so call it
    at a steady pace, and give each consumer (TUI, MQTT) its own sampler.
    """

    def __init__(self, status: StatusFn, clock: Clock) -> None:
        self._status = status
        self._clock = clock
        self._last: dict[str, tuple[float, int]] = {}

    def sample(self) -> list[CameraHealth]:
        """One row per configured camera, in config order."""
        now = self._clock.monotonic()
        rows: list[CameraHealth] = []
        for status in self._status():
            common: dict[str, Any] = {
                "detect_fps": self._rate(status.name, now, status.frames_detected),
                "detect_ms": status.detect_ms,
                "motion": 100.0 * status.motion,
                "detecting": status.detecting,
            }
            cap = status.capture
            if cap is None:
                rows.append(CameraHealth(status.name, "error", status.error, **common))
                continue
            # A camera that streams but whose frames fail (a bug in its detector, analyzer or rule)
            # is in error too: its capture state alone would look healthy.
            state, reason = ("error", status.error) if status.error else (cap.state, cap.reason)
            rows.append(
                CameraHealth(status.name, state, reason, cap.fps, dropped=cap.frames_dropped, **common)
            )
        return rows

    def _rate(self, camera: str, now: float, detected: int) -> float:
        before = self._last.get(camera)
        self._last[camera] = (now, detected)
        if before is None or now <= before[0]:
            return 0.0
        return (detected - before[1]) / (now - before[0])


def mean_tail(samples: Sequence[float]) -> float:
    """Mean of the last detector times: enough to smooth one slow inference, few enough to follow
    a change within seconds."""
    tail = samples[-_DETECT_MS_WINDOW:]
    return sum(tail) / len(tail) if tail else 0.0
