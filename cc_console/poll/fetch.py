"""One bounded HTTP GET: the only place that touches the network.

Limits that hold whatever the server does: a whole-request deadline (a server
that drips a byte a second is cut at ``timeout``), a cap on the *decoded* body
enforced while streaming (we decompress ourselves, so a gzip bomb stops at
``max_bytes``), a redirect limit, conditional GET.  Every failure becomes a
:class:`SourceError` with one clear line; nothing above this module sees httpx.
"""

from __future__ import annotations

import asyncio
import email.utils
import ssl
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import httpx

from cc_console import __version__
from cc_console.errors import SourceError
from cc_console.urls import redact

__all__ = ["FetchError", "Fetched", "fetch", "make_client", "redact", "user_agent"]

MAX_REDIRECTS = 5


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response: ``body`` is None for 304 Not Modified."""

    status: int
    body: bytes | None
    etag: str | None
    last_modified: str | None


class FetchError(SourceError):
    """A failed fetch, with what the poller needs to schedule the retry."""

    def __init__(
        self, message: str, http_status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.retry_after = retry_after


def user_agent(site_name: str) -> str:
    """A descriptive User-Agent (BMKG answers 403 without one)."""
    site = "".join(ch for ch in site_name if ch.isprintable() and ch not in "()\r\n")[:80]
    return f"cc-console/{__version__} (command center operator console; {site})"


@cache
def tls_context(verify: bool = True) -> ssl.SSLContext:
    """One TLS context per process (loading the CA bundle costs ~30 ms each time)."""
    if verify:
        return httpx.create_ssl_context()
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def make_client(*, verify: bool = True) -> httpx.AsyncClient:
    """A client for one source: redirects followed up to a limit, TLS verified.

    One small client per source rather than one big shared pool: httpcore's
    pool does work proportional to its connections on every request, which
    made 200 concurrent sources 4x slower than one.
    """
    return httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        verify=tls_context(verify),
        timeout=httpx.Timeout(30.0),
        limits=httpx.Limits(max_connections=8, max_keepalive_connections=2),
        trust_env=False,
    )


class _Decoder:
    """Content-Encoding decoding with a hard cap on the decoded size."""

    def __init__(self, encoding: str, limit: int, url: str) -> None:
        self.limit = limit
        self.url = url
        self.size = 0
        self.chunks: list[bytes] = []
        enc = encoding.strip().lower()
        if enc in ("", "identity"):
            self.z = None
        elif enc in ("gzip", "x-gzip"):
            self.z = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif enc == "deflate":
            self.z = zlib.decompressobj(zlib.MAX_WBITS | 32)
        else:
            raise FetchError(f"unsupported Content-Encoding {encoding[:30]!r} from {url}")

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise FetchError(
                f"response from {self.url} is larger than max_bytes ({self.limit:,} bytes decoded)"
            )
        if data:
            self.chunks.append(data)

    def feed(self, raw: bytes) -> None:
        if self.z is None:
            self._keep(raw)
            return
        try:
            data = raw
            while data:
                out = self.z.decompress(data, self.limit - self.size + 1)
                self._keep(out)
                data = self.z.unconsumed_tail
        except zlib.error as exc:
            raise FetchError(f"corrupt compressed body from {self.url}: {exc}") from None

    def finish(self) -> bytes:
        if self.z is not None:
            try:
                self._keep(self.z.flush(self.limit - self.size + 1))
            except zlib.error as exc:
                raise FetchError(f"corrupt compressed body from {self.url}: {exc}") from None
        return b"".join(self.chunks)


def _retry_after(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(min(int(value), 86400))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, min((when - now).total_seconds(), 86400.0))


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    agent: str,
    token: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET ``url`` within ``timeout`` seconds in all, the decoded body capped at ``max_bytes``.

    Raises:
        FetchError: any failure, as one line naming the (redacted) URL.
    """
    shown = redact(url)
    headers = {"User-Agent": agent, "Accept-Encoding": "gzip, deflate", "Accept": "*/*"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with asyncio.timeout(timeout):
            async with client.stream("GET", url, headers=headers) as resp:
                status = resp.status_code
                if status == 304:
                    return Fetched(
                        304,
                        None,
                        resp.headers.get("etag") or etag,
                        resp.headers.get("last-modified") or last_modified,
                    )
                if not 200 <= status < 300:
                    retry = _retry_after(resp.headers.get("retry-after"), datetime.now(UTC))
                    reason = f" {resp.reason_phrase}" if resp.reason_phrase else ""
                    raise FetchError(f"HTTP {status}{reason} from {shown}", status, retry)
                encoding = resp.headers.get("content-encoding", "")
                declared = resp.headers.get("content-length", "")
                if not encoding and declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(
                        f"response from {shown} is larger than max_bytes "
                        f"({int(declared):,} > {max_bytes:,} bytes)",
                        status,
                    )
                decoder = _Decoder(encoding, max_bytes, shown)
                async for raw in resp.aiter_raw():
                    decoder.feed(raw)
                return Fetched(
                    status,
                    decoder.finish(),
                    resp.headers.get("etag"),
                    resp.headers.get("last-modified"),
                )
    except FetchError:
        raise
    except TimeoutError:
        raise FetchError(f"no complete answer from {shown} within {timeout:g}s") from None
    except httpx.TooManyRedirects:
        raise FetchError(f"more than {MAX_REDIRECTS} redirects from {shown}") from None
    except httpx.ConnectError as exc:
        raise FetchError(f"cannot connect to {shown}: {_reason(exc)}") from None
    except httpx.RemoteProtocolError as exc:
        raise FetchError(f"broken response from {shown}: {_reason(exc)}") from None
    except httpx.UnsupportedProtocol:
        raise FetchError(f"unsupported URL scheme in {shown}") from None
    except httpx.InvalidURL as exc:
        raise FetchError(f"invalid URL {shown}: {exc}") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"request to {shown} failed: {_reason(exc)}") from None
    except OSError as exc:
        raise FetchError(f"request to {shown} failed: {exc.strerror or exc}") from None


def _reason(exc: BaseException) -> str:
    import errno
    import socket

    seen: BaseException | None = exc
    for _ in range(6):  # the OS error sits a few causes down (httpx -> anyio -> socket)
        if seen is None:
            break
        if isinstance(seen, socket.gaierror):
            return "host name not found"
        if (
            isinstance(seen, ConnectionRefusedError)
            or getattr(seen, "errno", None) == errno.ECONNREFUSED
        ):
            return "connection refused"
        if isinstance(seen, OSError) and seen.strerror:
            return seen.strerror.lower()
        seen = seen.__cause__ or seen.__context__
    text = str(exc).strip() or type(exc).__name__
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "host name not found"
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    return text.splitlines()[0][:160]
