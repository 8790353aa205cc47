"""Agencies (perangkat daerah) and their status history; agenda occurrences.

Both kinds are sets that each refresh of a source replaces: what is gone
upstream is gone here, and only rows that differ are written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cc_console.models import AGENCY_STATUS_RANK, Agency, Kpi, Meeting
from cc_console.store.sources import PollRecord, SourceStateMixin
from cc_console.timefmt import iso_z, parse_iso

__all__ = ["AgenciesMixin"]


def _kpis_json(kpis: Sequence[Kpi]) -> str:
    return json.dumps(
        [
            {
                "name": k.name,
                "value": k.value,
                "target": k.target,
                "unit": k.unit,
                "higher_is_better": k.higher_is_better,
            }
            for k in kpis
        ],
        ensure_ascii=False,
    )


def _kpis(text: str) -> tuple[Kpi, ...]:
    return tuple(
        Kpi(
            name=k["name"],
            value=k["value"],
            target=k.get("target"),
            unit=k.get("unit", ""),
            higher_is_better=k.get("higher_is_better", True),
        )
        for k in json.loads(text or "[]")
    )


def _agency(r: dict[str, Any]) -> Agency:
    return Agency(
        id=r["id"],
        name=r["name"],
        status=r["status"],
        summary=r["summary"],
        kpis=_kpis(r["kpis"]),
        updated_at=parse_iso(r["updated_at"]),
        source=r["source"],
        url=r["url"],
    )


def _meeting(r: dict[str, Any]) -> Meeting:
    from datetime import date

    return Meeting(
        source=r["source"],
        uid=r["uid"],
        title=r["title"],
        start=parse_iso(r["start"]),  # type: ignore[arg-type]
        end=parse_iso(r["end"]),
        all_day=bool(r["all_day"]),
        start_date=date.fromisoformat(r["start_date"]) if r["start_date"] else None,
        end_date=date.fromisoformat(r["end_date"]) if r["end_date"] else None,
        location=r["location"],
        status=r["status"],
        organizer=r["organizer"],
        participants=tuple(json.loads(r["participants"])),
        description=r["description"],
    )


class AgenciesMixin(SourceStateMixin):
    """Writes and reads of ``agencies``, ``agency_history`` and ``agenda``."""

    def apply_agencies(self, poll: PollRecord, records: Sequence[Agency]) -> int:
        """Replace the agencies of one source; returns how many were added, changed or removed."""
        source = poll.name
        at = iso_z(poll.at)
        with self.tx() as c:
            old = {
                r[0]: r[1:]
                for r in c.execute(
                    "SELECT id, name, status, summary, kpis, updated_at, url FROM agencies "
                    "WHERE source = ?",
                    [source],
                )
            }
            new: dict[str, tuple[Any, ...]] = {}
            for a in records:
                new[a.id] = (
                    a.name,
                    a.status,
                    a.summary,
                    _kpis_json(a.kpis),
                    iso_z(a.updated_at),
                    a.url,
                )
            gone = [k for k in old if k not in new]
            changed = {k: v for k, v in new.items() if old.get(k) != v}
            if gone:
                c.executemany(
                    "DELETE FROM agencies WHERE source = ? AND id = ?", [(source, k) for k in gone]
                )
            c.executemany(
                "INSERT OR REPLACE INTO agencies(source, id, name, status, status_rank, summary, "
                "kpis, updated_at, url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (source, k, v[0], v[1], AGENCY_STATUS_RANK.get(v[1], 3), v[2], v[3], v[4], v[5])
                    for k, v in changed.items()
                ],
            )
            # History only when status or KPIs move: that is what the sparkline shows.
            c.executemany(
                "INSERT INTO agency_history(source, agency_id, at, status, kpis) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (source, k, v[4] or at, v[1], v[3])
                    for k, v in changed.items()
                    if k not in old or old[k][1:4:2] != (v[1], v[3])
                ],
            )
            self._save_poll(c, poll)
        return len(gone) + len(changed)

    def agency_ids(self) -> set[str]:
        """Every known agency id (for ``assign``)."""
        return {r["id"] for r in self.rows("SELECT DISTINCT id FROM agencies")}

    def list_agencies(self, *, text: str = "") -> list[Agency]:
        """Every agency, worst status first, then by name; filtered by ``text``."""
        rows = self.rows("SELECT * FROM agencies ORDER BY status_rank, name, id")
        agencies = [_agency(r) for r in rows]
        if text:
            needle = text.casefold()
            agencies = [
                a for a in agencies if needle in f"{a.id} {a.name} {a.summary or ''}".casefold()
            ]
        return agencies

    def agency(self, agency_id: str) -> Agency | None:
        """One agency by id."""
        rows = self.rows("SELECT * FROM agencies WHERE id = ? ORDER BY source LIMIT 1", [agency_id])
        return _agency(rows[0]) if rows else None

    def agency_history(
        self, agency_id: str, limit: int = 60
    ) -> list[tuple[datetime, str, tuple[Kpi, ...]]]:
        """The last ``limit`` status/KPI changes of one agency, oldest first."""
        rows = self.rows(
            "SELECT at, status, kpis FROM agency_history WHERE agency_id = ? "
            "ORDER BY at DESC, seq DESC LIMIT ?",
            [agency_id, limit],
        )
        return [(parse_iso(r["at"]), r["status"], _kpis(r["kpis"])) for r in reversed(rows)]  # type: ignore[misc]

    def agency_trends(self, limit: int = 12) -> dict[str, list[str]]:
        """The last ``limit`` statuses of every agency (oldest first), for sparklines."""
        rows = self.rows(
            "SELECT agency_id, status FROM (SELECT agency_id, status, at, seq, row_number() OVER "
            "(PARTITION BY agency_id ORDER BY at DESC, seq DESC) AS n FROM agency_history) "
            "WHERE n <= ? ORDER BY agency_id, at, seq",
            [limit],
        )
        out: dict[str, list[str]] = {}
        for r in rows:
            out.setdefault(r["agency_id"], []).append(r["status"])
        return out

    # -- agenda ---------------------------------------------------------------

    def apply_agenda(self, poll: PollRecord, records: Sequence[Meeting]) -> int:
        """Replace the agenda occurrences of one source; returns how many moved."""
        source = poll.name
        with self.tx() as c:
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
            self._save_poll(c, poll)
        return len(gone) + len(changed)

    def list_agenda(self, start: datetime, end: datetime, *, text: str = "") -> list[Meeting]:
        """Occurrences whose start lies in ``[start, end)``, sorted by start."""
        rows = self.rows(
            "SELECT * FROM agenda WHERE start >= ? AND start < ? ORDER BY start, title, id",
            [iso_z(start), iso_z(end)],
        )
        meetings = [_meeting(r) for r in rows]
        if text:
            needle = text.casefold()
            meetings = [
                m
                for m in meetings
                if needle in f"{m.title} {m.location} {m.organizer or ''}".casefold()
            ]
        return meetings

    def meeting(self, meeting_id: str) -> Meeting | None:
        """One agenda occurrence by id."""
        rows = self.rows("SELECT * FROM agenda WHERE id = ?", [meeting_id])
        return _meeting(rows[0]) if rows else None
