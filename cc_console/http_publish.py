"""A small read-only HTTP server for publishing bytes: GET, ETag, 304, 404.

Used by ``cc-console serve`` (this site's cache as native feeds) and by the
demo's feed server. ``render(path)`` returns the body and its content type,
or ``None`` for an unknown path.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["Render", "publishing_server"]

Render = Callable[[str], tuple[bytes | None, str]]


def publishing_server(render: Render, host: str, port: int, name: str) -> ThreadingHTTPServer:
    """A threading server answering GETs with ``render``; ETags make unchanged data a 304."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = name

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body, ctype = render(self.path.split("?", 1)[0])
            if body is None:
                self._send(404, b"not found", "text/plain")
                return
            tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            if self.headers.get("If-None-Match") == tag:
                self._send(304, b"", ctype, tag)
                return
            self._send(200, body, ctype, tag)

        def _send(self, status: int, body: bytes, ctype: str, tag: str | None = None) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-cache")
                if tag:
                    self.send_header("ETag", tag)
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
