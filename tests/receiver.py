"""A real notification receiver on 127.0.0.1: what Apprise's ``json://`` URLs post to.

It answers each POST with ``status`` (after ``delay`` seconds) and keeps
what it answered 2xx to in ``messages`` (title and body), every request in
``requests``, and the Authorization header each came with.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    auth: str | None
    body: dict[str, Any]


@dataclass
class Receiver:
    status: int = 200
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)
    messages: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self
        self._stop = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(size)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {"raw": raw.decode("utf-8", "replace")}
                got = Received(self.path, self.headers.get("Authorization"), body)
                receiver.requests.append(got)
                if receiver.delay and receiver._stop.wait(receiver.delay):
                    return
                status = receiver.status
                if 200 <= status < 300:
                    receiver.messages.append(got)
                payload = b"ok" if status < 400 else b"no"
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str = "/hook", userinfo: str = "") -> str:
        """An Apprise ``json://`` URL that posts here."""
        at = f"{userinfo}@" if userinfo else ""
        return f"json://{at}127.0.0.1:{self.port}{path}"

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
