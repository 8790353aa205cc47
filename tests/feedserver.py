"""A real HTTP server on 127.0.0.1 for tests: routes with bodies, statuses and faults.

Tests register what each path answers; the server records every request so
tests can check conditional GETs, the User-Agent and the bearer token.
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What one path answers."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: bool = True  # answer If-None-Match with 304
    delay: float = 0.0  # before the headers
    drip: float = 0.0  # seconds between body bytes
    gzip: bool = False
    raw: Callable[[socket.socket], None] | None = None  # full control of the socket


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class FeedServer:
    """Start with ``with FeedServer() as s``; ``s.url("/x")`` is the address of a route."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self._stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append(
                    Seen(self.path, {k.lower(): v for k, v in self.headers.items()})
                )
                route = server.routes.get(self.path.split("?")[0])
                if route is None:
                    self._send(404, b"not found", {"Content-Type": "text/plain"})
                    return
                if route.raw is not None:
                    route.raw(self.connection)
                    self.close_connection = True
                    return
                if route.delay and server._stop.wait(route.delay):
                    return
                body = route.body
                headers = dict(route.headers)
                tag = '"' + hashlib.sha1(body).hexdigest() + '"'
                if route.etag and route.status == 200:
                    headers.setdefault("ETag", tag)
                    if self.headers.get("If-None-Match") == tag:
                        self._send(304, b"", headers)
                        return
                if route.gzip:
                    body = gzip.compress(body)
                    headers["Content-Encoding"] = "gzip"
                self._send(route.status, body, headers, route.drip)

            def _send(
                self, status: int, body: bytes, headers: dict[str, str], drip: float = 0.0
            ) -> None:
                try:
                    self.send_response(status)
                    headers = {k.lower(): v for k, v in headers.items()}
                    headers.setdefault("content-length", str(len(body)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    if status == 304:
                        return
                    if drip:
                        for i in range(len(body)):
                            if server._stop.wait(drip):
                                return
                            self.wfile.write(body[i : i + 1])
                            self.wfile.flush()
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, body: bytes | str = b"", **kw: object) -> str:
        """Set what ``path`` answers; returns its URL."""
        if isinstance(body, str):
            body = body.encode()
        self.routes[path] = Route(body=body, **kw)  # type: ignore[arg-type]
        return self.url(path)

    def hits(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path.split("?")[0] == path]

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
