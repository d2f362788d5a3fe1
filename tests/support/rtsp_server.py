"""A tiny RTSP server that loops one video clip forever; run it with Debian's /usr/bin/python3 (needs gi).

Usage: rtsp_server.py CLIP PORT [PATH]. Prints "READY rtsp://127.0.0.1:PORT/PATH" when it accepts clients.

The clip is decoded once into memory and pushed through an appsrc with ever-increasing timestamps, so
the stream loops without seeking and every client sees a live H.264 (x264, zerolatency) stream.
"""

from __future__ import annotations

import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def decode_clip(path: str) -> tuple[list[bytes], Gst.Caps, int]:
    """Raw I420 frames of the clip, their caps and the frame duration in nanoseconds."""
    pipeline = Gst.parse_launch(
        f'filesrc location="{path}" ! decodebin ! videoconvert ! video/x-raw,format=I420 '
        "! appsink name=sink sync=false"
    )
    sink = pipeline.get_by_name("sink")
    pipeline.set_state(Gst.State.PLAYING)
    frames: list[bytes] = []
    caps = None
    while True:
        sample = sink.emit("pull-sample")
        if sample is None:
            break
        caps = sample.get_caps()
        buffer = sample.get_buffer()
        frames.append(buffer.extract_dup(0, buffer.get_size()))
    pipeline.set_state(Gst.State.NULL)
    if not frames or caps is None:
        raise SystemExit(f"no frames decoded from {path}")
    structure = caps.get_structure(0)
    ok, num, den = structure.get_fraction("framerate")
    if not ok or num == 0:
        num, den = 10, 1
    return frames, caps, Gst.util_uint64_scale(Gst.SECOND, den, num)


class LoopingFactory(GstRtspServer.RTSPMediaFactory):
    """Serves the in-memory frames in a loop to each client."""

    def __init__(self, frames: list[bytes], caps: Gst.Caps, duration: int) -> None:
        super().__init__()
        self.frames = frames
        self.caps = caps
        self.duration = duration
        self.set_launch(
            "( appsrc name=src is-live=true format=time do-timestamp=false ! videoconvert "
            "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 "
            "! rtph264pay name=pay0 pt=96 config-interval=1 )"
        )
        self.connect("media-configure", self.on_media_configure)

    def on_media_configure(self, _factory: object, media: GstRtspServer.RTSPMedia) -> None:
        src = media.get_element().get_by_name_recurse_up("src")
        src.set_property("caps", self.caps)
        state = {"n": 0}

        def need_data(appsrc: Gst.Element, _length: int) -> None:
            n = state["n"]
            buffer = Gst.Buffer.new_wrapped(self.frames[n % len(self.frames)])
            buffer.pts = n * self.duration
            buffer.duration = self.duration
            state["n"] = n + 1
            appsrc.emit("push-buffer", buffer)

        src.connect("need-data", need_data)


def main() -> None:
    clip, port = sys.argv[1], sys.argv[2]
    path = sys.argv[3] if len(sys.argv) > 3 else "stream"
    Gst.init(None)
    frames, caps, duration = decode_clip(clip)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    server.get_mount_points().add_factory(f"/{path}", LoopingFactory(frames, caps, duration))
    if server.attach(None) == 0:
        raise SystemExit(f"cannot listen on port {port}")
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    print(f"READY rtsp://127.0.0.1:{port}/{path}", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
