"""The meeting's record (notulen): discussion notes, attendance, and the frozen record.

Notes and attendance are journaled (``meeting.note``, ``meeting.attend``) like the
decisions and items. Each write keeps a copy of the meeting as the calendar says it
at that moment, so a meeting the feed drops keeps its end, place, chair and agenda.

Closing (``meeting.close``) freezes the record: the minutes as one canonical JSON
document, stored with its SHA-256, and the hash journaled in the same transaction.
Afterwards nothing more is recorded for the meeting (decisions, notes, attendance,
items), the minutes are rendered from the frozen document only, and
:meth:`MeetingRecords.verify` checks that each frozen record still hashes to what
the journal says.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cc_console.errors import NotFoundError, RefusedError, StoreError
from cc_console.models import Meeting
from cc_console.store.agenda import meeting_of_row
from cc_console.store.base import Cache
from cc_console.store.journal import Journal
from cc_console.text import clean_text
from cc_console.timefmt import iso_z, parse_iso, utcnow

__all__ = [
    "Closure",
    "MeetingRecords",
    "Note",
    "keep_copy",
    "record_hash",
    "refuse_closed",
]

NOTE_TEXT_LIMIT = 4000
TABLES = ("meeting_notes", "meeting_attendance", "meeting_copies", "meeting_closures")


def canonical(record: dict[str, Any]) -> str:
    """The one text of a record that is hashed and stored: sorted keys, no spaces."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record_hash(record: dict[str, Any]) -> str:
    """The SHA-256 of a record's canonical JSON (without its own ``hash``)."""
    body = {k: v for k, v in record.items() if k != "hash"}
    return hashlib.sha256(canonical(body).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Note:
    """One discussion note (pembahasan) of a meeting, in the order it was recorded."""

    seq: int
    meeting_id: str
    text: str
    created_at: datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class Closure:
    """A closed meeting: when, by whom, its frozen record and that record's hash."""

    meeting_id: str
    closed_at: datetime
    closed_by: str
    record: dict[str, Any]
    hash: str


def refuse_closed(c: sqlite3.Connection, meeting_id: str, what: str) -> None:
    """Refuse (exit 3) to record ``what`` for a closed meeting: its record is frozen.

    Checked inside the writer's transaction: another console may have closed it a
    moment ago.
    """
    row = c.execute(
        "SELECT closed_at FROM meeting_closures WHERE meeting_id = ?", [meeting_id]
    ).fetchone()
    if row is not None:
        raise RefusedError(
            f"meeting {meeting_id} is closed (since {row[0]}): its record is frozen; "
            f"{what} was not recorded",
            "meeting_closed",
            id=meeting_id,
            closed_at=row[0],
        )


def keep_copy(c: sqlite3.Connection, meeting: Meeting) -> None:
    """Keep the meeting as the calendar says it now, beside its record."""
    c.execute(
        'INSERT OR REPLACE INTO meeting_copies(meeting_id, source, uid, title, start, "end", '
        "all_day, location, status, organizer, participants, description) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [meeting.id, meeting.source, meeting.uid, meeting.title, iso_z(meeting.start),
         iso_z(meeting.end), int(meeting.all_day), meeting.location, meeting.status,
         meeting.organizer, json.dumps(list(meeting.participants), ensure_ascii=False),
         meeting.description],
    )  # fmt: skip


