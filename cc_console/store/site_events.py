"""Other command centers' disaster events, as their ``/events.json`` brought them.

A native source of kind ``events`` replaces its site's events at each new
body (a snapshot, like the agencies): an event the site no longer serves is
gone here too. The site an event belongs to is its source's
(``source_state.site_code``), so the province's sums per site follow the same
site claims as its incidents.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cc_console.models import SiteEvent
from cc_console.store.base import Cache
from cc_console.store.sources import PollRecord
from cc_console.timefmt import iso_z, parse_iso

__all__ = ["SiteEventRow", "SiteEvents"]


@dataclass(frozen=True, slots=True)
class SiteEventRow:
    """One stored event of another site: the source that read it and the event."""

    source: str
    event: SiteEvent


class SiteEvents:
    """Reads and writes of ``site_events``."""

    def __init__(self, db: Cache) -> None:
        self.db = db

    @staticmethod
    def apply(c: sqlite3.Connection, poll: PollRecord, records: Sequence[SiteEvent]) -> int:
        """Replace the events of one source in the caller's transaction; rows changed."""
        source = poll.name
        old = dict(c.execute("SELECT id, doc FROM site_events WHERE source = ?", [source]))
        new = {
            e.id: json.dumps(e.doc, ensure_ascii=False, sort_keys=True) for e in records
        }  # an id served twice: the last one, as a snapshot says
        gone = [k for k in old if k not in new]
        changed = {k: v for k, v in new.items() if old.get(k) != v}
        by_id = {e.id: e for e in records}
        c.executemany(
            "DELETE FROM site_events WHERE source = ? AND id = ?", [(source, k) for k in gone]
        )
        c.executemany(
            "INSERT OR REPLACE INTO site_events(source, id, title, status, status_until, "
            "opened_at, closed_at, totals, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (source, k, by_id[k].title, by_id[k].status, iso_z(by_id[k].status_until),
                 iso_z(by_id[k].opened_at), iso_z(by_id[k].closed_at),
                 json.dumps(by_id[k].totals), doc)
                for k, doc in changed.items()
            ],
        )  # fmt: skip
        return len(gone) + len(changed)

    def listing(
        self, *, include_closed: bool = False, sources: Sequence[str] | None = None
    ) -> list[SiteEventRow]:
        """Stored events (of ``sources`` only, when given), open ones first, newest first."""
        where = ["1"] if include_closed else ["closed_at IS NULL"]
        args: list[Any] = []
        if sources is not None:
            where.append(f"source IN ({', '.join('?' * len(sources))})")
            args += list(sources)
        rows = self.db.rows(
            f"SELECT * FROM site_events WHERE {' AND '.join(where)} "
            "ORDER BY closed_at IS NOT NULL, opened_at DESC, source, id",
            args,
        )
        return [SiteEventRow(r["source"], _event(r)) for r in rows]

    def get(self, source: str, event_id: str) -> SiteEventRow | None:
        """One stored event by its source and the id its site gave it."""
        rows = self.db.rows(
            "SELECT * FROM site_events WHERE source = ? AND id = ?", [source, event_id]
        )
        return SiteEventRow(source, _event(rows[0])) if rows else None


def _event(r: dict[str, Any]) -> SiteEvent:
    doc = json.loads(r["doc"])
    return SiteEvent(
        id=r["id"],
        title=r["title"],
        category=str(doc.get("category") or "other"),
        status=r["status"],
        status_until=parse_iso(r["status_until"]),
        opened_at=parse_iso(r["opened_at"]),
        closed_at=parse_iso(r["closed_at"]),
        totals=json.loads(r["totals"]),
        doc=doc,
    )
