"""The demo feed server: the demo world over HTTP on 127.0.0.1, with ETags.

The world advances on a timer (every ``tick_seconds``), so a console polling
it sees new reports and status changes arrive.
"""

from __future__ import annotations

import json
import sys
import threading

from cc_console.demo.render import RENDERERS, cap_document
from cc_console.demo.world import DemoWorld
from cc_console.http_publish import publishing_server
from cc_console.timefmt import utcnow

__all__ = ["INBOX", "DemoServer"]

INBOX = "/piket"  # where the demo's notification route posts


class DemoServer:
    """``with DemoServer() as s: s.url("/laporan.json")``."""

    def __init__(
        self, world: DemoWorld | None = None, *, tick_seconds: float = 4.0, port: int = 0
    ) -> None:
        self.world = world or DemoWorld(now=utcnow())
        self.tick_seconds = tick_seconds
        self._stop = threading.Event()
        self.inbox: list[dict[str, object]] = []  # what the demo's notification route posted
        self.tick_errors = 0
        self.httpd = publishing_server(
            self.render, "127.0.0.1", port, "cc-console-demo", receive=self.receive
        )
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._threads = [
            threading.Thread(target=self.httpd.serve_forever, name="demo-http", daemon=True),
            threading.Thread(target=self._ticker, name="demo-tick", daemon=True),
        ]

    def receive(self, path: str, body: bytes) -> bool:
        """Keep a notification posted to ``/piket`` (the last 200); GET ``/piket`` lists them."""
        if path != INBOX:
            return False
        try:
            message = json.loads(body)
        except ValueError:
            return False
        with self.world.lock:
            self.inbox = [*self.inbox[-199:], message]
        return True

    def render(self, path: str) -> tuple[bytes | None, str]:
        """The body and content type of ``path`` (None when there is none)."""
        with self.world.lock:
            if path == INBOX:
                return json.dumps(self.inbox, ensure_ascii=False, indent=1).encode(), (
                    "application/json"
                )
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
            try:
                self.world.tick(utcnow())
            except Exception as exc:  # logged, and the world keeps moving at the next tick
                self.tick_errors += 1
                try:
                    sys.stderr.write(f"demo: tick failed: {type(exc).__name__}: {exc}\n")
                except (OSError, ValueError):
                    pass

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
