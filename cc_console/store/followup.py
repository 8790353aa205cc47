"""Decisions and action items (tindak lanjut): what a meeting decided, who does what by when.

Kept in their own tables, apart from the agenda feed: each keeps a copy of its
meeting's title and time, so a meeting the calendar drops keeps its record.
Every change is journaled in the same transaction (``decide``, ``action.add``,
``action.done``, ``action.cancel``); an item past its due time is one
``action.overdue`` event.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cc_console.errors import NotFoundError, RefusedError, StoreError
from cc_console.models import Meeting
from cc_console.sla import breach_of
from cc_console.store.base import Cache, read_old
from cc_console.store.events import Events
from cc_console.store.journal import NOTE_LIMIT, Journal
from cc_console.store.minutes import TABLES as RECORD_TABLES
from cc_console.store.minutes import MeetingRecords, keep_copy, refuse_closed
from cc_console.text import clean_line, clean_text, shown
from cc_console.timefmt import iso_z, parse_iso, utcnow

__all__ = ["ActionItem", "Decision", "FollowUps"]

TEXT_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision of a meeting occurrence (``D-<n>``)."""

    seq: int
    meeting_id: str
    meeting_title: str
    meeting_start: datetime
    text: str
    created_at: datetime
    created_by: str
    # The data the decision was taken on, frozen at that moment (see ``evidence_of``).
    evidence: tuple[dict[str, Any], ...] = ()

    @property
    def id(self) -> str:
        return f"D-{self.seq}"


@dataclass(frozen=True, slots=True)
class ActionItem:
    """One action item (``A-<n>``): owner agency, due time, status."""

    seq: int
    text: str
    owner: str
    due: datetime
    status: str
    meeting_id: str | None
    meeting_uid: str | None
    meeting_title: str | None
    meeting_start: datetime | None
    incident_id: str | None
    created_at: datetime
    created_by: str
    done_at: datetime | None
    note: str | None

    @property
    def id(self) -> str:
        return f"A-{self.seq}"

    def overdue(self, now: datetime) -> bool:
        """Still open past its due time."""
        return self.status == "open" and self.due <= now


def _decision(r: dict[str, Any]) -> Decision:
    return Decision(
        r["seq"], r["meeting_id"], r["meeting_title"], parse_iso(r["meeting_start"]),  # type: ignore[arg-type]
        r["text"], parse_iso(r["created_at"]), r["created_by"],  # type: ignore[arg-type]
        tuple(json.loads(r["evidence"])) if r.get("evidence") else (),
    )  # fmt: skip


def _item(r: dict[str, Any]) -> ActionItem:
    return ActionItem(
        seq=r["seq"],
        text=r["text"],
        owner=r["owner"],
        due=parse_iso(r["due"]),  # type: ignore[arg-type]
        status=r["status"],
        meeting_id=r["meeting_id"],
        meeting_uid=r["meeting_uid"],
        meeting_title=r["meeting_title"],
        meeting_start=parse_iso(r["meeting_start"]),
        incident_id=r["incident_id"],
        created_at=parse_iso(r["created_at"]),  # type: ignore[arg-type]
        created_by=r["created_by"],
        done_at=parse_iso(r["done_at"]),
        note=r["note"],
    )


def _text(value: str, what: str) -> str:
    text = clean_text(value, TEXT_LIMIT).strip()
    if not text:
        raise StoreError(f"{what} is empty")  # the CLI checks first: exit 2 there
    return text


