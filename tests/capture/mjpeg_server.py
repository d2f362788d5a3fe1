"""A minimal HTTP MJPEG camera (multipart/x-mixed-replace) on a thread, serving a clip's frames in a loop."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cv2

BOUNDARY = "frame"


def jpeg_frames(clip: Path) -> list[bytes]:
    """Every frame of the clip as JPEG bytes."""
    capture = cv2.VideoCapture(str(clip))
    frames = []
    while True:
        ok, image = capture.read()
        if not ok:
            break
        frames.append(cv2.imencode(".jpg", image)[1].tobytes())
    capture.release()
    return frames


class MjpegServer:
    """Serves the clip at http://127.0.0.1:port/video.mjpg at `fps` until closed."""

    def __init__(self, clip: Path, fps: float = 20.0) -> None:
        frames = jpeg_frames(clip)
        stopping = threading.Event()
        self._stopping = stopping

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
                self.end_headers()
                n = 0
                try:
                    while not stopping.is_set():
                        jpeg = frames[n % len(frames)]
                        head = (
                            f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
                        )
                        self.wfile.write(head.encode() + jpeg + b"\r\n")
                        n += 1
                        time.sleep(1 / fps)
                except (BrokenPipeError, ConnectionResetError):
                    return

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/video.mjpg"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop serving and drop every client."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
