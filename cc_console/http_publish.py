"""A small read-only HTTP server for publishing bytes: GET and HEAD, ETag, 304, 404.

Used by the demo's feed server (``cc-console serve`` runs on aiohttp, see
:mod:`cc_console.serve`). ``render(path)`` returns the body and its content type,
or ``None`` for an unknown path.

Hardened for an open network: a client that sends nothing (or half a
request) for ``idle_timeout`` seconds is dropped; at most ``max_connections``
are served at once and any beyond are closed at once, so idle sockets cannot
starve the server of file descriptors; errors are one line, never a traceback.
"""

from __future__ import annotations

import hashlib
import socket
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["MAX_POST", "Receive", "Render", "publishing_server"]

Render = Callable[[str], tuple[bytes | None, str]]
Receive = Callable[[str, bytes], bool]  # (path, body) -> taken
MAX_POST = 65_536  # a posted body larger than this is refused unread


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a burst of clients queues in the kernel, not in SYN retries

    def __init__(self, address: tuple[str, int], handler: Any, max_connections: int) -> None:
        super().__init__(address, handler)
        self.slots = threading.BoundedSemaphore(max_connections)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):  # full: close it now, keep serving
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout)):
            return  # a client that went away or went quiet: nothing to report
        sys.stderr.write(f"cc-console serve: {client_address[0]}: {type(exc).__name__}: {exc}\n")


def publishing_server(
    render: Render,
    host: str,
    port: int,
    name: str,
    *,
    idle_timeout: float = 10.0,
    max_connections: int = 64,
    receive: Receive | None = None,
) -> ThreadingHTTPServer:
    """A threading server answering GET and HEAD with ``render``; ETags make unchanged data a 304.

    ``receive``: if given, POSTs (at most :data:`MAX_POST` bytes) go to it (the
    demo's inbox of notifications); without it a POST is 501, as any method.
    """

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = name
        timeout = idle_timeout  # per socket read: a half-sent request is dropped

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self._answer(head=False)

        def do_HEAD(self) -> None:
            self._answer(head=True)

        if receive is not None:

            def do_POST(self) -> None:
                try:
                    size = int(self.headers.get("Content-Length") or "")
                except ValueError:
                    self._send(411, b"length required", "text/plain")
                    self.close_connection = True
                    return
                if not 0 <= size <= MAX_POST:
                    self._send(413, b"too large", "text/plain")
                    self.close_connection = True
                    return
                body = self.rfile.read(size)
                assert receive is not None
                taken = receive(self.path.split("?", 1)[0], body)
                self._send(200 if taken else 404, b"ok" if taken else b"not found", "text/plain")

        def _answer(self, *, head: bool) -> None:
            body, ctype = render(self.path.split("?", 1)[0])
            if body is None:
                self._send(404, b"not found", "text/plain", head=head)
                return
            tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            if self.headers.get("If-None-Match") == tag:
                self._send(304, b"", ctype, tag)
                return
            self._send(200, body, ctype, tag, head=head)

        def _send(
            self, status: int, body: bytes, ctype: str, tag: str | None = None, head: bool = False
        ) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-cache")
                if tag:
                    self.send_header("ETag", tag)
                self.end_headers()
                if status != 304 and not head:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                self.close_connection = True

    return _Server((host, port), Handler, max_connections)
