"""The operator journal: append-only, hash-chained, and the actions that write it.

Each entry's hash covers the previous entry's hash, so a changed or removed
line breaks the chain at that point (``Journal.verify`` names it).  Triggers
refuse UPDATE and DELETE on the table.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cc_console.actions import BY_ID
from cc_console.errors import ConfigError, NotFoundError, RefusedError
from cc_console.models import JournalEntry
from cc_console.store.agencies import Agencies
from cc_console.store.base import Cache, read_old
from cc_console.store.incidents import Incidents
from cc_console.text import clean_line, clean_text, shown
from cc_console.timefmt import iso_z, parse_iso, utcnow

__all__ = ["ACTIONS", "NOTE_LIMIT", "PUBLIC_NOTE", "Journal", "JournalVerdict", "why_not"]

# "note.public": a note the public reads (the public page, status.json); every other
# note stays among operators.
ACTIONS = ("ack", "note", "note.public", "assign", "resolve", "reopen")
PUBLIC_NOTE = "note.public"
NOTE_LIMIT = 4000
GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class JournalVerdict:
    """The result of checking the chain: ok, or the first broken entry."""

    ok: bool
    entries: int
    broken_seq: int | None = None
    reason: str | None = None


def entry_hash(
    prev: str,
    seq: int,
    at: str,
    operator: str,
    action: str,
    target: str,
    note: str | None,
    agency: str | None,
) -> str:
    """The chained hash of one journal entry."""
    fields = [prev, str(seq), at, operator, action, target, note or "", agency or ""]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def why_not(action: str, status: str) -> tuple[str, str] | None:
    """Why ``action`` does not apply to an incident that is ``status``: (reason, words), or None."""
    applies = BY_ID[action].applies if action in BY_ID else None
    if applies is None or status in applies:
        return None
    if action == "ack" and status == "acknowledged":
        return "already_acknowledged", "is already acknowledged; nothing was changed"
    if action == "reopen":
        return "not_resolved", f"is {status}, not resolved: there is nothing to reopen"
    if status == "cancelled":
        return "cancelled", "was cancelled by its source; nothing was changed"
    return "resolved", "is resolved; reopen it first (`cc-console reopen ID`)"


class Journal:
    """Operator actions on incidents and the journal that records them."""

    def __init__(self, db: Cache, incidents: Incidents, agencies: Agencies, operator: str) -> None:
        self.db = db
        self.incidents = incidents
        self.agencies = agencies
        # Journaled and shown on every operator's terminal (the CLI checks the
        # name; a name that reaches the store any other way is cleaned here).
        self.operator = clean_line(operator, 64) or "operator"

    def act(
        self,
        action: str,
        incident_id: str,
        *,
        note: str | None = None,
        agency: str | None = None,
        at: datetime | None = None,
    ) -> JournalEntry:
        """Record ``action`` on an incident and apply it, in one transaction.

        ``at``: when it happened (default now; an import of an older record).

        Raises:
            ReadOnlyError: the store is read-only.
            NotFoundError: no such incident, or (``assign``) no such agency.
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if note and len(note) > NOTE_LIMIT:
            raise ConfigError(
                f"a note holds at most {NOTE_LIMIT} characters; this one has {len(note)}"
            )
        # Notes reach other operators' terminals: no control or bidi characters.
        note = clean_text(note, NOTE_LIMIT) or None
        self.db.require_writable(f"{action} on {incident_id}")
        real = self.incidents.resolve_id(incident_id)
        if real is None:
            raise NotFoundError(
                f"unknown incident {incident_id!r} (see `cc-console incidents`)",
                key="unknown_incident",
                id=shown(incident_id),
            )
        if action == "assign" and (agency is None or agency not in self.agencies.ids()):
            raise NotFoundError(
                f"unknown agency {agency!r} (see `cc-console agencies`)",
                key="unknown_agency",
                id=shown(agency or ""),
            )
        now = at or utcnow()
        with self.db.tx() as c:
            # Checked inside the transaction: another console may have acted a moment ago.
            status = c.execute("SELECT status FROM incidents WHERE id = ?", [real]).fetchone()[0]
            refusal = why_not(action, status)
            if refusal is not None:
                reason, words = refusal
                raise RefusedError(f"{real} {words}", reason, id=real, status=status)
            when = iso_z(now) or ""
            entry = self._append(c, when, action, real, note, agency)
            self._effect(c, action, real, when, agency)
        return entry

    @staticmethod
    def _effect(
        c: sqlite3.Connection, action: str, target: str, at: str, agency: str | None,
        replay: bool = False,
    ) -> None:  # fmt: skip
        """What an action does to its incident (also replayed after a rebuild).

        A replayed ack or resolve yields to a feed change newer than itself, as it
        would have live.
        """
        newer = " AND (updated_at IS NULL OR updated_at <= ?1)" if replay else ""
        if action == "ack":
            c.execute(
                "UPDATE incidents SET op_status = 'acknowledged', op_at = ?1, "
                "status = 'acknowledged', acknowledged_at = coalesce(acknowledged_at, ?1) "
                f"WHERE id = ?2 AND status = 'open'{newer}",
                [at, target],
            )
        elif action == "resolve":
            c.execute(
                "UPDATE incidents SET op_status = 'resolved', op_at = ?1, status = 'resolved', "
                "acknowledged_at = coalesce(acknowledged_at, ?1), resolved_at = ?1 "
                f"WHERE id = ?2 AND status IN ('open', 'acknowledged'){newer}",
                [at, target],
            )
        elif action == "reopen":
            c.execute(
                "UPDATE incidents SET op_status = 'open', op_at = ?1, status = 'open', "
                f"resolved_at = NULL WHERE id = ?2 AND status = 'resolved'{newer}",
                [at, target],
            )
        elif action == "assign":
            c.execute(
                "UPDATE incidents SET op_assigned = ?, assigned_to = ? WHERE id = ?",
                [agency, agency, target],
            )

    def import_from(self, old_path: Path) -> int:
        """Copy the journal of the cache at ``old_path`` here, entry for entry (hashes kept).

        Raises:
            StoreError: the old journal cannot be read.
        """
        _, rows = read_old(
            old_path, "journal", "seq, at, operator, action, target, note, agency, prev_hash, hash"
        )
        with self.db.tx() as c:
            c.executemany(
                "INSERT INTO journal(seq, at, operator, action, target, note, agency, prev_hash, "
                "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    def record(
        self,
        c: sqlite3.Connection,
        at: str,
        action: str,
        target: str,
        note: str | None = None,
        agency: str | None = None,
    ) -> JournalEntry:
        """Append an entry for a write done by another table family, in its transaction."""
        return self._append(c, at, action, target, note, agency)

    def replay(self) -> int:
        """Apply every journaled action to the incidents again (after a rebuild)."""
        with self.db.tx() as c:
            rows = c.execute(
                "SELECT action, target, at, agency FROM journal ORDER BY seq"
            ).fetchall()
            for action, target, at, agency in rows:
                self._effect(c, action, target, at, agency, replay=True)
        return len(rows)

    def _append(
        self,
        c: sqlite3.Connection,
        at: str,
        action: str,
        target: str,
        note: str | None,
        agency: str | None,
    ) -> JournalEntry:
        last = c.execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
        seq = (last[0] + 1) if last else 1
        prev = last[1] if last else GENESIS
        h = entry_hash(prev, seq, at, self.operator, action, target, note, agency)
        c.execute(
            "INSERT INTO journal(seq, at, operator, action, target, note, agency, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [seq, at, self.operator, action, target, note, agency, prev, h],
        )
        return JournalEntry(seq, parse_iso(at), self.operator, action, target, note, agency, h)  # type: ignore[arg-type]

    def entries(
        self, *, target: str | None = None, limit: int | None = None, since: datetime | None = None
    ) -> list[JournalEntry]:
        """Journal entries, oldest first (the last ``limit``, or those ``since``, when given)."""
        clauses: list[str] = []
        params: list[str | None] = []
        if target:
            clauses.append("target = ?")
            params.append(target)
        if since is not None:
            clauses.append("at >= ?")
            params.append(iso_z(since))
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        sql = f"SELECT * FROM journal {where} ORDER BY seq"
        if limit is not None:
            sql = f"SELECT * FROM ({sql} DESC LIMIT {int(limit)}) ORDER BY seq"
        return [
            JournalEntry(
                seq=r["seq"],
                at=parse_iso(r["at"]),  # type: ignore[arg-type]
                operator=r["operator"],
                action=r["action"],
                target=r["target"],
                note=r["note"],
                agency=r["agency"],
                hash=r["hash"],
            )
            for r in self.db.rows(sql, params)
        ]

    def public_notes(self) -> dict[str, list[tuple[int, datetime, str]]]:
        """The public updates (``note.public``) by incident: ``(seq, at, text)``, oldest
        first. Only these notes ever leave the operators' screens."""
        out: dict[str, list[tuple[int, datetime, str]]] = {}
        for r in self.db.rows(
            "SELECT seq, at, target, note FROM journal WHERE action = ? ORDER BY seq",
            [PUBLIC_NOTE],
        ):
            at = parse_iso(r["at"])
            if at is not None and r["note"]:
                out.setdefault(r["target"], []).append((r["seq"], at, r["note"]))
        return out

    def verify(self) -> JournalVerdict:
        """Walk the chain and report the first entry whose hash does not hold; then check
        that each closed meeting's frozen record still hashes to what its close journaled."""
        prev = GENESIS
        count = 0
        expected_seq = 1
        for r in self.db.rows("SELECT * FROM journal ORDER BY seq"):
            count += 1
            if r["seq"] != expected_seq:
                return JournalVerdict(False, count, expected_seq, "entry missing")
            if r["prev_hash"] != prev:
                return JournalVerdict(False, count, r["seq"], "link to the previous entry broken")
            h = entry_hash(
                prev,
                r["seq"],
                r["at"],
                r["operator"],
                r["action"],
                r["target"],
                r["note"],
                r["agency"],
            )
            if h != r["hash"]:
                return JournalVerdict(False, count, r["seq"], "entry altered")
            prev = h
            expected_seq += 1
        from cc_console.store.minutes import MeetingRecords

        altered = MeetingRecords(self.db, self).verify()
        if altered is not None:
            seq, meeting_id, why = altered
            return JournalVerdict(False, count, seq, f"closed meeting {meeting_id}: {why}")
        return JournalVerdict(True, count)
