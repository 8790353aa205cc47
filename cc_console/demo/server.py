"""The demo feed server: the demo world over HTTP on 127.0.0.1, with ETags.

The world advances on a timer (every ``tick_seconds``), so a console polling
it sees new reports and status changes arrive.
"""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cc_console.demo.render import RENDERERS, cap_document
from cc_console.demo.world import DemoWorld
from cc_console.timefmt import utcnow

__all__ = ["DemoServer"]


class DemoServer:
    """``with DemoServer() as s: s.url("/laporan.json")``."""

    def __init__(
        self, world: DemoWorld | None = None, *, tick_seconds: float = 4.0, port: int = 0
    ) -> None:
        self.world = world or DemoWorld(now=utcnow())
        self.tick_seconds = tick_seconds
        self._stop = threading.Event()
        demo = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "cc-console-demo"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                body, ctype = demo.render(path)
                if body is None:
                    self._send(404, b"not found", "text/plain")
                    return
                tag = '"' + hashlib.sha1(body).hexdigest() + '"'
                if self.headers.get("If-None-Match") == tag:
                    self._send(304, b"", ctype, tag)
                    return
                self._send(200, body, ctype, tag)

            def _send(self, status: int, body: bytes, ctype: str, tag: str | None = None) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)) if status != 304 else "0")
                    if tag:
                        self.send_header("ETag", tag)
                    self.end_headers()
                    if status != 304:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._threads = [
            threading.Thread(target=self.httpd.serve_forever, name="demo-http", daemon=True),
            threading.Thread(target=self._ticker, name="demo-tick", daemon=True),
        ]

    def render(self, path: str) -> tuple[bytes | None, str]:
        """The body and content type of ``path`` (None when there is none)."""
        with self.world.lock:
            if path.startswith("/cap/") and path.endswith(".xml"):
                return cap_document(self.world, path[5:-4]), "application/cap+xml"
            if path in RENDERERS:
                ctype, fn = RENDERERS[path]
                return fn(self.world, self.base), ctype
        return None, "text/plain"

    def url(self, path: str) -> str:
        """The full URL of ``path`` on this server."""
        return self.base + path

    def _ticker(self) -> None:
        while not self._stop.wait(self.tick_seconds):
            self.world.tick(utcnow())

    def start(self) -> DemoServer:
        """Serve in background threads."""
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        """Stop serving and ticking."""
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
