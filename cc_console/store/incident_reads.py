"""Incidents: the questions the console and the CLI ask (windows, counts, positions, timelines).

Text filters go through FTS5, with the effective status indexed beside the
text, so a filtered view of the active incidents is counted by FTS5 alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cc_console.models import Incident, IncidentEvent
from cc_console.store.incidents import (
    _COLUMNS,
    IncidentQuery,
    IncidentsMixin,
    fts_query,
    row_to_incident,
)
from cc_console.timefmt import iso_z, parse_iso

__all__ = ["IncidentReadsMixin"]


class IncidentReadsMixin(IncidentsMixin):
    """Reads of ``incidents``, their aliases and their timeline."""

    def resolve_incident_id(self, incident_id: str) -> str | None:
        """The stored id for ``incident_id`` (following CAP thread aliases), or None."""
        found = self.scalar("SELECT id FROM incidents WHERE id = ?", [incident_id])
        if found:
            return str(found)
        alias = self.scalar(
            "SELECT incident_id FROM incident_aliases WHERE alias = ?", [incident_id]
        )
        return str(alias) if alias else None

    def incident(self, incident_id: str) -> Incident | None:
        """One incident by id (or by an alias from its CAP thread)."""
        real = self.resolve_incident_id(incident_id)
        if real is None:
            return None
        rows = self.rows(f"SELECT {_COLUMNS} FROM incidents WHERE id = ?", [real])
        return row_to_incident(rows[0]) if rows else None

    def list_incidents(self, *, include_all: bool = False) -> list[Incident]:
        """Open and acknowledged incidents (all with ``include_all``), newest first."""
        where = "" if include_all else "WHERE status IN ('open', 'acknowledged')"
        rows = self.rows(
            f"SELECT {_COLUMNS} FROM incidents {where} ORDER BY reported_at DESC, seq DESC"
        )
        return [row_to_incident(r) for r in rows]

    def incidents_for_publishing(self, since: datetime, limit: int = 50_000) -> list[Incident]:
        """Active incidents, and any updated since ``since`` (what ``serve`` publishes)."""
        rows = self.rows(
            f"SELECT {_COLUMNS} FROM incidents WHERE status IN ('open', 'acknowledged') "
            f"UNION SELECT {_COLUMNS} FROM incidents WHERE updated_at >= ? "
            "ORDER BY reported_at DESC LIMIT ?",
            [iso_z(since), limit],
        )
        return [row_to_incident(r) for r in rows]

    def _where(self, q: IncidentQuery) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if q.statuses:
            clauses.append(f"status IN ({', '.join('?' * len(q.statuses))})")
            params.extend(q.statuses)
        if q.source:  # ids are "<source>:<external id>": a range of the id index
            clauses.append("id >= ? AND id < ?")
            params.extend([q.source + ":", q.source + ";"])
        if q.assigned_to:
            clauses.append("assigned_to = ?")
            params.append(q.assigned_to)
        match = self._match(q)
        if match:
            clauses.append("seq IN (SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH ?)")
            params.append(match)
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", params

    @staticmethod
    def _match(q: IncidentQuery) -> str | None:
        """The FTS5 query of ``q``'s text, restricted to its statuses (indexed too)."""
        match = fts_query(q.text)
        if match and q.statuses:
            match = f"({match}) AND status : ({' OR '.join(q.statuses)})"
        return match

    def incident_page(self, q: IncidentQuery, offset: int, limit: int) -> list[Incident]:
        """Rows ``offset .. offset+limit`` of the incidents ``q`` selects."""
        where, params = self._where(q)
        order = (
            "severity_rank ASC, reported_at DESC, seq DESC"
            if q.order == "severity"
            else "reported_at DESC, seq DESC"
        )
        rows = self.rows(
            f"SELECT {_COLUMNS} FROM incidents {where} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [row_to_incident(r) for r in rows]

    def incident_position(self, q: IncidentQuery, incident_id: str) -> int | None:
        """The index of ``incident_id`` among the incidents ``q`` selects, or None.

        A keyset count (rows ordered before it), so it costs the rows above the
        selection, not the whole table.
        """
        where, params = self._where(q)
        rows = self.rows(
            f"SELECT seq, reported_at, severity_rank FROM incidents {where} "
            f"{'AND' if where else 'WHERE'} id = ?",
            [*params, incident_id],
        )
        if not rows:
            return None
        seq, reported, rank = rows[0]["seq"], rows[0]["reported_at"] or "", rows[0]["severity_rank"]
        if q.order == "severity":
            before = (
                "(severity_rank < ? OR (severity_rank = ? AND (reported_at > ? OR "
                "(reported_at = ? AND seq > ?))))"
            )
            extra = [rank, rank, reported, reported, seq]
        else:
            before = "(reported_at > ? OR (reported_at = ? AND seq > ?))"
            extra = [reported, reported, seq]
        joiner = "AND" if where else "WHERE"
        return int(
            self.scalar(
                f"SELECT count(*) FROM incidents {where} {joiner} {before}", [*params, *extra]
            )
        )

    def incident_count(self, q: IncidentQuery) -> int:
        """How many incidents ``q`` selects.

        With a text filter and nothing else, FTS5 counts alone: no join, so a
        prefix matching half a million incidents still counts in milliseconds.
        """
        match = self._match(q)
        if match and not q.source and not q.assigned_to:
            return int(
                self.scalar(
                    "SELECT count(*) FROM incidents_fts WHERE incidents_fts MATCH ?", [match]
                )
            )
        where, params = self._where(q)
        return int(self.scalar(f"SELECT count(*) FROM incidents {where}", params))

    def incident_timeline(self, incident_id: str) -> list[IncidentEvent]:
        """Feed changes and journal entries of one incident, oldest first."""
        real = self.resolve_incident_id(incident_id) or incident_id
        events = [
            IncidentEvent(at=parse_iso(r["at"]), kind="feed", text=r["text"])  # type: ignore[arg-type]
            for r in self.rows(
                "SELECT at, text FROM incident_events WHERE incident_id = ? ORDER BY at, seq",
                [real],
            )
        ]
        for r in self.rows(
            "SELECT at, operator, action, note, agency FROM journal WHERE target = ? ORDER BY seq",
            [real],
        ):
            text = r["note"] or ""
            if r["agency"]:
                text = f"{r['agency']}" + (f" — {text}" if text else "")
            events.append(
                IncidentEvent(
                    at=parse_iso(r["at"]),  # type: ignore[arg-type]
                    kind=r["action"],
                    text=text,
                    operator=r["operator"],
                )
            )
        events.sort(key=lambda e: e.at)
        return events

    def severity_counts(
        self, statuses: tuple[str, ...] = ("open", "acknowledged")
    ) -> dict[str, int]:
        """How many incidents of each severity have one of ``statuses``."""
        marks = ", ".join("?" * len(statuses))
        rows = self.rows(
            f"SELECT severity, count(*) AS n FROM incidents WHERE status IN ({marks}) GROUP BY severity",
            list(statuses),
        )
        return {r["severity"]: int(r["n"]) for r in rows}

    def reported_since(self, since: datetime, limit: int = 20) -> tuple[int, list[Incident]]:
        """How many incidents were reported since ``since``, and the newest ``limit``."""
        count = int(
            self.scalar("SELECT count(*) FROM incidents WHERE reported_at >= ?", [iso_z(since)])
        )
        rows = self.rows(
            f"SELECT {_COLUMNS} FROM incidents WHERE reported_at >= ? "
            "ORDER BY reported_at DESC, seq DESC LIMIT ?",
            [iso_z(since), limit],
        )
        return count, [row_to_incident(r) for r in rows]