class FollowUps:
    """Decisions and action items over the cache's connection, journaled."""

    def __init__(self, db: Cache, journal: Journal) -> None:
        self.db = db
        self.journal = journal

    # -- writes ------------------------------------------------------------------

    def decide(
        self,
        meeting: Meeting,
        text: str,
        *,
        incidents: Sequence[str] = (),
        agencies: Sequence[str] = (),
        at: datetime | None = None,
    ) -> Decision:
        """Record a decision of ``meeting``, with the incidents and agencies it was taken
        on frozen as they stand (``at``: when, default now).

        Raises:
            NotFoundError: an unknown incident or agency (exit 3), before anything is written.
            RefusedError: the meeting is closed (exit 3).
        """
        self.db.require_writable(f"decide on {meeting.id}")
        body = _text(text, "the decision")
        real = []
        for incident_id in incidents:
            found = self.journal.incidents.resolve_id(incident_id)
            if found is None:
                raise NotFoundError(
                    f"unknown incident {clean_line(incident_id, 60)!r} (see `cc-console incidents`)",
                    key="unknown_incident",
                    id=shown(incident_id),
                )
            real.append(found)
        known = self.journal.agencies.ids()
        for agency in agencies:
            if agency not in known:
                raise NotFoundError(
                    f"unknown agency {clean_line(agency, 60)!r} (see `cc-console agencies`)",
                    key="unknown_agency",
                    id=shown(agency),
                )
        moment = at or utcnow()
        when = iso_z(moment) or ""
        with self.db.tx() as c:
            refuse_closed(c, meeting.id, "the decision")
            keep_copy(c, meeting)
            evidence = self.evidence_of(real, list(dict.fromkeys(agencies)), moment)
            cur = c.execute(
                "INSERT INTO decisions(meeting_id, meeting_uid, meeting_title, meeting_start, "
                "text, created_at, created_by, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [meeting.id, meeting.uid, meeting.title, iso_z(meeting.start), body, when,
                 self.journal.operator,
                 json.dumps(evidence, ensure_ascii=False) if evidence else None],
            )  # fmt: skip
            seq = int(cur.lastrowid or 0)
            based = ", ".join(e["id"] for e in evidence)
            note = f"D-{seq}: {body}" + (f" (based on {based})" if based else "")
            self.journal.record(c, when, "decide", meeting.id, note)
        return self.decision(seq)

    def evidence_of(
        self, incidents: Sequence[str], agencies: Sequence[str], at: datetime
    ) -> list[dict[str, Any]]:
        """The incidents and agencies as they stand at ``at``: what a decision was based on.

        An incident: its title, severity, status, assignee (id and name) and the
        deadline it is past (``breach``); an agency: its name, status and KPIs.
        """
        names = {a.id: a.name for a in self.journal.agencies.listing()}
        out: list[dict[str, Any]] = []
        as_of = iso_z(at)
        for incident_id in dict.fromkeys(incidents):
            inc = self.journal.incidents.get(incident_id)
            if inc is None:
                continue
            out.append({
                "kind": "incident", "id": inc.id, "as_of": as_of, "title": inc.title,
                "severity": inc.severity, "status": inc.status, "area": inc.area,
                "assigned_to": inc.assigned_to,
                "assigned_to_name": names.get(inc.assigned_to or ""),
                "breach": breach_of(inc.status, inc.acknowledge_due, inc.resolve_due, at),
            })  # fmt: skip
        for agency_id in agencies:
            a = self.journal.agencies.get(agency_id)
            if a is None:
                continue
            out.append({
                "kind": "agency", "id": a.id, "as_of": as_of, "name": a.name,
                "status": a.status, "summary": a.summary,
                "kpis": [{"name": k.name, "value": k.value, "target": k.target, "unit": k.unit,
                          "met": k.met} for k in a.kpis],
                "updated_at": iso_z(a.updated_at),
            })  # fmt: skip
        return out

    def add(
        self,
        text: str,
        owner: str,
        due: datetime,
        *,
        meeting: Meeting | None = None,
        incident_id: str | None = None,
        at: datetime | None = None,
    ) -> ActionItem:
        """A new open action item; journaled as ``action.add`` (``at``: default now)."""
        self.db.require_writable("action add")
        body = _text(text, "the action item")
        when = iso_z(at or utcnow()) or ""
        with self.db.tx() as c:
            if meeting is not None:
                refuse_closed(c, meeting.id, "the action item")
                keep_copy(c, meeting)
            cur = c.execute(
                "INSERT INTO action_items(text, owner, due, meeting_id, meeting_uid, "
                "meeting_title, meeting_start, incident_id, created_at, created_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    body, owner, iso_z(due),
                    meeting.id if meeting else None, meeting.uid if meeting else None,
                    meeting.title if meeting else None,
                    iso_z(meeting.start) if meeting else None,
                    incident_id, when, self.journal.operator,
                ],
            )  # fmt: skip
            seq = int(cur.lastrowid or 0)
            self.journal.record(
                c, when, "action.add", f"A-{seq}", f"{body} (due {iso_z(due)})", agency=owner
            )
        return self.item(f"A-{seq}")

    def close(
        self, item_id: str, status: str, note: str | None = None, at: datetime | None = None
    ) -> ActionItem:
        """Mark an open item ``done`` or ``cancelled``; journaled (``at``: default now)."""
        self.db.require_writable(f"action {status} on {item_id}")
        item = self.item(item_id)
        if note and len(note) > NOTE_LIMIT:
            raise StoreError(f"a note holds at most {NOTE_LIMIT} characters")
        note = clean_text(note, NOTE_LIMIT).strip() or None
        at_text = iso_z(at or utcnow()) or ""
        verb = "done" if status == "done" else "cancel"
        with self.db.tx() as c:
            (current,) = c.execute(
                "SELECT status FROM action_items WHERE seq = ?", [item.seq]
            ).fetchone()
            if current != "open":
                raise RefusedError(
                    f"{item.id} is {current} already; nothing was changed",
                    "item_closed",
                    id=item.id,
                    item_status=current,
                )
            c.execute(
                "UPDATE action_items SET status = ?, done_at = ?, note = ? WHERE seq = ?",
                [status, at_text, note, item.seq],
            )
            self.journal.record(c, at_text, f"action.{verb}", item.id, note)
        return self.item(item.id)

    def check(self, now: datetime) -> int:
        """One ``action.overdue`` event per item that passed its due time; how many."""
        if self.db.read_only:
            return 0
        at = iso_z(now)
        found = self.db.rows(
            "SELECT seq, owner, due, text FROM action_items INDEXED BY action_items_open "
            "WHERE status = 'open' AND due <= ? AND overdue_seen = 0",
            [at],
        )
        if not found:
            return 0
        with self.db.tx() as c:
            for r in found:
                Events.add(
                    c, r["due"], "action.overdue", f"A-{r['seq']}",
                    data={"owner": r["owner"], "due": r["due"], "text": r["text"][:200]},
                )  # fmt: skip
                c.execute("UPDATE action_items SET overdue_seen = 1 WHERE seq = ?", [r["seq"]])
        return len(found)

    def import_from(self, c: sqlite3.Connection, old_path: Path) -> int:
        """Copy decisions, items and meeting records (notes, attendance, the frozen
        records of closed meetings) of the cache at ``old_path``: a rebuild keeps them."""
        copied = 0
        for table in ("decisions", "action_items", *RECORD_TABLES):
            cols, rows = read_old(old_path, table)  # none of a table the old cache lacks
            if rows:
                names = ", ".join(f'"{col}"' for col in cols)
                c.executemany(
                    f"INSERT INTO {table}({names}) VALUES ({', '.join('?' * len(cols))})", rows
                )
            if table != "meeting_copies":  # (what the calendar said: no one's record)
                copied += len(rows)
        return copied

    # -- reads -------------------------------------------------------------------

    def decision(self, seq: int) -> Decision:
        (row,) = self.db.rows("SELECT * FROM decisions WHERE seq = ?", [seq])
        return _decision(row)

    def item(self, item_id: str) -> ActionItem:
        """One item by id (``A-3``).

        Raises:
            NotFoundError: no such item.
        """
        seq = item_id[2:] if item_id[:2].upper() == "A-" else ""
        rows = (
            self.db.rows("SELECT * FROM action_items WHERE seq = ?", [seq]) if seq.isdigit() else []
        )
        if not rows:
            raise NotFoundError(
                f"unknown action item {clean_line(item_id, 40)!r} (see `cc-console action list`)",
                key="unknown_item",
                id=shown(item_id, 40),
            )
        return _item(rows[0])

    def decisions(self, meeting_id: str) -> list[Decision]:
        return [
            _decision(r)
            for r in self.db.rows(
                "SELECT * FROM decisions WHERE meeting_id = ? ORDER BY seq", [meeting_id]
            )
        ]

    def items(
        self,
        *,
        open_only: bool = False,
        overdue_at: datetime | None = None,
        owner: str | None = None,
        meeting_id: str | None = None,
        incident_id: str | None = None,
        text: str = "",
    ) -> list[ActionItem]:
        """Action items, open ones first by due time (the most overdue first), then the rest."""
        clauses, params = [], []
        if open_only or overdue_at is not None:
            clauses.append("status = 'open'")
        if overdue_at is not None:
            clauses.append("due <= ?")
            params.append(iso_z(overdue_at))
        for column, value in (("owner", owner), ("meeting_id", meeting_id),
                              ("incident_id", incident_id)):  # fmt: skip
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        if text:
            clauses.append("(text LIKE ? OR owner LIKE ? OR coalesce(meeting_title, '') LIKE ?)")
            params += [f"%{text}%"] * 3
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return [
            _item(r)
            for r in self.db.rows(
                f"SELECT * FROM action_items {where} ORDER BY status != 'open', due, seq",
                params,
            )
        ]

    def remembered(self, meeting_id: str) -> Meeting | None:
        """A meeting the calendar no longer has, as its record keeps it (the copy kept
        with its notes, attendance and decisions; else what its decisions and items
        remember: title and start)."""
        kept = MeetingRecords(self.db, self.journal).kept(meeting_id)
        if kept is not None:
            return kept
        for table in ("decisions", "action_items"):
            rows = self.db.rows(
                f"SELECT meeting_id, meeting_uid, meeting_title, meeting_start FROM {table} "
                "WHERE meeting_id = ? LIMIT 1",
                [meeting_id],
            )
            if rows:
                r = rows[0]
                source = meeting_id.split(":", 1)[0]
                return Meeting(
                    source=source,
                    uid=r["meeting_uid"],
                    title=r["meeting_title"],
                    start=parse_iso(r["meeting_start"]),  # type: ignore[arg-type]
                    recurrence=Meeting.recurrence_of(meeting_id, source, r["meeting_uid"]),
                )
        return None

    def carried_over(self, meeting: Meeting) -> list[ActionItem]:
        """Open items of earlier occurrences of the same (recurring) meeting.

        Never the meeting's own items: a meeting moved later keeps them as its own.
        """
        prefix = f"{meeting.source}:"
        rows = self.db.rows(
            "SELECT * FROM action_items WHERE meeting_uid = ? AND meeting_start < ? "
            "AND meeting_id != ? AND substr(meeting_id, 1, ?) = ? "
            "AND status = 'open' ORDER BY due, seq",
            [meeting.uid, iso_z(meeting.start), meeting.id, len(prefix), prefix],
        )
        return [_item(r) for r in rows]
