"""Test doubles for every seam, shipped so users can test their own rules and configs.

- `FakeClock`: time moves only when told to.
- `HostClock`: the real clock as a host up for a given time at a given wall time (a reboot: a new one).
- `FakeSource`: a camera that plays a scripted list of frames and errors.
- `ScriptedDetector`: replays boxes instead of running a model.
- `FakeSink`: records every event and observation it is given.
- `FakeSender`: a notification service that records messages (and can fail on demand).
- `FakeFeed`: feeds the terminal dashboard scripted updates and records its commands.
"""

from watcher.capture import FakeSource
from watcher.clock import FakeClock, HostClock
from watcher.detect import ScriptedDetector
from watcher.sinks import FakeSink
from watcher.sinks.notify.fake import FakeSender
from watcher.tui.fake import FakeFeed

__all__ = ["FakeClock", "FakeFeed", "FakeSender", "FakeSink", "FakeSource", "HostClock", "ScriptedDetector"]
