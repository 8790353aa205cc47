"""Source state: what each poll of each source did, and the health derived from it."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cc_console.config import SourceConfig
from cc_console.models import SourceHealth
from cc_console.store.base import Cache
from cc_console.store.events import Events
from cc_console.timefmt import iso_z, parse_iso

__all__ = ["FAILING_AFTER", "PollRecord", "SourceState"]

FAILING_AFTER = 2  # failures in a row before a source.failing event


@dataclass(frozen=True, slots=True)
class PollRecord:
    """What one poll of one source learnt, to be saved with its data."""

    name: str
    at: datetime
    ok: bool
    http_status: int | None = None
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    records: int | None = None
    warnings: int = 0
    next_attempt: datetime | None = None
    site: tuple[str, str] | None = None  # a parsed native feed's site; None: ours
    data_at: datetime | None = None  # when that site last wrote its cache (its generated_at)


class SourceState:
    """Reads and writes of ``source_state``."""

    def __init__(self, db: Cache) -> None:
        self.db = db

    def sync(self, sources: Sequence[SourceConfig]) -> None:
        """Record each configured source's kind, format and URL (for ``status``)."""
        with self.db.tx() as c:
            c.executemany(
                "INSERT INTO source_state(name, kind, format, url) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET kind=excluded.kind, format=excluded.format, "
                "url=excluded.url WHERE kind IS NOT excluded.kind OR format IS NOT "
                "excluded.format OR url IS NOT excluded.url",
                [(s.name, s.kind, s.format, s.url) for s in sources],
            )

    def validators(self, name: str) -> tuple[str | None, str | None, str | None]:
        """The (ETag, Last-Modified, content hash) of the last good body of ``name``."""
        rows = self.db.rows(
            "SELECT etag, last_modified, content_hash FROM source_state WHERE name = ?", [name]
        )
        if not rows:
            return None, None, None
        r = rows[0]
        return r["etag"], r["last_modified"], r["content_hash"]

    def stored_records(self, name: str) -> int:
        """How many records the last good body of ``name`` held."""
        return int(self.db.scalar("SELECT records FROM source_state WHERE name = ?", [name]) or 0)

    def sites(self) -> dict[str, tuple[str, str]]:
        """``source -> (site code, site name)`` of the sources that read another site."""
        return {
            r["name"]: (r["site_code"], r["site_name"] or r["site_code"])
            for r in self.db.rows(
                "SELECT name, site_code, site_name FROM source_state WHERE site_code IS NOT NULL"
            )
        }

    def site_of(self, name: str) -> tuple[str, str] | None:
        """``(code, name)`` of the site source ``name`` was read from (None: ours)."""
        rows = self.db.rows(
            "SELECT site_code, site_name FROM source_state WHERE name = ? AND site_code IS NOT NULL",
            [name],
        )
        return (
            (rows[0]["site_code"], rows[0]["site_name"] or rows[0]["site_code"]) if rows else None
        )

    def last_success(self) -> datetime | None:
        """When any source last brought a good answer (None: never)."""
        return parse_iso(self.db.scalar("SELECT max(last_success) FROM source_state"))

    def consecutive_failures(self, name: str) -> int:
        """How many polls of ``name`` have failed in a row."""
        value = self.db.scalar(
            "SELECT consecutive_failures FROM source_state WHERE name = ?", [name]
        )
        return int(value or 0)

    @staticmethod
    def save(c: sqlite3.Connection, poll: PollRecord) -> None:
        """Write ``poll`` inside the caller's transaction, with ``source.*`` events.

        A source is failing from its :data:`FAILING_AFTER`-th failure in a row
        (one retry is weather, two are news), recovered at its next success.
        """
        c.execute("INSERT OR IGNORE INTO source_state(name) VALUES (?)", [poll.name])
        (failures,) = c.execute(
            "SELECT consecutive_failures FROM source_state WHERE name = ?", [poll.name]
        ).fetchone()
        at = iso_z(poll.at) or ""
        if poll.ok and failures >= FAILING_AFTER:
            Events.add(c, at, "source.recovered", poll.name, data={"failures": failures})
        elif not poll.ok and failures + 1 == FAILING_AFTER:
            Events.add(
                c,
                at,
                "source.failing",
                poll.name,
                data={"error": poll.error, "failures": failures + 1},
            )
        if poll.ok:
            c.execute(
                "UPDATE source_state SET last_attempt = ?, last_success = ?, last_error = NULL, "
                "consecutive_failures = 0, http_status = ?, "
                "etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified), "
                "content_hash = COALESCE(?, content_hash), records = COALESCE(?, records), "
                "warnings = ?, next_attempt = ?, "
                # A body read anew says whose it is; an unchanged one keeps what it said.
                "site_code = CASE WHEN ? IS NULL THEN site_code ELSE ? END, "
                "site_name = CASE WHEN ? IS NULL THEN site_name ELSE ? END, "
                "data_at = CASE WHEN ? IS NULL THEN data_at ELSE ? END "
                "WHERE name = ?",
                [
                    iso_z(poll.at),
                    iso_z(poll.at),
                    poll.http_status,
                    poll.etag,
                    poll.last_modified,
                    poll.content_hash,
                    poll.records,
                    poll.warnings,
                    iso_z(poll.next_attempt),
                    poll.records,
                    poll.site[0] if poll.site else None,
                    poll.records,
                    poll.site[1] if poll.site else None,
                    poll.records,
                    iso_z(poll.data_at),
                    poll.name,
                ],
            )
        else:
            c.execute(
                "UPDATE source_state SET last_attempt = ?, last_error = ?, "
                "consecutive_failures = consecutive_failures + 1, http_status = ?, "
                "next_attempt = ? WHERE name = ?",
                [iso_z(poll.at), poll.error, poll.http_status, iso_z(poll.next_attempt), poll.name],
            )

    def record(self, poll: PollRecord) -> None:
        """Save a poll that brought no data (a failure, or an unchanged feed)."""
        with self.db.tx() as c:
            self.save(c, poll)

    def health(
        self, sources: Sequence[SourceConfig], stale_after: int, now: datetime
    ) -> list[SourceHealth]:
        """Health of each configured source, in config order.

        A source is stale when its last success is older than ``stale_after``
        intervals, or when it never succeeded although it was tried; and a
        site's feed also when the data it serves is that old (its server may
        answer while the site itself has stopped writing).
        """
        state = {r["name"]: r for r in self.db.rows("SELECT * FROM source_state")}
        out = []
        for src in sources:
            r = state.get(src.name, {})
            last_success = parse_iso(r.get("last_success"))
            last_attempt = parse_iso(r.get("last_attempt"))
            limit = timedelta(seconds=src.interval * stale_after)
            data_at = parse_iso(r.get("data_at"))
            if last_success is None:
                stale = last_attempt is not None
            else:
                stale = now - min(last_success, data_at or last_success) > limit
            out.append(
                SourceHealth(
                    name=src.name,
                    kind=src.kind,
                    format=src.format,
                    url=src.url,
                    last_attempt=last_attempt,
                    last_success=last_success,
                    last_error=r.get("last_error"),
                    consecutive_failures=int(r.get("consecutive_failures") or 0),
                    records=int(r.get("records") or 0),
                    stale=stale and src.enabled,
                    next_attempt=parse_iso(r.get("next_attempt")),
                    http_status=r.get("http_status"),
                    warnings=int(r.get("warnings") or 0),
                    insecure=src.insecure,
                    data_at=data_at,
                )
            )
        return out
