"""Test doubles for every seam, shipped so users can test their own rules and configs.

- `FakeClock`: time moves only when told to.
- `FakeSource`: a camera that plays a scripted list of frames and errors.
- `ScriptedDetector`: replays boxes instead of running a model.
- `FakeSink`: records every event and observation it is given.
"""

from watcher.capture import FakeSource
from watcher.clock import FakeClock
from watcher.detect import ScriptedDetector
from watcher.sinks import FakeSink

__all__ = ["FakeClock", "FakeSink", "FakeSource", "ScriptedDetector"]
