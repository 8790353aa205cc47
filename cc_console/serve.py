"""``cc-console serve``: publish this site to the province, to other systems and to the public.

On aiohttp's server (asyncio): one event loop holds hundreds of idle or slow
connections for the price of their sockets, where the standard library's
threading server spent a thread on each. The documents come from
:mod:`cc_console.publish`, rendered in one worker thread with its own
read-only connection, and kept:

- A document is rendered once per change of the cache (``PRAGMA data_version``,
  which moves when any other connection commits, read in microseconds) and once
  per ten minutes (the "last ``days`` days" windows). Every request in between,
  and every ``If-None-Match`` that matches, is answered from the kept bytes: a
  304 costs no rendering and no query but that pragma.
- The ETag is a hash of the bytes, so a change of the cache that leaves a
  document as it was (a poll that brought nothing new) still gets 304s. The
  gzip bytes have their own ETag (``"<hash>-gzip"``).
- gzip is compressed once, at render time, and sent to those whose
  Accept-Encoding accepts it (``gzip;q=0`` does not).
- Private paths need ``Authorization: Bearer <token>`` from ``[serve]
  tokens_env`` (compared in constant time); without tokens they answer only on
  a loopback address. A missing or wrong token gets 401 and nothing else.
- SIGTERM (or SIGINT) stops listening, lets the responses under way finish
  (5 s at most), closes idle keep-alive connections and exits 0.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import hmac
import ipaddress
import math
import resource
import signal
import sqlite3
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cc_console.config import Config
from cc_console.errors import StoreError
from cc_console.publish import PUBLIC_PATHS, Document, Documents
from cc_console.store.base import Cache
from cc_console.text import clean_line

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["Server", "ServerThread", "accepts_gzip", "is_loopback"]

WINDOW_S = 600  # documents with a "last days" window are rendered anew at least this often
GZIP_MIN = 1024  # smaller bodies are sent as they are
PRIVATE_PATHS = frozenset(
    {"/incidents.json", "/agencies.json", "/actions.json", "/events.json", "/cap/index.atom"}
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"


def is_loopback(host: str) -> bool:
    """True when ``host`` only listens on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class _Kept:
    """A rendered document as the server keeps it."""

    stamp: tuple[int, int]
    body: bytes
    gz: bytes | None
    etag: str
    content_type: str
    public: bool = False  # a CAP alert of the public feed: no token needed


@dataclass(frozen=True, slots=True)
class _KeptSet:
    """Documents rendered together (every CAP alert), by name."""

    stamp: tuple[int, int]
    docs: dict[str, _Kept]


class _Renderer:
    """Renders in one worker thread, with one read-only store opened there."""

    def __init__(self, config: Config, cache: Path, days: int) -> None:
        self.config, self.cache, self.days = config, cache, days
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cc-serve-render")
        self._local = threading.local()
        self.renders = 0

    def _documents(self) -> Documents:
        docs = getattr(self._local, "docs", None)
        if docs is None:
            from cc_console.store import Store

            store = Store(self.cache, read_only=True)
            docs = self._local.docs = Documents(store, self.config, self.days)
        return docs

    def render(self, path: str) -> Document | dict[str, Document] | None:
        """One document (``/cap/*``: every CAP alert by identifier)."""
        self.renders += 1
        docs = self._documents()
        if path == "/cap/*":
            return docs.cap_alerts()
        return docs.render(path)


