"""Agencies (perangkat daerah) and their status history.

Each refresh of a source replaces its set: what is gone upstream is gone
here, and only rows that differ are written.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cc_console.models import AGENCY_STATUS_RANK, Agency, Kpi
from cc_console.store.base import Cache
from cc_console.store.events import Events
from cc_console.store.sources import PollRecord
from cc_console.timefmt import iso_z, parse_iso

__all__ = ["Agencies"]


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
        kind=r.get("kind") or "agency",
    )


DOWN = ("partial_outage", "major_outage")


def _status_events(
    old: dict[str, tuple[Any, ...]], changed: dict[str, tuple[Any, ...]], at: str, source: str
) -> list[tuple[str, str, str, str | None, str | None]]:
    """``agency.down`` when an agency enters an outage, ``agency.up`` when it leaves one.

    Each names the source that reported it (a silence by source holds its messages).
    """
    events: list[tuple[str, str, str, str | None, str | None]] = []
    for k, v in changed.items():
        before = old[k][1] if k in old else None
        after = v[1]
        if after in DOWN and before not in DOWN:
            kind = "agency.down"
        elif before in DOWN and after not in DOWN:
            kind = "agency.up"
        else:
            continue
        data = json.dumps(
            {"name": v[0], "status": [before, after], "summary": v[2], "source": source}
        )
        events.append((at, kind, k, None, data))
    return events


class Agencies:
    """Writes and reads of ``agencies`` and ``agency_history``."""

    def __init__(self, db: Cache) -> None:
        self.db = db

    @staticmethod
    def apply(c: sqlite3.Connection, poll: PollRecord, records: Sequence[Agency]) -> int:
        """Replace the agencies of one source in the caller's transaction; rows moved."""
        source = poll.name
        at = iso_z(poll.at)
        old = {
            r[0]: r[1:]
            for r in c.execute(
                "SELECT id, name, status, summary, kpis, updated_at, url, kind FROM agencies "
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
                a.kind,
            )
        gone = [k for k in old if k not in new]
        changed = {k: v for k, v in new.items() if old.get(k) != v}
        if gone:
            c.executemany(
                "DELETE FROM agencies WHERE source = ? AND id = ?", [(source, k) for k in gone]
            )
        c.executemany(
            "INSERT OR REPLACE INTO agencies(source, id, name, status, status_rank, summary, "
            "kpis, updated_at, url, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (source, k, v[0], v[1], AGENCY_STATUS_RANK.get(v[1], 3), *v[2:])
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
        if old:  # a source's first snapshot is its baseline, not news
            Events.add_many(c, _status_events(old, changed, at or "", source))
        return len(gone) + len(changed)

    def add_history(self, rows: Sequence[tuple[str, Agency]]) -> int:
        """Import past states ``(source, agency)`` into the history only (an archive, the
        demo's 90 days): no current row changes and no event is raised."""
        with self.db.tx() as c:
            c.executemany(
                "INSERT INTO agency_history(source, agency_id, at, status, kpis) "
                "VALUES (?, ?, ?, ?, ?)",
                [(src, a.id, iso_z(a.updated_at), a.status, _kpis_json(a.kpis)) for src, a in rows],
            )
        return len(rows)

    def ids(self) -> set[str]:
        """Every known agency id (for ``assign``)."""
        return {r["id"] for r in self.db.rows("SELECT DISTINCT id FROM agencies")}

    def listing(self, *, text: str = "") -> list[Agency]:
        """Every agency, worst status first, then by name; filtered by ``text``."""
        rows = self.db.rows("SELECT * FROM agencies ORDER BY status_rank, name, id")
        agencies = [_agency(r) for r in rows]
        if text:
            needle = text.casefold()
            agencies = [
                a for a in agencies if needle in f"{a.id} {a.name} {a.summary or ''}".casefold()
            ]
        return agencies

    def get(self, agency_id: str, source: str | None = None) -> Agency | None:
        """One agency by id (and ``source``: the province reads a "bpbd" from each site)."""
        rows = self.db.rows(
            "SELECT * FROM agencies WHERE id = ? AND (? IS NULL OR source = ?) "
            "ORDER BY source LIMIT 1",
            [agency_id, source, source],
        )
        return _agency(rows[0]) if rows else None

    def history(
        self, agency_id: str, limit: int = 60, source: str | None = None
    ) -> list[tuple[datetime, str, tuple[Kpi, ...]]]:
        """The last ``limit`` status/KPI changes of one agency (of ``source``, if given),
        oldest first."""
        rows = self.db.rows(
            "SELECT at, status, kpis FROM agency_history WHERE agency_id = ? "
            "AND (? IS NULL OR source = ?) ORDER BY at DESC, seq DESC LIMIT ?",
            [agency_id, source, source, limit],
        )
        return [(parse_iso(r["at"]), r["status"], _kpis(r["kpis"])) for r in reversed(rows)]  # type: ignore[misc]

    def status_times(self) -> dict[tuple[str, str], tuple[datetime | None, datetime | None]]:
        """``(source, id) -> (first seen, in its current status since)`` of every agency,
        from its history: when the status really changed, not when a KPI last moved or
        a feed last stamped the row."""
        rows = self.db.rows(
            "SELECT a.source, a.id, "
            " (SELECT min(h.at) FROM agency_history h "
            "   WHERE h.agency_id = a.id AND h.source = a.source) AS first_at, "
            " (SELECT min(h.at) FROM agency_history h "
            "   WHERE h.agency_id = a.id AND h.source = a.source AND h.at > coalesce("
            "     (SELECT max(x.at) FROM agency_history x WHERE x.agency_id = a.id "
            "       AND x.source = a.source AND x.status != a.status), '')) AS since_at "
            "FROM agencies a"
        )
        return {
            (r["source"], r["id"]): (parse_iso(r["first_at"]), parse_iso(r["since_at"]))
            for r in rows
        }

    def trends(self, limit: int = 12) -> dict[str, list[str]]:
        """The last ``limit`` statuses of every agency (oldest first), for sparklines, by
        ``source:id`` (the province has a "bpbd" of each site)."""
        rows = self.db.rows(
            "SELECT source, agency_id, status FROM (SELECT source, agency_id, status, at, seq, "
            "row_number() OVER (PARTITION BY source, agency_id ORDER BY at DESC, seq DESC) "
            "AS n FROM agency_history) WHERE n <= ? ORDER BY source, agency_id, at, seq",
            [limit],
        )
        out: dict[str, list[str]] = {}
        for r in rows:
            out.setdefault(f"{r['source']}:{r['agency_id']}", []).append(r["status"])
        return out