class MeetingRecords:
    """Notes, attendance and closing of meetings over the cache's connection, journaled."""

    def __init__(self, db: Cache, journal: Journal) -> None:
        self.db = db
        self.journal = journal

    # -- writes ------------------------------------------------------------------

    def note(self, meeting: Meeting, text: str, at: datetime | None = None) -> Note:
        """Record a discussion note (``at``: when, default now)."""
        self.db.require_writable(f"meeting note on {meeting.id}")
        body = clean_text(text, NOTE_TEXT_LIMIT).strip()
        if not body:
            raise StoreError("the note is empty")  # the CLI checks first: exit 2 there
        when = iso_z(at or utcnow()) or ""
        with self.db.tx() as c:
            refuse_closed(c, meeting.id, "the note")
            keep_copy(c, meeting)
            cur = c.execute(
                "INSERT INTO meeting_notes(meeting_id, text, created_at, created_by) "
                "VALUES (?, ?, ?, ?)",
                [meeting.id, body, when, self.journal.operator],
            )
            seq = int(cur.lastrowid or 0)
            self.journal.record(c, when, "meeting.note", meeting.id, body)
        return Note(seq, meeting.id, body, parse_iso(when), self.journal.operator)  # type: ignore[arg-type]

    def attend(
        self, meeting: Meeting, agencies: Sequence[str], at: datetime | None = None
    ) -> list[str]:
        """Record the agencies present; the ones newly recorded (one already present is
        not recorded twice). Unknown agencies are refused before anything is written.

        Raises:
            NotFoundError: an agency that is not known (exit 3).
        """
        self.db.require_writable(f"meeting attend on {meeting.id}")
        known = self.journal.agencies.ids()
        unknown = [a for a in agencies if a not in known]
        if unknown:
            raise NotFoundError(f"unknown agency {unknown[0]!r} (see `cc-console agencies`)")
        when = iso_z(at or utcnow()) or ""
        added: list[str] = []
        with self.db.tx() as c:
            refuse_closed(c, meeting.id, "the attendance")
            keep_copy(c, meeting)
            for agency in dict.fromkeys(agencies):
                cur = c.execute(
                    "INSERT OR IGNORE INTO meeting_attendance(meeting_id, agency, recorded_at, "
                    "recorded_by) VALUES (?, ?, ?, ?)",
                    [meeting.id, agency, when, self.journal.operator],
                )
                if cur.rowcount:
                    added.append(agency)
                    self.journal.record(c, when, "meeting.attend", meeting.id, None, agency)
        return added

    def close(
        self,
        meeting: Meeting,
        build: Callable[[str, str], dict[str, Any]],
        at: datetime | None = None,
    ) -> Closure:
        """Freeze the meeting's record and journal its hash, in one transaction.

        ``build(closed_at, closed_by)`` makes the record; it runs inside the
        transaction, so nothing recorded by another console can fall between the
        record and the close.

        Raises:
            RefusedError: the meeting is closed already (exit 3).
        """
        self.db.require_writable(f"meeting close on {meeting.id}")
        when = iso_z(at or utcnow()) or ""
        by = self.journal.operator
        with self.db.tx() as c:
            refuse_closed(c, meeting.id, "a second close")
            keep_copy(c, meeting)
            record = {k: v for k, v in build(when, by).items() if k != "hash"}
            digest = record_hash(record)
            c.execute(
                "INSERT INTO meeting_closures(meeting_id, closed_at, closed_by, record, hash) "
                "VALUES (?, ?, ?, ?, ?)",
                [meeting.id, when, by, canonical(record), digest],
            )
            self.journal.record(c, when, "meeting.close", meeting.id, f"sha256:{digest}")
        return Closure(meeting.id, parse_iso(when), by, record, digest)  # type: ignore[arg-type]

    # -- reads -------------------------------------------------------------------

    def notes(self, meeting_id: str) -> list[Note]:
        return [
            Note(r["seq"], r["meeting_id"], r["text"], parse_iso(r["created_at"]),  # type: ignore[arg-type]
                 r["created_by"])
            for r in self.db.rows(
                "SELECT * FROM meeting_notes WHERE meeting_id = ? ORDER BY seq", [meeting_id]
            )
        ]  # fmt: skip

    def attendance(self, meeting_id: str) -> list[tuple[str, str, str]]:
        """``(agency, recorded_at, recorded_by)`` of those present, in the order recorded."""
        return [
            (r["agency"], r["recorded_at"], r["recorded_by"])
            for r in self.db.rows(
                "SELECT * FROM meeting_attendance WHERE meeting_id = ? ORDER BY recorded_at, agency",
                [meeting_id],
            )
        ]

    def closure(self, meeting_id: str) -> Closure | None:
        """The meeting's frozen record, or None while it is open."""
        rows = self.db.rows("SELECT * FROM meeting_closures WHERE meeting_id = ?", [meeting_id])
        if not rows:
            return None
        r = rows[0]
        return Closure(
            r["meeting_id"], parse_iso(r["closed_at"]), r["closed_by"],  # type: ignore[arg-type]
            json.loads(r["record"]), r["hash"],
        )  # fmt: skip

    def kept(self, meeting_id: str) -> Meeting | None:
        """The meeting as it was when its record was last written (None: never written)."""
        rows = self.db.rows("SELECT * FROM meeting_copies WHERE meeting_id = ?", [meeting_id])
        if not rows:
            return None
        return meeting_of_row(rows[0])

    def verify(self) -> tuple[int, int, str] | None:
        """The first closed meeting whose frozen record no longer holds:
        ``(journal seq of its close, meeting id, why)``, or None when all hold.

        A record changed in the database (its text, or its stored hash), or removed,
        no longer matches the hash journaled when it was closed.
        """
        closes = self.db.rows(
            "SELECT seq, target, note FROM journal WHERE action = 'meeting.close' ORDER BY seq"
        )
        for row in closes:
            journaled = (row["note"] or "").removeprefix("sha256:")
            kept = self.db.rows(
                "SELECT record, hash FROM meeting_closures WHERE meeting_id = ?", [row["target"]]
            )
            if not kept:
                return row["seq"], row["target"], "its frozen record is missing"
            try:
                now_hash = record_hash(json.loads(kept[0]["record"]))
            except ValueError:
                now_hash = ""
            if now_hash != journaled or kept[0]["hash"] != journaled:
                return row["seq"], row["target"], "its frozen record was altered since the close"
        return None