class Server:
    """``serve`` over one cache: :meth:`start` binds, :meth:`stop` stops cleanly."""

    def __init__(
        self,
        config: Config,
        *,
        host: str = "127.0.0.1",
        port: int = 8080,
        days: int = 7,
        idle_timeout: float = 10.0,
        public_only: bool = False,
        backlog: int = 1024,
    ) -> None:
        self.config = config
        self.cache = config.cache.path
        self.host, self.port, self.backlog = host, port, backlog
        if not (math.isfinite(idle_timeout) and idle_timeout > 0):
            # nan would pass any range and turn dropping idle clients off
            raise ValueError(
                f"idle_timeout must be a positive number of seconds, not {idle_timeout}"
            )
        self.idle_timeout = idle_timeout
        self.public_only = public_only
        self.tokens = tuple(t.encode() for t in config.serve.tokens())
        # Without tokens, private paths answer only where nobody else can ask.
        self.open_private = not public_only and not self.tokens and is_loopback(host)
        self.renderer = _Renderer(config, self.cache, days)
        self._kept: dict[str, _Kept | _KeptSet] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        # Its own read-only connection, asked only for the data version (microseconds).
        self._version = Cache(self.cache, read_only=True)
        self._runner: web.AppRunner | None = None
        self.address = ""

    # -- the cache's state --------------------------------------------------------

    def _stamp(self) -> tuple[int, int]:
        """What a kept document depends on: the cache's data version and the window."""
        return self._version.data_version(), int(time.time() // WINDOW_S)

    @staticmethod
    def _keep(stamp: tuple[int, int], doc: Document) -> _Kept:
        tag = '"' + hashlib.sha256(doc.body).hexdigest()[:32] + '"'
        gz = gzip.compress(doc.body, 6, mtime=0) if len(doc.body) >= GZIP_MIN else None
        return _Kept(stamp, doc.body, gz, tag, doc.content_type, doc.public)

    def _made(self, key: str, stamp: tuple[int, int]) -> _Kept | _KeptSet | None:
        """Render ``key`` and keep it (in the render thread)."""
        made = self.renderer.render(key)
        if made is None:
            return None
        if isinstance(made, dict):
            return _KeptSet(stamp, {k: self._keep(stamp, d) for k, d in made.items()})
        return self._keep(stamp, made)

    async def _document(self, path: str) -> _Kept | None:
        """The kept document at ``path``, rendered first if the cache has changed."""
        key = "/cap/*" if _cap_alert(path) else path
        stamp = self._stamp()
        kept = self._kept.get(key)
        if kept is None or kept.stamp != stamp:
            lock = self._locks.setdefault(key, asyncio.Lock())
            async with lock:  # one render for everyone who asked meanwhile
                kept = self._kept.get(key)
                if kept is None or kept.stamp != stamp:
                    loop = asyncio.get_running_loop()
                    # Rendered, hashed and compressed in the worker: the loop goes on
                    # answering everyone else (a 304 never waits for a render).
                    made = await loop.run_in_executor(self.renderer.pool, self._made, key, stamp)
                    if made is None:
                        return None
                    kept = self._kept[key] = made
        if isinstance(kept, _KeptSet):
            return kept.docs.get(path[5:-4])
        return kept

    # -- HTTP -------------------------------------------------------------------------

    def _authorized(self, request: web.Request) -> bool:
        if self.open_private:
            return True
        if self.public_only or not self.tokens:
            return False
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        offered = given.strip().encode()
        ok = False
        for token in self.tokens:  # every token compared, each in constant time
            ok |= hmac.compare_digest(offered, token)
        return ok

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        path = request.path
        if path == "/healthz":
            return web.Response(
                text="ok\n", headers={"X-Renders": str(self.renderer.renders), **SECURITY_HEADERS}
            )
        unauthorized = web.Response(
            status=401, headers={"WWW-Authenticate": 'Bearer realm="cc-console"'}
        )
        # A CAP alert of the public feed answers without a token: it is looked up first
        # (every other alert, and one that does not exist, is the same 401).
        authorized = path in PUBLIC_PATHS or self._authorized(request)
        if not authorized and not _cap_alert(path):
            return unauthorized
        if path not in PUBLIC_PATHS and path not in PRIVATE_PATHS and not _cap_alert(path):
            return web.Response(status=404, headers=SECURITY_HEADERS)
        try:
            kept = await self._document(path)
        except (StoreError, sqlite3.Error) as exc:
            sys.stderr.write(f"cc-console serve: {clean_line(path)}: cache unreadable: {exc}\n")
            return web.Response(status=503, headers={"Retry-After": "5"})
        except Exception as exc:  # a document that cannot be rendered: one line, not a traceback
            what = clean_line(f"{type(exc).__name__}: {exc}")  # feed text is never run
            sys.stderr.write(f"cc-console serve: {clean_line(path)}: {what}\n")
            return web.Response(status=500, headers=SECURITY_HEADERS)
        if not authorized and (kept is None or not kept.public):
            return unauthorized
        if kept is None:
            return web.Response(status=404, headers=SECURITY_HEADERS)
        headers = {
            "ETag": kept.etag,
            "Cache-Control": "no-cache",
            "Vary": "Accept-Encoding",
            **SECURITY_HEADERS,
        }
        if path == "/":
            headers["Content-Security-Policy"] = PAGE_POLICY
        zipped = kept.gz is not None and accepts_gzip(request.headers.get("Accept-Encoding", ""))
        # Each encoding is its own representation with its own strong ETag: a cache
        # that stored the identity bytes must never be told they are the gzip ones.
        etag = kept.etag[:-1] + '-gzip"' if zipped else kept.etag
        headers["ETag"] = etag
        wanted = _tags(request.headers.get("If-None-Match", ""))
        if etag in wanted or "*" in wanted:
            return web.Response(status=304, headers=headers)
        body = kept.gz if zipped and kept.gz is not None else kept.body
        if zipped:
            headers["Content-Encoding"] = "gzip"
        headers["Content-Type"] = kept.content_type
        return web.Response(body=body, headers=headers)

    async def start(self) -> None:
        """Bind and serve in the running loop; ``address`` is then set."""
        from aiohttp import web

        app = web.Application(client_max_size=4096)
        app.router.add_get("/{tail:.*}", self._handle)  # and HEAD
        app.on_response_prepare.append(_server_header)
        self._runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            keepalive_timeout=self.idle_timeout,
            shutdown_timeout=5.0,
            max_line_size=8190,
            max_field_size=8190,
        )
        await self._runner.setup()
        site = web.TCPSite(
            self._runner, self.host, self.port, backlog=self.backlog, reuse_address=True
        )
        await site.start()
        server: Any = site._server
        sockets = list(server.sockets) if server is not None else []
        bound = sockets[0].getsockname() if sockets else (self.host, self.port)
        host = f"[{bound[0]}]" if ":" in str(bound[0]) else bound[0]
        self.address = f"http://{host}:{bound[1]}"

    async def stop(self) -> None:
        """Stop listening, finish the responses under way, close the rest."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.renderer.pool.shutdown(wait=True)
        self._version.close()

    def run(self, ready: Any = None) -> None:
        """Serve until SIGTERM or SIGINT; ``ready(address)`` is called once bound."""
        _more_files()

        async def main() -> None:
            loop = asyncio.get_running_loop()
            loop.set_exception_handler(_one_line)
            stop = asyncio.Event()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
            await self.start()
            if ready is not None:
                ready(self.address)
            await stop.wait()
            await self.stop()

        asyncio.run(main())


class ServerThread:
    """Servers run by one event loop in a thread of their own (the demos serve their
    sites beside the console)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.servers: list[Server] = []

    def start(self, servers: list[Server]) -> None:
        """Bind and serve ``servers`` (each ``address`` is set when this returns)."""
        if not self.thread.is_alive():
            self.thread.start()

        async def start_all() -> None:
            for server in servers:
                await server.start()
                self.servers.append(server)

        asyncio.run_coroutine_threadsafe(start_all(), self.loop).result(60)

    def close(self) -> None:
        """Stop every server and the loop."""
        if not self.thread.is_alive():
            return

        async def stop_all() -> None:
            for server in self.servers:
                await server.stop()

        asyncio.run_coroutine_threadsafe(stop_all(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


async def _server_header(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["Server"] = "cc-console"  # not the library and its version


def _cap_alert(path: str) -> bool:
    """``/cap/<identifier>.xml``: one of the CAP alerts, kept together under ``/cap/*``."""
    return path.startswith("/cap/") and path.endswith(".xml")


def _tags(header: str) -> set[str]:
    """The entity tags of an If-None-Match header (weak ones compared as strong, as
    If-None-Match's weak comparison says)."""
    return {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding header accepts gzip (RFC 9110, 12.5.3).

    ``gzip;q=0`` (or ``*;q=0`` with no gzip of its own) refuses it; ``x-gzip`` is
    gzip; an element whose ``q`` is not a number is ignored.
    """
    explicit: float | None = None
    star: float | None = None
    for element in header.split(","):
        coding, *params = (part.strip() for part in element.split(";"))
        coding = coding.lower()
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = -1.0
                if not 0 <= q <= 1:  # nan, inf and nonsense: not a weight
                    q = -1.0
        if q < 0:
            continue
        if coding in ("gzip", "x-gzip"):
            explicit = q if explicit is None else max(explicit, q)
        elif coding == "*":
            star = q
    if explicit is not None:
        return explicit > 0
    return star is not None and star > 0


def _more_files() -> None:
    """Raise the soft limit on open files to the hard one: each idle client is a socket."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY or hard > soft:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != -1 else soft, hard))
    except (ValueError, OSError):
        pass


def _one_line(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Errors of the loop (a socket gone wrong, out of descriptors) as one line."""
    exc = context.get("exception")
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return
    what = f"{type(exc).__name__}: {exc}" if exc else context.get("message", "error")
    sys.stderr.write(f"cc-console serve: {what}\n")
