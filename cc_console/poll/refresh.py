"""Refreshing sources: fetch, hash, parse, store — one source's failure touches no other.

A source's body is hashed before it is parsed: an identical body (or a 304)
writes no records.  Parsing and storing run in a thread so that the event loop
keeps every other fetch's deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import httpx

from cc_console.config import Config, SourceConfig
from cc_console.errors import ParseError, SourceError, StoreError
from cc_console.notify import Delivery, Notifier
from cc_console.poll.fetch import Fetched, FetchError, fetch, make_client, user_agent
from cc_console.sources import ParseContext, Parsed, parser
from cc_console.store import PollRecord, Store
from cc_console.text import clean_line
from cc_console.timefmt import utcnow
from cc_console.urls import redact, same_origin

__all__ = ["Refresher", "SourceOutcome", "next_delay"]

MAX_FOLLOW = 200  # linked CAP documents read from one index
BULK_BYTES = 1_000_000  # a body this large pauses the cyclic garbage collector


class _CollectorPause:
    """Pauses Python's cyclic garbage collector while large bodies are parsed and stored.

    Reading a 200k-incident feed allocates millions of strings, tuples and
    structs, none of them in a reference cycle; as they pile up the collector
    scans them again and again, about a tenth of such a refresh.  Counted, so
    that concurrent refreshes nest; the collector resumes when the last one
    ends, and only if it was running when the first one began.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._resume = False

    @contextlib.contextmanager
    def __call__(self, active: bool) -> Iterator[None]:
        if not active:
            yield
            return
        with self._lock:
            if self._depth == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0 and self._resume:
                    gc.enable()


collector_paused = _CollectorPause()


def _without_secrets(error: str, src: SourceConfig) -> str:
    """``error`` with the source's token and URL secrets masked (a library may quote them)."""
    token = src.raw_token.strip()
    if len(token) >= 4:
        error = error.replace(token, "***")
    return error.replace(src.url, redact(src.url))


@dataclass(slots=True)
class SourceOutcome:
    """What one refresh of one source did (the items of ``refresh --json``)."""

    name: str
    status: str  # updated | unchanged | failed
    http_status: int | None = None
    records: int = 0
    changed: int = 0
    error: str | None = None
    duration_ms: float = 0.0
    warnings: list[str] = field(default_factory=list)
    next_attempt: datetime | None = None

    def as_json(self) -> dict[str, object]:
        """The CONTRACT's JSON object for this source."""
        return {
            "name": self.name,
            "status": self.status,
            "http_status": self.http_status,
            "records": self.records,
            "changed": self.changed,
            "error": self.error,
            "duration_ms": round(self.duration_ms, 1),
            "warnings": self.warnings,
        }


