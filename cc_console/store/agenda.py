"""Agenda: meeting occurrences (recurring events expanded by the iCalendar reader).

Each refresh of a source replaces its set, and only rows that differ are written.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from cc_console.models import Meeting
from cc_console.store.base import Cache
from cc_console.store.sources import PollRecord
from cc_console.timefmt import iso_z, parse_iso

__all__ = ["Agenda"]


def meeting_of_row(r: dict[str, Any]) -> Meeting:
    """A meeting from its row in ``meetings``, or in ``meeting_copies`` (the copy a
    meeting's record keeps: keyed ``meeting_id``, no all-day dates of its own)."""
    return Meeting(
        source=r["source"],
        uid=r["uid"],
        title=r["title"],
        start=parse_iso(r["start"]),  # type: ignore[arg-type]
        end=parse_iso(r["end"]),
        all_day=bool(r["all_day"]),
        start_date=date.fromisoformat(r["start_date"]) if r.get("start_date") else None,
        end_date=date.fromisoformat(r["end_date"]) if r.get("end_date") else None,
        location=r["location"],
        status=r["status"],
        organizer=r["organizer"],
        participants=tuple(json.loads(r["participants"])),
        description=r["description"],
        recurrence=Meeting.recurrence_of(r.get("id") or r["meeting_id"], r["source"], r["uid"]),
    )


class Agenda:
    """Writes and reads of ``agenda``."""

    def __init__(self, db: Cache) -> None:
        self.db = db

    @staticmethod
    def apply(c: sqlite3.Connection, poll: PollRecord, records: Sequence[Meeting]) -> int:
        """Replace the occurrences of one source in the caller's transaction; rows moved."""
        source = poll.name
        old = dict(c.execute("SELECT id, row_hash FROM agenda WHERE source = ?", [source]))
        new: dict[str, tuple[Any, ...]] = {}
        for m in records:
            row = (
                m.id,
                source,
                m.uid,
                m.title,
                iso_z(m.start),
                iso_z(m.end),
                int(m.all_day),
                m.start_date.isoformat() if m.start_date else None,
                m.end_date.isoformat() if m.end_date else None,
                m.location,
                m.status,
                m.organizer,
                json.dumps(list(m.participants), ensure_ascii=False),
                m.description,
            )
            h = hashlib.blake2b(repr(row).encode(), digest_size=12).hexdigest()
            new[m.id] = (*row, h)
        gone = [k for k in old if k not in new]
        changed = [v for k, v in new.items() if old.get(k) != v[-1]]
        c.executemany("DELETE FROM agenda WHERE id = ?", [(k,) for k in gone])
        c.executemany(
            'INSERT OR REPLACE INTO agenda(id, source, uid, title, start, "end", all_day, '
            "start_date, end_date, location, status, organizer, participants, description, "
            "row_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            changed,
        )
        return len(gone) + len(changed)

    def between(
        self, start: datetime, end: datetime, *, text: str = "", running: bool = False
    ) -> list[Meeting]:
        """Occurrences whose start lies in ``[start, end)``, sorted by start.

        ``running``: also those that started before ``start`` and are still on
        (a meeting in progress belongs in a handover); looked for a week back.
        """
        if running:
            rows = self.db.rows(
                'SELECT * FROM agenda WHERE start >= ? AND start < ? AND (start >= ? OR "end" > ?) '
                "ORDER BY start, title, id",
                [iso_z(start - timedelta(days=7)), iso_z(end), iso_z(start), iso_z(start)],
            )
        else:
            rows = self.db.rows(
                "SELECT * FROM agenda WHERE start >= ? AND start < ? ORDER BY start, title, id",
                [iso_z(start), iso_z(end)],
            )
        meetings = [meeting_of_row(r) for r in rows]
        if text:
            needle = text.casefold()
            meetings = [
                m
                for m in meetings
                if needle in f"{m.title} {m.location} {m.organizer or ''}".casefold()
            ]
        return meetings

    def get(self, meeting_id: str) -> Meeting | None:
        """One agenda occurrence by id."""
        rows = self.db.rows("SELECT * FROM agenda WHERE id = ?", [meeting_id])
        return meeting_of_row(rows[0]) if rows else None