def next_delay(
    interval: float,
    failures: int,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next poll: the interval, or exponential backoff with jitter.

    The backoff doubles per consecutive failure, capped at 16 intervals or 30
    minutes (whichever is smaller, but never below one interval), and honours
    the server's Retry-After when that is longer.
    """
    if failures <= 0:
        return interval
    rng = rng or random.Random()
    cap = max(interval, min(16 * interval, 1800.0))
    base = min(interval * 2 ** (failures - 1), cap)
    delay = base * rng.uniform(0.8, 1.2)
    if retry_after is not None:
        delay = max(delay, min(retry_after, 3600.0))
    return delay


class Refresher:
    """Refreshes the sources of one config into one store over one shared client."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store
        self.agent = user_agent(config.site.name)
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._slots = asyncio.Semaphore(config.poll.concurrency)
        self.notifier = Notifier(config, store)

    def client(self, src: SourceConfig) -> httpx.AsyncClient:
        """The source's own client (keep-alive per source; TLS unchecked only if ``insecure``)."""
        if src.name not in self._clients:
            self._clients[src.name] = make_client(verify=not src.insecure)
        return self._clients[src.name]

    async def aclose(self) -> None:
        """Close the HTTP clients."""
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()

    async def refresh(
        self,
        sources: Sequence[SourceConfig],
        on_done: Callable[[SourceOutcome], None] | None = None,
    ) -> list[SourceOutcome]:
        """Refresh ``sources`` concurrently; outcomes in the order given."""
        await asyncio.to_thread(self.store.sources.sync, sources)

        async def one(src: SourceConfig) -> SourceOutcome:
            outcome = await self.refresh_one(src)
            if on_done is not None:
                on_done(outcome)
            return outcome

        outcomes = list(await asyncio.gather(*(one(s) for s in sources)))
        await self.check_deadlines()
        await self.send_notifications()
        return outcomes

    async def check_deadlines(self) -> int:
        """Record the deadlines passed since the last check (also when no feed changed),
        and queue the repeats and all-clears of what routes were told.

        Raises:
            StoreError: the check failed (the caller says so; swallowed, it once
                hid a broken query while no breach was ever recorded).
        """
        now = utcnow()
        found = await asyncio.to_thread(self.store.deadlines.check, now)
        found += await asyncio.to_thread(self.store.followups.check, now)
        found += await asyncio.to_thread(self.store.crisis.check, now)
        await asyncio.to_thread(self.store.outbox.check, now)
        return found

    async def send_notifications(self, force: bool = False) -> Delivery:
        """Send what the outbox holds, if this process holds the sender lease."""
        try:
            return await self.notifier.deliver(force)
        except StoreError as exc:  # locked past the timeout: the next cycle sends
            return Delivery(errors=[str(exc)])

    async def refresh_one(self, src: SourceConfig) -> SourceOutcome:
        """Fetch, parse and store one source; every failure is caught and recorded here."""
        started = time.perf_counter()
        now = utcnow()
        outcome = SourceOutcome(src.name, "failed")
        retry_after: float | None = None
        try:
            await self._refresh(src, now, outcome)
        except FetchError as exc:
            outcome.error, outcome.http_status, retry_after = (
                str(exc),
                exc.http_status,
                exc.retry_after,
            )
        except ParseError as exc:
            outcome.error = f"{src.format} feed at {redact(src.url)} is not usable: {exc}"
        except (SourceError, StoreError) as exc:
            outcome.error = str(exc)
        except Exception as exc:  # a parser bug must not take the other sources down
            outcome.error = f"internal error while reading {src.name}: {type(exc).__name__}: {exc}"
        outcome.duration_ms = (time.perf_counter() - started) * 1000
        missing = src.token_missing()
        if missing:
            outcome.warnings.append(missing)
        if outcome.error is not None:  # errors quote servers (reason phrases, URLs): no escapes
            outcome.error = clean_line(_without_secrets(outcome.error, src), 400)
        if outcome.status == "failed":
            try:
                failures = (
                    await asyncio.to_thread(self.store.sources.consecutive_failures, src.name) + 1
                )
                delay = next_delay(src.interval, failures, retry_after)
                outcome.next_attempt = now + timedelta(seconds=delay)
                poll = PollRecord(
                    src.name,
                    now,
                    ok=False,
                    http_status=outcome.http_status,
                    error=outcome.error,
                    next_attempt=outcome.next_attempt,
                )
                await asyncio.to_thread(self.store.sources.record, poll)
            except StoreError as exc:
                outcome.error = f"{outcome.error}; and the failure could not be recorded: {exc}"
        return outcome

    async def _refresh(self, src: SourceConfig, now: datetime, outcome: SourceOutcome) -> None:
        etag, last_modified, old_hash = await asyncio.to_thread(
            self.store.sources.validators, src.name
        )
        known = await asyncio.to_thread(self.store.sources.site_of, src.name)
        if src.site and known and known[0] != src.site:  # pinned since: read the body anew
            etag = last_modified = old_hash = None
        async with self._slots:
            fetched = await fetch(
                self.client(src),
                src.url,
                timeout=src.timeout,
                max_bytes=src.max_bytes,
                agent=self.agent,
                token=src.token(),
                etag=etag,
                last_modified=last_modified,
            )
        outcome.http_status = fetched.status
        outcome.next_attempt = now + timedelta(seconds=src.interval)
        body = fetched.body
        if body is None or (body_hash := hashlib.sha256(body).hexdigest()) == old_hash:
            poll = PollRecord(
                src.name,
                now,
                ok=True,
                http_status=fetched.status,
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                next_attempt=outcome.next_attempt,
            )
            await asyncio.to_thread(self.store.sources.record, poll)
            outcome.status = "unchanged"
            outcome.records = await asyncio.to_thread(self.store.sources.stored_records, src.name)
            return
        if not body.strip():
            raise ParseError("empty response body")
        with collector_paused(len(body) >= BULK_BYTES):
            await self._store(src, now, outcome, fetched, body, body_hash)

    async def _store(
        self,
        src: SourceConfig,
        now: datetime,
        outcome: SourceOutcome,
        fetched: Fetched,
        body: bytes,
        body_hash: str,
    ) -> None:
        """Parse a new body (following an index's links) and store its records."""
        # Parsing gets the source's timeout too: a parser that can run long
        # (a calendar's recurrences) stops when it is up.
        deadline = time.monotonic() + src.timeout
        ctx = ParseContext(
            source=src.name,
            kind=src.kind,
            url=src.url,
            now=now,
            language=self.config.site.language,
            tz=self.config.site.tz,
            expired=lambda: time.monotonic() > deadline,
        )
        parse = parser(src.format)
        parsed = await asyncio.to_thread(parse, body, ctx)
        if parsed.follow:
            await self._follow(src, ctx, parsed)
        site = self._site(
            src, parsed.site, await asyncio.to_thread(self.store.sources.site_of, src.name)
        )
        parsed.drop_out_of_range(now)
        records = parsed.records(src.kind)
        poll = PollRecord(
            src.name,
            now,
            ok=True,
            http_status=fetched.status,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            content_hash=body_hash,
            records=len(records),
            warnings=len(parsed.warnings),
            next_attempt=outcome.next_attempt,
            site=site,
            # A site's last write, never later than now: a clock ahead (or a feed's
            # claim) must not keep it fresh forever.
            data_at=min(parsed.generated_at, now) if site and parsed.generated_at else None,
        )
        outcome.changed = await asyncio.to_thread(self.store.apply, src.kind, poll, records)
        outcome.records = len(records)
        outcome.warnings = parsed.warnings[:50]
        outcome.status = "updated" if outcome.changed else "unchanged"

    def _site(
        self, src: SourceConfig, claimed: tuple[str, str] | None, known: tuple[str, str] | None
    ) -> tuple[str, str] | None:
        """The site a native feed's document is from, its claim checked.

        A feed may not claim this site's own code, another code than its pin
        (``[[sources]] site``), nor, unpinned, another code than the first it
        claimed: any of these fails the source and nothing of the document is
        stored (a regency's feed must not count for another, nor become us).
        A document that claims nothing stays with its pin or its known site.

        Raises:
            SourceError: the claim is refused (naming both codes).
        """
        own = self.config.site.code
        expected = src.site or (known[0] if known else None)
        if claimed is None:
            if expected is None:
                return None
            return known if known and known[0] == expected else (expected, expected)
        code = claimed[0]
        if own and code == own:
            raise SourceError(
                f"source {src.name} claims site {code}, which is this site's own code "
                f"({own}); nothing of it was stored"
            )
        if expected and code != expected:
            why = "its [[sources]] site" if src.site else "the code it claimed before"
            raise SourceError(
                f"source {src.name} claims site {code}, not {expected} ({why}); "
                "nothing of it was stored"
            )
        return claimed

    async def _follow(self, src: SourceConfig, ctx: ParseContext, index: Parsed) -> None:
        """Fetch the documents an index links to (CAP hubs) under the same limits."""
        parse = parser(src.format)
        links = list(dict.fromkeys(index.follow))[:MAX_FOLLOW]
        if len(index.follow) > MAX_FOLLOW:
            index.warnings.append(f"index lists {len(index.follow)} documents; read {MAX_FOLLOW}")

        async def one(url: str) -> Parsed | None:
            try:
                async with self._slots:
                    got = await fetch(
                        self.client(src),
                        url,
                        timeout=src.timeout,
                        max_bytes=src.max_bytes,
                        agent=self.agent,
                        # The source's token goes to the source's own server only: an
                        # index may link anywhere.
                        token=src.token() if same_origin(url, src.url) else None,
                    )
                doc_ctx = replace(ctx, url=url)
                return await asyncio.to_thread(parse, got.body or b"", doc_ctx)
            except (SourceError, ParseError) as exc:
                index.warnings.append(f"linked document {redact(url)} skipped: {exc}")
                return None

        for doc in await asyncio.gather(*(one(u) for u in links)):
            if doc is not None:
                if doc.follow:
                    index.warnings.append("a linked document is itself an index; not followed")
                index.extend(doc)
